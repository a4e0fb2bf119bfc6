import type { Sql } from './sql.js';

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
}

const TAISHI_LOCK_SPACE = 0x7461_6973; // 'tais'

function args(id: LockId, subKey?: string): { sql: string; params: unknown[] } {
  // A sub-key folds into the second int with PostgreSQL's own string hash, the same on every instance.
  return subKey === undefined
    ? { sql: '$1::int, $2::int', params: [TAISHI_LOCK_SPACE, id] }
    : { sql: '$1::int, (hashtext($3) # $2::int)', params: [TAISHI_LOCK_SPACE, id, subKey] };
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
