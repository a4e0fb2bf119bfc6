import type { Sql, Transactor } from './sql.js';

/**
 * Every PostgreSQL advisory lock Taishi takes, in one place, so two jobs can never pick the same
 * number by accident. Locks are taken as (TAISHI_LOCK_SPACE, id) pairs: the first key keeps them
 * apart from any other program's advisory locks on a shared server.
 */
export enum LockId {
  /** Appending to the audit trail keeps the hash chain linear across writers. */
  AuditChain = 1,
  /** Folding rule firings into alerts: one decision per (rule, group) across instances. */
  AlertGrouping = 2,
  /** Turning alerts into incidents: two instances never open two incidents for one attack. */
  IncidentIntake = 3,
  /** One instance per tick checks SLAs and reporting clocks. */
  IncidentTimers = 4,
  /** Opening and reopening compliance findings. */
  ComplianceFindings = 5,
  /** Dropping expired event partitions or indices. */
  Retention = 6,
  /** Merging the people-count sketches of the classification module. */
  ClassificationSketches = 7,
  /** Creating a day's event partition (with a sub-key: the partition's name). */
  EventPartition = 8,
  /** Running one scheduled detection rule (with a sub-key: the rule id). */
  ScheduledRule = 9,
  /** Claiming network addresses for assets: two saves never claim one address twice. */
  AddressClaims = 10,
  /** Migrations and the runtime role's setup, held for the session while they run. */
  Setup = 11,
  /** Held for the session by the one instance that keeps the correlation windows. */
  CorrelationOwner = 12,
}

const TAISHI_LOCK_SPACE = 0x7461_6973; // 'tais'

function args(id: LockId, subKey?: string): { sql: string; params: unknown[] } {
  // A sub-key folds into the second int with PostgreSQL's own string hash, the same on every instance.
  return subKey === undefined
    ? { sql: '$1::int, $2::int', params: [TAISHI_LOCK_SPACE, id] }
    : { sql: '$1::int, (hashtext($3) # $2::int)', params: [TAISHI_LOCK_SPACE, id, subKey] };
}

/** Waits for a lock held until `unlockSession` or the connection's end (for work that spans transactions). */
export async function lockSession(session: Sql, id: LockId): Promise<void> {
  const { sql, params } = args(id);
  await session.query(`SELECT pg_advisory_lock(${sql})`, params);
}

/** Takes a session lock if it is free; it is held until the session ends (or `unlockSession`). */
export async function tryLockSession(session: Sql, id: LockId): Promise<boolean> {
  const { sql, params } = args(id);
  const [row] = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${sql}) AS locked`, params);
  return row.locked;
}

/** Waits for the lock; it is released when the surrounding transaction ends. */
export async function lockForTransaction(tx: Sql, id: LockId, subKey?: string): Promise<void> {
  const { sql, params } = args(id, subKey);
  await tx.query(`SELECT pg_advisory_xact_lock(${sql})`, params);
}

/** Takes the lock for the surrounding transaction if it is free; false when another holder has it. */
export async function tryLockForTransaction(tx: Sql, id: LockId, subKey?: string): Promise<boolean> {
  const { sql, params } = args(id, subKey);
  const [row] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${sql}) AS locked`, params);
  return row.locked;
}

/** Runs `work` in a transaction that holds the lock, so writers of one kind take turns. */
export function withLock<T>(db: Transactor, id: LockId, work: (tx: Sql) => Promise<T>, subKey?: string): Promise<T> {
  return db.transaction(async (tx) => {
    await lockForTransaction(tx, id, subKey);
    return work(tx);
  });
}

/**
 * Runs `work` holding the lock if no one else holds it, else answers `{ skipped: true }` at once:
 * for jobs that one instance does per period while the others carry on. The lock lasts as long as
 * `work`, which may use other connections too.
 */
export function withLockIfFree<T>(db: Transactor, id: LockId, work: (tx: Sql) => Promise<T>, subKey?: string): Promise<T | { skipped: true }> {
  return db.transaction(async (tx) => ((await tryLockForTransaction(tx, id, subKey)) ? work(tx) : { skipped: true as const }));
}
