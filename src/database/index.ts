export { connectDatabase, type DatabaseConnection } from './database-url.js';
export { dataSourceOptions } from './data-source.js';
export { Database } from './database.js';
export { DatabaseModule } from './database.module.js';
export { isUniqueViolation } from './errors.js';
export { LockId, lockForTransaction, lockSession, tryLockForTransaction, tryLockSession, withLock, withLockIfFree } from './locks.js';
export { enqueue } from './outbox.js';
export { runtimeRoleName } from './runtime-role.js';
export { clientSql, type Session, type Sql, type Transactor } from './sql.js';
