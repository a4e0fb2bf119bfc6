import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { DepartmentsModule } from '../departments/index.js';
import { AssetsController } from './assets.controller.js';
import { AssetsService } from './assets.service.js';
import { AssetChangeListener } from './asset-change-listener.js';

@Module({
  imports: [AuditModule, DepartmentsModule],
  controllers: [AssetsController],
  providers: [AssetsService, AssetChangeListener],
  exports: [AssetsService],
})
export class AssetsModule {}
