import { Body, Controller, Get, HttpCode, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, SourceIp } from './request.js';
import { Access } from '../common/index.js';
import { AuthService } from './auth.service.js';
import { authErrors } from './errors.js';
import { LoginDto, UpdateMeDto } from './dto.js';
import { ROLES, type RequestPrincipal } from '../shared/principal.js';
import { clearSessionCookie, CSRF_HEADER, passesCsrfCheck, setSessionCookie } from './session-cookie.js';
import { UsersService } from './users.service.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Access.public()
  async login(@Body() dto: LoginDto, @SourceIp() ip: string | null, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // The header keeps another site from logging a visitor's browser into an account of its choosing.
    if (dto.cookie && !passesCsrfCheck(req)) throw authErrors.csrf_header_required({ header: CSRF_HEADER });
    const session = await this.auth.login(dto.username, dto.password, ip);
    if (!dto.cookie) return session;
    setSessionCookie(req, res, session.token, new Date(session.expiresAt));
    return { expiresAt: session.expiresAt, session: 'cookie' };
  }

  @Post('logout')
  @HttpCode(204)
  @Access.roles(...ROLES)
  async logout(@CurrentPrincipal() principal: RequestPrincipal, @SourceIp() ip: string | null, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (principal.kind === 'user') await this.auth.logout(principal, ip);
    clearSessionCookie(req, res);
  }

  @Get('me')
  @Access.roles(...ROLES)
  me(@CurrentPrincipal() principal: RequestPrincipal) {
    return this.users.me(principal);
  }

  @Patch('me')
  @Access.roles(...ROLES)
  updateMe(@CurrentPrincipal() principal: RequestPrincipal & { kind: 'user' }, @Body() dto: UpdateMeDto, @SourceIp() ip: string | null) {
    return this.users.updateMe(principal, dto, ip);
  }
}
