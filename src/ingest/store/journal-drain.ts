import type { Logger } from '@nestjs/common';
import { payloadRecords } from '../collectors/payload.js';
import type { BatchContext, RawRecord } from '../pipeline.js';
import { IngestJournal, type JournalBatch, type PayloadFormat } from './journal.js';

/** What a collector received, as it received it: what the journal keeps. */
export interface JournalPayload {
  format: PayloadFormat;
  bytes: Buffer;
  /** For `mqtt`: the topic, which may name the device. */
  topic?: string;
}

/** A batch as the collector handed it over, and as it is processed. */
export interface JournaledBatch {
  records: RawRecord[];
  context: BatchContext;
  collector: string;
}

/**
 * Journaled batches in hand at once: while some wait for the store, the next is parsed, and the
 * writer commits what is ready together.
 */
const CONCURRENCY = 16;
/** Records parsed in one turn of the event loop, so the thread is back for the senders within a few milliseconds. */
const SLICE = 250;
const RETRY_MS = 2000;

/**
 * Runs `each` over the records a slice at a time, one slice per turn of the event loop, and
 * answers the slices' results in order.
 */
export type InTurns = <T>(records: RawRecord[], each: (slice: RawRecord[]) => T) => Promise<T[]>;

/**
 * Takes batches into the journal and processes them from it, oldest first: those of this process
 * from memory, those a previous run left from disk. A batch leaves the journal once `store` has
 * made its events durable; a failure leaves it there and retries later.
 */
export class JournalDrain {
  private readonly inMemory = new Map<string, JournaledBatch>();
  private readonly taken = new Set<JournalBatch>();
  private draining: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private turns: Promise<void> = Promise.resolve();
  private roomWaiters: (() => void)[] = [];

  constructor(
    private readonly journal: IngestJournal,
    /**
     * Makes the batch's records durable. With `inTurns` they are parsed here, in slices, and
     * stored together: one large write and one detection pass cost the store and this thread
     * less than one per slice.
     */
    private readonly store: (batch: JournaledBatch, inTurns?: InTurns) => Promise<void>,
    /** Whether batches are processed whole (on worker threads) rather than here in slices. */
    private readonly whole: () => boolean,
    private readonly logger: Logger,
  ) {}

  /** Opens the journal and processes what a previous run left in it. */
  async start(): Promise<void> {
    await this.journal.open();
    if (this.journal.pendingRecords) this.logger.log(`Ingest journal holds ${this.journal.pendingRecords} records from before; processing them`);
    this.drain();
  }

  /** Resolves once the batch, as received, is durable in the journal. */
  async accept(batch: JournaledBatch, payload: JournalPayload): Promise<void> {
    const written = await this.journal.append({ collector: batch.collector, context: batch.context, payloadFormat: payload.format, records: batch.records.length, payload: payload.bytes, topic: payload.topic });
    this.inMemory.set(written.id, batch);
    this.drain();
  }

  /** Records acknowledged and not yet stored. */
  get pendingRecords(): number {
    return this.journal.pendingRecords;
  }

  /** Whether `records` more fit under `maxRecords` and the journal's disk allowance. */
  canAccept(records: number, maxRecords: number): boolean {
    return this.journal.canAccept(records, maxRecords);
  }

  /** Resolves when the next batch leaves the journal, for senders that wait for room instead of being refused. */
  room(): Promise<void> {
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** At shutdown: every batch processed, unless the store and spool refuse it (then it waits on disk for the next start). */
  async finish(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    for (;;) {
      await this.draining;
      if (this.retry || !this.journal.pendingBatches) break;
      this.drain();
    }
    if (this.retry) clearTimeout(this.retry);
    await this.journal.close();
  }

  private drain(): void {
    if (this.draining || this.retry) return;
    this.draining = Promise.all(Array.from({ length: CONCURRENCY }, () => this.lane()))
      .then(
        () => undefined,
        (error: Error) => {
          this.logger.warn(`Processing the ingest journal failed (${error.message}); retrying in ${RETRY_MS / 1000} s`);
          this.retry = setTimeout(() => ((this.retry = undefined), this.drain()), RETRY_MS);
        },
      )
      .finally(() => (this.draining = undefined));
  }

  private async lane(): Promise<void> {
    for (;;) {
      await this.turn();
      const next = this.journal.oldest((b) => this.taken.has(b));
      if (!next) return;
      this.taken.add(next);
      try {
        const batch = this.inMemory.get(next.id) ?? (await this.readBack(next));
        await this.store(batch, this.whole() ? undefined : this.inTurns);
        await this.journal.remove(next);
        this.inMemory.delete(next.id);
        for (const waiter of this.roomWaiters.splice(0)) waiter();
      } finally {
        this.taken.delete(next);
      }
    }
  }

  private readonly inTurns: InTurns = async (records, each) => {
    const results = [];
    for (let i = 0; i < records.length; i += SLICE) {
      if (i > 0) await this.turn();
      results.push(each(records.slice(i, i + SLICE)));
    }
    return results;
  };

  /**
   * One slice is parsed per turn of the event loop, and none while a journal write is in flight:
   * parsing holds this thread, and senders waiting for their 202 go first.
   */
  private turn(): Promise<void> {
    this.turns = this.turns.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await this.journal.written();
    });
    return this.turns;
  }

  private async readBack(written: JournalBatch): Promise<JournaledBatch> {
    const entry = await this.journal.read(written);
    return { records: payloadRecords(entry), context: entry.context, collector: entry.collector };
  }
}
