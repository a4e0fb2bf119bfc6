import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/index.js';
import { AccessGuard } from './access.guard.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { ApiKeysController, UsersController, AssigneesController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [AuditModule],
  controllers: [AuthController, UsersController, ApiKeysController, AssigneesController],
  providers: [AuthService, UsersService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [AuthService, UsersService],
})
export class AuthModule {}
