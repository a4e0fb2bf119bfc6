// The shared kernel: types and small mechanisms every module may use. It imports nothing from
// the modules, nor Nest, nor TypeORM.
export { Counter, Gauge, Histogram, MetricsRegistry } from './metrics.js';
export { JsonTooDeepError, MAX_JSON_DEPTH, nestsDeeperThan, parseBoundedJson } from './bounded-json.js';
export { actorName, actorRole, API_KEY_SCOPES, departmentScope, readerLanguage, ROLES, type ApiKeyScope, type Caller, type Principal, type RequestPrincipal, type Role } from './principal.js';
export { Clock, FakeClock, SystemClock, type Cancel } from './clock.js';
export { cronProblem, CronSchedule } from './cron.js';
export { DomainError, ERROR_KINDS, defineErrors, errorCatalogue, type ErrorDefinition, type ErrorKind, type ErrorParams } from './domain-error.js';
export { EventBus, type Handler, type HandlerFailure, type Topic, type Topics } from './event-bus.js';
export { DEFAULT_LANGUAGE, LANGUAGES, fillTemplate, isLanguage, languageFromAcceptLanguage, type Language, type Localised } from './localised.js';
export { addressBytes, CidrMatcher, inBlock, parseCidr, unmapIPv4, type CidrBlock } from './network/cidr.js';
export { normalizeAddress, type AddressKind, type NormalizedAddress } from './network/addresses.js';
export { addressBlock, blocksOverlap, CATCH_ALL_BELOW, hostnamesClash, isCatchAll, OrdinaryClaims, type Claim } from './network/address-claims.js';
export { departmentKey, listedDepartment } from './department-names.js';
export { compiledWorkerScript } from './worker-script.js';
export { valueAt } from './object-path.js';
