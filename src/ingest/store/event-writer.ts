import { Logger } from '@nestjs/common';
import type { EventStore, PreparedWrite, StoredEvent } from '../../events/index.js';
import type { MetricsRegistry } from '../../shared/metrics.js';
import { Spool } from './spool.js';

export class OverloadedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Ingest queue is full; retry later');
  }
}

interface Pending {
  events: StoredEvent[];
  prepared?: PreparedWrite;
  resolve(fresh: StoredEvent[]): void;
  reject(error: unknown): void;
}

export interface WriterOptions {
  /** Events held in memory at most; beyond it submissions are refused (HTTP 503, TCP pauses, UDP drops). */
  maxQueuedEvents: number;
  /** Events per store write. */
  maxBatch: number;
  /** How often to retry the store while events wait in the spool. */
  retryIntervalMs: number;
}

/**
 * The one way events reach the store. Collectors submit batches; a submission resolves only when
 * its events are durable, in the store or in the on-disk spool, so an acknowledgement is never a
 * promise the service cannot keep. Concurrent submissions are written together (group commit).
 * A submission resolves with its events that the store had not seen before (all of them when
 * they went to the spool), so a retried or replayed batch is stored and detected once.
 */
export class EventWriter {
  private readonly logger = new Logger('EventWriter');
  private queue: Pending[] = [];
  private queued = 0;
  /** Submissions that wait for room instead of being refused (paused TCP senders, unacknowledged MQTT). */
  private readonly waiting: Pending[] = [];
  private flushing = false;
  private storeUp = true;
  private draining: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly drainListeners: (() => void)[] = [];
  private readonly written;
  private readonly duplicates;
  private readonly spooled;
  private readonly storeErrors;
  private readonly writeSeconds;

  constructor(
    private readonly store: EventStore,
    private readonly spool: Spool,
    private readonly options: WriterOptions,
    metrics: MetricsRegistry,
  ) {
    this.written = metrics.counter('taishi_store_events_written_total', 'Events newly stored');
    this.duplicates = metrics.counter('taishi_store_events_duplicate_total', 'Events whose id was already stored (retries, replays)');
    this.spooled = metrics.counter('taishi_spool_events_total', 'Events written to the on-disk spool while the store was unavailable');
    this.storeErrors = metrics.counter('taishi_store_write_errors_total', 'Failed store writes');
    this.writeSeconds = metrics.histogram('taishi_store_write_seconds', 'Store write latency per batch', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    metrics.gauge('taishi_ingest_queue_events', 'Events accepted and waiting for the store').track({}, () => this.queued);
    metrics.gauge('taishi_spool_pending_events', 'Events in the on-disk spool waiting for the store').track({}, () => this.spool.pendingEvents);
    metrics.gauge('taishi_store_up', '1 when the event store accepts writes').track({ store: store.kind }, () => (this.storeUp ? 1 : 0));
  }

  /** Drains what a previous run left in the spool. */
  async start(): Promise<void> {
    await this.spool.open();
    if (!this.spool.empty) {
      this.logger.log(`Spool holds ${this.spool.pendingEvents} events from before; draining`);
      this.scheduleDrain(0);
    }
  }

  get depth(): number {
    return this.queued;
  }

  /** What the situation view shows of the write path: queue, spool backlog, store reachable. */
  health(): { queued: number; capacity: number; spooled: number; storeUp: boolean } {
    return { queued: this.queued, capacity: this.options.maxQueuedEvents, spooled: this.spool.pendingEvents, storeUp: this.storeUp };
  }

  saturated(): boolean {
    return this.queued >= this.options.maxQueuedEvents * 0.8;
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  canAccept(count: number): boolean {
    return this.queued + count <= this.options.maxQueuedEvents;
  }

  /**
   * Queues the events; resolves once they are durable, with those of them the store had not seen
   * before. When the queue is full it refuses them (OverloadedError), or with `waitForRoom` holds
   * them until there is room: for senders that are already being held back and whose lines must
   * not be lost.
   */
  submit(events: StoredEvent[], options: { waitForRoom?: boolean; prepared?: PreparedWrite } = {}): Promise<StoredEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    const fits = this.canAccept(events.length) && this.waiting.length === 0;
    if (!fits && !options.waitForRoom) return Promise.reject(new OverloadedError(5));
    return new Promise<StoredEvent[]>((resolve, reject) => {
      const pending = { events, prepared: options.prepared, resolve, reject };
      if (fits) return this.enqueue(pending);
      this.waiting.push(pending);
      this.admitWaiting();
    });
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    this.queued += pending.events.length;
    void this.flush();
  }

  /** In arrival order; one larger than the whole queue goes in alone. */
  private admitWaiting(): void {
    while (this.waiting.length && (this.queued === 0 || this.canAccept(this.waiting[0].events.length))) this.enqueue(this.waiting.shift()!);
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length) {
        const taken: Pending[] = [];
        let count = 0;
        while (this.queue.length && (count === 0 || count + this.queue[0].events.length <= this.options.maxBatch)) {
          const next = this.queue.shift()!;
          taken.push(next);
          count += next.events.length;
        }
        const batch = taken.length === 1 ? taken[0].events : taken.flatMap((p) => p.events);
        try {
          const repeated = await this.persist(batch, preparedTogether(taken));
          for (const p of taken) p.resolve(withoutRepeated(p.events, repeated));
        } catch (error) {
          for (const p of taken) p.reject(error);
        } finally {
          this.queued -= count;
          this.admitWaiting();
          if (!this.saturated()) for (const listener of this.drainListeners) listener();
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Store first; on failure (or while the spool is still draining) into the spool. Answers how
   * often each id the store had already seen came again (nothing for the spool, which cannot tell).
   */
  private async persist(batch: StoredEvent[], prepared: PreparedWrite | undefined): Promise<Map<string, number>> {
    if (this.storeUp && this.spool.empty) {
      const started = process.hrtime.bigint();
      try {
        const result = await this.store.write(batch, prepared);
        this.writeSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9, { store: this.store.kind });
        this.written.inc({ store: this.store.kind }, result.written);
        this.duplicates.inc({ store: this.store.kind }, result.duplicateIds.length);
        return counted(result.duplicateIds);
      } catch (error) {
        this.storeErrors.inc({ store: this.store.kind });
        this.storeUp = false;
        this.logger.warn(`Event store write failed (${(error as Error).message}); spooling to disk until it returns`);
      }
    }
    await this.spool.append(batch);
    this.spooled.inc({}, batch.length);
    this.scheduleDrain(this.options.retryIntervalMs);
    return new Map();
  }

  private scheduleDrain(delayMs: number): void {
    if (this.retryTimer || this.draining) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.draining = this.drainSpool().finally(() => (this.draining = undefined));
    }, delayMs);
  }

