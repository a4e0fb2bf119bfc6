export { connectDatabase, type DatabaseConnection } from './database-url.js';
export { dataSourceOptions } from './data-source.js';
export { isUniqueViolation } from './errors.js';
export { runtimeRoleName } from './runtime-role.js';
