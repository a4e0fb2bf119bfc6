import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/index.js';
import { DepartmentsModule } from '../departments/index.js';
import { Asset, AssetAddress } from './asset.entity.js';
import { AssetsController } from './assets.controller.js';
import { AssetsService } from './assets.service.js';
import { AssetChangeListener } from './asset-change-listener.js';

@Module({
  imports: [TypeOrmModule.forFeature([Asset, AssetAddress]), AuditModule, DepartmentsModule],
  controllers: [AssetsController],
  providers: [AssetsService, AssetChangeListener],
  exports: [AssetsService],
})
export class AssetsModule {}
