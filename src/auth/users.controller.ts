import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, SourceIp } from './request.js';
import { Access } from '../common/index.js';
import { CreateApiKeyDto, CreateUserDto, ResetPasswordDto, UpdateUserDto } from './dto.js';
import type { Principal } from '../shared/principal.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
@Access.roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list() {
    return this.users.list();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.users.get(id);
  }

  @Post()
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.users.create(dto, { principal, sourceIp });
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDto, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.users.update(id, dto, { principal, sourceIp });
  }

  @Post(':id/password')
  @HttpCode(204)
  resetPassword(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ResetPasswordDto, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.users.resetPassword(id, dto.password, { principal, sourceIp });
  }

  @Post(':id/unlock')
  @HttpCode(204)
  unlock(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.users.unlock(id, { principal, sourceIp });
  }
}

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/api-keys')
@Access.roles('admin')
export class ApiKeysController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list() {
    return this.users.listApiKeys();
  }

  @Post()
  create(@Body() dto: CreateApiKeyDto, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.users.createApiKey(dto, { principal, sourceIp });
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal, @SourceIp() sourceIp: string | null) {
    return this.users.revokeApiKey(id, { principal, sourceIp });
  }
}

/** The assignee picker: security staff see who they can hand incident work to, and nothing more of the user list. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/assignees')
@Access.roles('admin', 'analyst')
export class AssigneesController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list() {
    return this.users.assignees();
  }
}
