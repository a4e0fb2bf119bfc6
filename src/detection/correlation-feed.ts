import { type Database, LockId, tryLockSession, type Session } from '../database/index.js';
import type { StoredEvent } from '../events/index.js';
import type { Clock } from '../shared/index.js';
import type { CorrelationInput } from './detection-engine.js';

/** Rows a read takes at once: each is one written batch of up to MATCHES_PER_ROW matches. */
const ROWS_PER_READ = 50;
/** A backlog written after a database outage is split into rows of this many matches. */
const MATCHES_PER_ROW = 2_000;
/** Read rows stay this long past the replay span, for diagnosis; then they are pruned. */
const KEEP_READ_MS = 3_600_000;

/** One written batch: `matches` is a JSON array of [rule id, rule name, event, event time in epoch ms], in order. */
interface FeedRow {
  id: string;
  matches: string;
}

type FeedMatch = [ruleId: string | null, ruleName: string | null, event: StoredEvent, at: number];

/**
 * Correlation windows shared by several instances. An attack's lines reach whichever instance a
 * balancer picks, but its steps must be counted in one window. So every instance writes the
 * matches correlations count to the shared feed (each with the part of its event that counting and
 * alerting read: see DetectionEngine.feedEvent), and one instance, the owner (the holder of a
 * session lock), reads the feed into its windows. When the owner stops or loses its connection the
 * lock goes with it; the next instance to poll takes over and first replays the feed's recent past
 * (the longest correlation timespan), so the windows are rebuilt rather than started afresh. A
 * replay may count again a step that had already completed a correlation: the alert it raises then
 * folds into the open alert of the same rule and group.
 */
export class CorrelationFeed {
  private session: Session | undefined;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** How far back a new owner replays: the longest correlation timespan of the running rules. */
    private readonly replaySpanMs: () => number,
    /** Counts matches into the owner's windows. */
    private readonly consume: (inputs: CorrelationInput[]) => void,
  ) {}

  get owner(): boolean {
    return this.session !== undefined;
  }

  /**
   * Records matches from this instance: `counted` when the owner already counted them itself (they
   * are kept for a replay), else for the owner to read.
   */
  async write(inputs: readonly CorrelationInput[], counted: boolean): Promise<void> {
    // A row per batch, not per match: as rows of their own, matches cost PostgreSQL about as much
    // CPU each as storing an event (see the CorrelationFeedBatches migration).
    for (let start = 0; start < inputs.length; start += MATCHES_PER_ROW) {
      const matches: FeedMatch[] = inputs.slice(start, start + MATCHES_PER_ROW).map((i) => [i.rule.id ?? null, i.rule.name ?? null, i.event, i.at]);
      await this.db.query(`INSERT INTO correlation_feed (matches, written_at, read) VALUES ($1, $2, $3)`, [JSON.stringify(matches), this.clock.now(), counted]);
    }
  }

  /** Takes ownership when nobody holds it, then reads what other instances wrote. */
  async poll(): Promise<void> {
    if (!this.session) await this.claim();
    if (this.session) await this.read();
  }

  /** The owner's windows were emptied (the rules were reloaded): count the recent past again. */
  async replay(): Promise<void> {
    if (!this.session) return;
    await this.run(async (session) => {
      const since = new Date(this.clock.nowMs() - this.replaySpanMs());
      for (let after = '0'; ; ) {
        const rows = await session.query<FeedRow>(
          `UPDATE correlation_feed SET read = true WHERE id IN (SELECT id FROM correlation_feed WHERE written_at >= $1 AND id > $2 ORDER BY id LIMIT ${ROWS_PER_READ})
           RETURNING id::text, matches`,
          [since, after],
        );
        this.hand(rows);
        if (rows.length < ROWS_PER_READ) return;
        after = rows[rows.length - 1].id;
      }
    });
  }

  /** Forgets read rows older than anyone could replay. */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM correlation_feed WHERE read AND written_at < $1`, [new Date(this.clock.nowMs() - this.replaySpanMs() - KEEP_READ_MS)]);
  }

  async close(): Promise<void> {
    await this.reading?.catch(() => undefined);
    await this.session?.release().catch(() => undefined);
    this.session = undefined;
  }

  private async claim(): Promise<void> {
    const session = await this.db.session();
    try {
      if (!(await tryLockSession(session, LockId.CorrelationOwner))) return void (await session.release());
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }
    this.session = session;
    await this.replay();
  }

  /** Reads unread rows in the order they were written; concurrent calls share one pass and ask for one more. */
  private read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.run(async (session) => {
      do {
        this.again = false;
        // Marked read in the same statement: rows committed late by a slow writer are still unread
        // and come in the next pass (an id cursor would step over them).
        const rows = await session.query<FeedRow>(
          `UPDATE correlation_feed SET read = true WHERE id IN (SELECT id FROM correlation_feed WHERE NOT read ORDER BY id LIMIT ${ROWS_PER_READ})
           RETURNING id::text, matches`,
        );
        this.hand(rows);
        if (rows.length === ROWS_PER_READ) this.again = true;
      } while (this.again);
    }).finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Work on the owner's own connection: when it fails, ownership is given up for another instance to take. */
  private async run(work: (session: Session) => Promise<void>): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      await work(session);
    } catch (error) {
      this.session = undefined;
      await session.release().catch(() => undefined);
      throw error;
    }
  }

  private hand(rows: FeedRow[]): void {
    if (rows.length === 0) return;
    rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const inputs: CorrelationInput[] = [];
    for (const row of rows) {
      for (const [ruleId, ruleName, event, at] of JSON.parse(row.matches) as FeedMatch[]) inputs.push({ rule: { id: ruleId ?? undefined, name: ruleName ?? undefined }, event, at });
    }
    this.consume(inputs);
  }
}
