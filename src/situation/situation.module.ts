import { Global, Module } from '@nestjs/common';
import { SituationController } from './situation.controller.js';
import { SituationService } from './situation.service.js';

/** Global so that modules adding a section can inject SituationService without importing this one. */
@Global()
@Module({
  controllers: [SituationController],
  providers: [SituationService],
  exports: [SituationService],
})
export class SituationModule {}
