export { SituationModule } from './situation.module.js';
export { SituationService } from './situation.service.js';
export type { SituationContribution, SituationProvider, SituationScope } from './provider.js';
export type { PostureReason } from './posture.js';
