import { Global, Module } from '@nestjs/common';
import { RecognitionSituationSection } from './recognition-section.js';
import { SituationController } from './situation.controller.js';
import { SituationService } from './situation.service.js';

/** Global so that modules adding a section can inject SituationService without importing this one. */
@Global()
@Module({
  controllers: [SituationController],
  providers: [SituationService, RecognitionSituationSection],
  exports: [SituationService],
})
export class SituationModule {}
