import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/index.js';
import { AccessGuard } from './access.guard.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { ApiKey, Session, User } from './entities.js';
import { ApiKeysController, UsersController, AssigneesController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, Session, ApiKey]), AuditModule],
  controllers: [AuthController, UsersController, ApiKeysController, AssigneesController],
  providers: [AuthService, UsersService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [AuthService, UsersService],
})
export class AuthModule {}
