export { AuditModule } from './audit.module.js';
export { AuditService, type AuditEntry, type ChainVerification } from './audit.service.js';
export { NoControlCharacters } from './identifiers.js';
