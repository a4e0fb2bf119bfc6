export { Access, ACCESS_POLICY, type AccessPolicy } from './access.decorator.js';
export { DEFAULT_DISPLAY_TIME_ZONE, IsTimeZone } from './time-zone.js';
export { StartupError, systemReason } from './startup-error.js';
export { ensureDataDir } from './data-dir.js';
export { invalidFields } from './http-errors.js';