  private async drainSpool(): Promise<void> {
    if (!(await this.store.ping())) return this.scheduleDrain(this.options.retryIntervalMs);
    try {
      for (let segment = await this.spool.oldest(); segment; segment = await this.spool.oldest()) {
        for (let i = 0; i < segment.events.length; i += this.options.maxBatch) {
          const result = await this.store.write(segment.events.slice(i, i + this.options.maxBatch));
          this.written.inc({ store: this.store.kind }, result.written);
          this.duplicates.inc({ store: this.store.kind }, result.duplicateIds.length);
        }
        await segment.remove();
      }
      this.storeUp = true;
      this.logger.log('Event store reachable again; spool drained');
    } catch (error) {
      this.storeErrors.inc({ store: this.store.kind });
      this.logger.warn(`Draining the spool failed (${(error as Error).message}); retrying`);
      this.scheduleDrain(this.options.retryIntervalMs);
    }
  }

  /** Writes out everything accepted, then stops retrying (the spool keeps what is left). */
  async stop(): Promise<void> {
    while (this.queue.length || this.waiting.length || this.flushing) await new Promise((r) => setTimeout(r, 10));
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.draining;
  }
}

/** The submissions' prepared writes as one, when every one of them came prepared. */
function preparedTogether(taken: Pending[]): PreparedWrite | undefined {
  if (!taken.every((p) => p.prepared)) return undefined;
  if (taken.length === 1) return taken[0].prepared;
  const together: PreparedWrite = { kind: 'postgres', rows: [], filed: [] };
  for (const { prepared } of taken) {
    together.rows.push(...prepared!.rows);
    for (const ts of prepared!.filed) together.filed.push(ts);
  }
  return together;
}

function counted(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/**
 * The events but the repeated ones, taking each repeat off `repeated` as it is found: submissions
 * written together share one count, and an id a batch holds twice, stored once, is one repeat.
 * Which copy counts as the repeat does not matter: the copies are the same event.
 */
function withoutRepeated(events: StoredEvent[], repeated: Map<string, number>): StoredEvent[] {
  if (repeated.size === 0) return events;
  const fresh: StoredEvent[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const id = events[i].event.id;
    const n = repeated.get(id);
    if (n) repeated.set(id, n - 1);
    else fresh.push(events[i]);
  }
  return fresh.reverse();
}
