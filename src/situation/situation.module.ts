import { Global, Module } from '@nestjs/common';
import { AssetsModule } from '../assets/index.js';
import { RecognitionSituationSection } from './recognition-section.js';
import { SilentAssetsSituationSection } from './silent-assets-section.js';
import { SituationController } from './situation.controller.js';
import { SituationService } from './situation.service.js';

/** Global so that modules adding a section can inject SituationService without importing this one. */
@Global()
@Module({
  controllers: [SituationController],
  imports: [AssetsModule],
  providers: [SituationService, RecognitionSituationSection, SilentAssetsSituationSection],
  exports: [SituationService],
})
export class SituationModule {}
