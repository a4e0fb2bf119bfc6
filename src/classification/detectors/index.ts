export { scanEvent, CIRCULAR, TOO_DEEP, type ExemptFields } from './event-walk.js';
export { HyperLogLog } from './hyperloglog.js';
export { keyedHash, maskEvent, maskValue, type MaskedFinding, type MaskingAction, type MaskingPolicy, type MaskResult } from './masking.js';
export { PeopleCounter, PERSON_IDENTIFIERS, type PeopleEstimate, type PersonIdentifier } from './people-counter.js';
export { isSensitive, PII_TYPES, scanText } from './registry.js';
export type { EventFinding, PiiFinding, PiiType } from './types.js';
