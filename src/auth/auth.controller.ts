import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, SourceIp } from '../common/request.js';
import { Access } from './access.decorator.js';
import { AuthService } from './auth.service.js';
import { LoginDto, UpdateMeDto } from './dto.js';
import { publicApiKey, publicUser, ApiKey, User } from './entities.js';
import { ROLES, type RequestPrincipal } from './roles.js';
import { UsersService } from './users.service.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Access.public()
  login(@Body() dto: LoginDto, @SourceIp() ip: string | null) {
    return this.auth.login(dto.username, dto.password, ip);
  }

  @Post('logout')
  @HttpCode(204)
  @Access.roles(...ROLES)
  async logout(@CurrentPrincipal() principal: RequestPrincipal, @SourceIp() ip: string | null) {
    if (principal.kind === 'user') await this.auth.logout(principal, ip);
  }

  @Get('me')
  @Access.roles(...ROLES)
  async me(@CurrentPrincipal() principal: RequestPrincipal) {
    if (principal.kind === 'api-key') {
      return publicApiKey(await this.dataSource.getRepository(ApiKey).findOneByOrFail({ id: principal.id }));
    }
    return publicUser(await this.dataSource.getRepository(User).findOneByOrFail({ id: principal.id }));
  }

  @Patch('me')
  @Access.roles(...ROLES)
  updateMe(@CurrentPrincipal() principal: RequestPrincipal & { kind: 'user' }, @Body() dto: UpdateMeDto, @SourceIp() ip: string | null) {
    return this.users.updateMe(principal, dto, ip);
  }
}
