import { Controller, Get, Global, Module } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/index.js';
import { ROLES, type RequestPrincipal } from '../shared/principal.js';
import { CurrentPrincipal } from '../auth/index.js';
import { ClassificationService } from './classification.service.js';

@ApiTags('classification')
@ApiBearerAuth()
@Controller('api/classification')
export class ClassificationController {
  constructor(private readonly classification: ClassificationService) {}

  /** Assets whose logs carry personal data above what their owner declared. */
  @Get('findings')
  @Access.roles(...ROLES)
  findings(@CurrentPrincipal() principal: RequestPrincipal) {
    return this.classification.findings(principal);
  }
}

@Global()
@Module({
  controllers: [ClassificationController],
  providers: [ClassificationService],
  exports: [ClassificationService],
})
export class ClassificationModule {}
