import type { Clock, EventBus, Topic, Topics } from '../shared/index.js';
import type { Sql, Transactor } from './sql.js';

/** Records news of a change in the change's own transaction: it is delivered if and only if the change commits. */
export async function enqueue<T extends Topic>(tx: Sql, topic: T, payload: Topics[T]): Promise<void> {
  await tx.query(`INSERT INTO domain_outbox (topic, payload) VALUES ($1, $2)`, [topic, JSON.stringify(payload)]);
}

export interface RelayReport {
  delivered: number;
  failed: number;
}

const BATCH = 100;
const MAX_BACKOFF_MS = 10 * 60_000;
const KEEP_DELIVERED_MS = 7 * 24 * 3_600_000;

/**
 * Delivers outbox rows to the event bus's subscribers, oldest first. A row is claimed with
 * FOR UPDATE SKIP LOCKED, so instances sharing a database never deliver one row twice at the same
 * time; a row whose subscribers failed is retried with backoff (1 s, 2 s, 4 s … 10 min). A crash
 * between a subscriber's success and the row's mark leaves the row to be delivered again, so
 * subscribers must be idempotent (they check whether the work is already done).
 */
export class OutboxRelay {
  constructor(
    private readonly db: Transactor,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  async deliverDue(): Promise<RelayReport> {
    const report: RelayReport = { delivered: 0, failed: 0 };
    for (;;) {
      const batch = await this.db.transaction(async (tx) => {
        const rows = await tx.query<{ id: string; topic: Topic; payload: unknown; attempts: number }>(
          `SELECT id, topic, payload, attempts FROM domain_outbox
            WHERE delivered_at IS NULL AND next_attempt_at <= $1
            ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [this.clock.now()],
        );
        for (const row of rows) {
          const failures = await this.bus.publish(row.topic, row.payload as Topics[Topic]);
          if (failures.length === 0) {
            await tx.query(`UPDATE domain_outbox SET delivered_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1`, [row.id, this.clock.now()]);
            report.delivered++;
          } else {
            const backoff = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** row.attempts);
            const error = failures.map((f) => `${f.subscriber}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ');
            await tx.query(`UPDATE domain_outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1`, [
              row.id,
              new Date(this.clock.nowMs() + backoff),
              error.slice(0, 2_000),
            ]);
            report.failed++;
          }
        }
        return rows.length;
      });
      if (batch < BATCH) return report;
    }
  }

  /** Rows waiting for delivery, and the oldest one's age: what an operator watches. */
  async backlog(sql: Sql): Promise<{ pending: number; oldestAt: Date | null }> {
    const [row] = await sql.query<{ pending: number; oldestAt: Date | null }>(
      `SELECT count(*)::int AS pending, min(created_at) AS "oldestAt" FROM domain_outbox WHERE delivered_at IS NULL`,
    );
    return row;
  }

  async prune(sql: Sql): Promise<void> {
    await sql.query(`DELETE FROM domain_outbox WHERE delivered_at < $1`, [new Date(this.clock.nowMs() - KEEP_DELIVERED_MS)]);
  }
}
