export { ClassificationService } from './classification.service.js';
export { residentIdCheckChar } from './detectors/resident-id.js';
export { type PiiSighting, type PrivacyHook } from './privacy.js';
export { scanText } from './detectors/index.js';
