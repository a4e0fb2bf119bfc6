import type { AuditEntry, AuditService } from '../audit/index.js';

/** The transaction `AuditService.change` hands its work: `Sql` for repositories, and what other modules' methods take to join it. */
export type AuditedTx = Parameters<Parameters<AuditService['change']>[0]>[0];

/** Ends a transaction that changed nothing, so that no record is written for it. */
class NothingChanged<T> extends Error {
  constructor(readonly result: T) {
    super('nothing changed');
  }
}

/**
 * `AuditService.change` for work that may find nothing to do (a schedule slot already taken, an
 * update that sets nothing): it answers `record: null`, and its transaction, which wrote
 * nothing, is rolled back instead of committed, without a record.
 */
export async function changeIfAny<T>(audit: AuditService, work: (tx: AuditedTx) => Promise<{ result: T; record: AuditEntry | null }>): Promise<T> {
  try {
    return await audit.change(async (tx) => {
      const { result, record } = await work(tx);
      if (record === null) throw new NothingChanged(result);
      return { result, record };
    });
  } catch (error) {
    if (error instanceof NothingChanged) return error.result as T;
    throw error;
  }
}
