import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import path from 'node:path';
import { AssetsService } from '../assets/index.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import type { EventStore, StoredEvent } from '../events/index.js';
import { EVENT_STORE } from '../events/index.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { AssetIndex } from '../assets/index.js';
import { IngestPipeline, Occurrences, type BatchContext, type ProcessedBatch, type RawRecord } from './pipeline.js';
import { PipelinePool, WorkerLostError, type PooledBatch } from './pipeline-pool.js';
import { RecognitionTally, type ProgramRecognition } from './recognition/index.js';
import { ClassificationService } from '../classification/index.js';
import { EventWriter, OverloadedError } from './store/event-writer.js';
import { Spool } from './store/spool.js';
import { IngestJournal, JournalFullError, JournalUnwritableError } from './store/journal.js';
import { JournalDrain, type InTurns, type JournalPayload } from './store/journal-drain.js';
import { Scheduler } from '../platform/index.js';
import { Database } from '../database/index.js';
import { UnregisteredHosts, type UnregisteredHostView } from './unregistered-hosts.js';

export interface CollectorTotals {
  collector: string;
  received: number;
  parsed: number;
  raw: number;
  rejected: number;
  dropped: number;
  failed: number;
}

/** The live recognition report: a rolling day in hourly buckets; programs and shapes capped. */
const RECOGNITION_WINDOW = { bucketMs: 3_600_000, buckets: 24, maxPrograms: 500, maxShapes: 20 };
const RECOGNITION_TOP_SHAPES = 5;
/** Below this many records a batch is processed where it arrived: handing it to a worker would cost more than it saves. */
const WORKER_MIN_BATCH = 100;

export interface RecognitionReport {
  windowHours: number;
  /** Per source (collector, API key, file) and sending program, busiest first. */
  programs: ProgramRecognition[];
}

/**
 * The ingest front: every collector hands its records here. Parses and enriches them, then
 * returns once the writer has made them durable, so a collector's acknowledgement is honest.
 */
@Injectable()
export class IngestService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private index = new AssetIndex([]);
  private indexStale = true;
  private reloading: Promise<void> | undefined;
  private readonly pipeline: IngestPipeline;
  private readonly pool: PipelinePool | undefined;
  readonly writer: EventWriter;
  private readonly unregistered: UnregisteredHosts;
  private readonly storedListeners: ((events: StoredEvent[]) => void)[] = [];
  private readonly recognition = new RecognitionTally(RECOGNITION_WINDOW);
  private readonly received;
  private readonly parsed;
  private readonly raw;
  private readonly rejected;
  private readonly dropped;
  private readonly failed;
  /** With TAISHI_INGEST_ACK=journal: HTTP batches and MQTT messages acknowledged once journaled, processed after. */
  private readonly journal: JournalDrain | undefined;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    db: Database,
    private readonly assets: AssetsService,
    private readonly classification: ClassificationService,
    private readonly scheduler: Scheduler,
    metrics: MetricsRegistry,
  ) {
    this.unregistered = new UnregisteredHosts(db);
    this.pipeline = new IngestPipeline(() => this.index, () => classification.privacy());
    if (settings.TAISHI_INGEST_WORKERS > 0) {
      this.pool = new PipelinePool(settings.TAISHI_INGEST_WORKERS, { prepare: store.kind === 'postgres', onLost: (error) => this.logger.warn(`${error.message}; its batches are processed on the main thread`) });
    }
    const spool = new Spool(path.resolve(settings.TAISHI_DATA_DIR, 'spool'), settings.TAISHI_SPOOL_MAX_BYTES);
    if (settings.TAISHI_INGEST_ACK === 'journal') {
      const journal = new IngestJournal(path.resolve(settings.TAISHI_DATA_DIR, 'journal'), settings.TAISHI_SPOOL_MAX_BYTES);
      const store = (batch: { records: RawRecord[]; context: BatchContext; collector: string }, inTurns?: InTurns) => this.store(batch.records, batch.context, batch.collector, { waitForRoom: true, inTurns });
      this.journal = new JournalDrain(journal, store, () => !!this.pool?.available, this.logger);
    }
    this.writer = new EventWriter(store, spool, { maxQueuedEvents: settings.TAISHI_INGEST_QUEUE_EVENTS, maxBatch: settings.TAISHI_INGEST_BATCH, retryIntervalMs: 2000 }, metrics);
    this.received = metrics.counter('taishi_ingest_received_total', 'Records received, per collector');
    this.parsed = metrics.counter('taishi_ingest_parsed_total', 'Records parsed to a known event type, per collector');
    this.raw = metrics.counter('taishi_ingest_raw_total', 'Records of unknown format, stored as raw messages, per collector');
    this.rejected = metrics.counter('taishi_ingest_rejected_total', 'Records refused as invalid (reported to the sender), per collector');
    this.dropped = metrics.counter('taishi_ingest_dropped_total', 'Records not taken because the service was overloaded, per collector');
    this.failed = metrics.counter('taishi_ingest_failed_total', 'Records that could be stored neither in the store nor in the spool, per collector');
    metrics.gauge('taishi_journal_pending_events', 'Records acknowledged from the ingest journal and not yet stored (TAISHI_INGEST_ACK=journal)').track({}, () => this.journal?.pendingRecords ?? 0);
    metrics.gauge('taishi_ingest_worker_batches', 'Batches being parsed, enriched and masked on worker threads').track({}, () => this.pool?.busy ?? 0);
    const perProgram = (value: (p: ProgramRecognition) => number) => () => this.recognitionReport().programs.map((p) => ({ labels: { source: p.source, program: p.program }, value: value(p) }));
    metrics.observedCounter('taishi_ingest_program_lines_total', 'Lines received, per source and sending program').trackAll(perProgram((p) => p.totalLines));
    metrics.observedCounter('taishi_ingest_program_recognised_total', 'Lines parsed to a known event action, per source and sending program').trackAll(perProgram((p) => p.totalRecognised));
    metrics.gauge('taishi_ingest_program_recognised_ratio', 'Share of the last 24 hours of lines parsed to a known event action (1 with no lines), per source and sending program').trackAll(perProgram((p) => p.share));
  }

  async onModuleInit(): Promise<void> {
    // Changes made here and, through the asset-change listener, by other instances and CLI commands.
    this.assets.changes.on('changed', () => (this.indexStale = true));
    await this.reloadAssets();
    this.pool?.start();
    await this.writer.start();
    await this.journal?.start();
    this.scheduler.every('unregistered-hosts', 5_000, () => this.unregistered.flush());
  }

  // Before the database closes: the last batch and the host sightings are still to be written.
  async beforeApplicationShutdown(): Promise<void> {
    this.scheduler.cancel('unregistered-hosts');
    await this.journal?.finish();
    await this.writer.stop();
    await this.pool?.close();
    await this.unregistered.flush().catch(() => undefined);
  }

  private async reloadAssets(): Promise<void> {
    this.indexStale = false;
    const entries = await this.assets.indexEntries();
    this.index = new AssetIndex(entries);
    this.pool?.setAssets(entries);
  }

  /** Reloads the asset index first when the registry changed since it was built. */
  private async currentIndex(): Promise<void> {
    if (this.indexStale) await (this.reloading ??= this.reloadAssets().finally(() => (this.reloading = undefined)));
  }

  /** Counts records a collector refused itself (bad JSON lines and the like). */
  noteRejected(collector: string, count: number): void {
    this.received.inc({ collector }, count);
    this.rejected.inc({ collector }, count);
  }

  /** Counts records a collector could not take because ingest was saturated (UDP). */
  noteDropped(collector: string, count: number): void {
    this.received.inc({ collector }, count);
    this.dropped.inc({ collector }, count);
  }

  /** Running totals per collector since this process started, for the situation view. */
  collectorTotals(): CollectorTotals[] {
    const byCollector = new Map<string, CollectorTotals>();
    const counters = { received: this.received, parsed: this.parsed, raw: this.raw, rejected: this.rejected, dropped: this.dropped, failed: this.failed };
    for (const [field, counter] of Object.entries(counters) as [Exclude<keyof CollectorTotals, 'collector'>, typeof this.received][]) {
      for (const { labels, value } of counter.entries()) {
        const collector = labels.collector ?? 'unknown';
        const totals = byCollector.get(collector) ?? { collector, received: 0, parsed: 0, raw: 0, rejected: 0, dropped: 0, failed: 0 };
        totals[field] += value;
        byCollector.set(collector, totals);
      }
    }
    return [...byCollector.values()].sort((a, b) => a.collector.localeCompare(b.collector));
  }

  /**
   * What the pipeline makes of these records (parsing, asset enrichment, personal-data masking)
   * without storing them, counting them or noting unregistered hosts: rule tests run on this.
   */
  async preview(records: RawRecord[], context: BatchContext): Promise<StoredEvent[]> {
    await this.currentIndex();
    return this.pipeline.process(records, context, []);
  }

  /** Called with every batch once it is durable, without the events stored before (detection subscribes here). */
  onStored(listener: (events: StoredEvent[]) => void): void {
    this.storedListeners.push(listener);
  }

  /** What the situation view shows of the write path; `journaled` is null unless TAISHI_INGEST_ACK=journal. */
  health(): ReturnType<EventWriter['health']> & { journaled: number | null } {
    return { ...this.writer.health(), journaled: this.journal ? this.journal.pendingRecords : null };
  }

  /** No journaled batch waits to be stored and the writer's queue is empty. */
  get idle(): boolean {
    return !this.journal?.pendingRecords && this.writer.depth === 0;
  }

  canAccept(count: number): boolean {
    return this.journal ? this.journal.canAccept(count, this.settings.TAISHI_INGEST_QUEUE_EVENTS) : this.writer.canAccept(count);
  }

  /** The most events one batch may carry: a batch larger than the whole queue could never be admitted. */
  get maxBatchEvents(): number {
    return this.writer.health().capacity;
  }

  /**
   * Resolves once the events are durable. When ingest is saturated it rejects with
   * OverloadedError, or with `waitForRoom` waits (for collectors that hold their senders back).
   *
   * A collector that passes the batch's `payload` as it arrived lets the journal (when
   * TAISHI_INGEST_ACK=journal) take it: then this resolves once the payload is durable there, and
   * the events are processed and stored shortly after.
   */
  async ingest(records: RawRecord[], context: BatchContext, collector: string, options: { waitForRoom?: boolean; payload?: JournalPayload } = {}): Promise<void> {
    if (this.journal && options.payload) return this.acknowledge(records, context, collector, options.payload, options.waitForRoom);
    if (!options.waitForRoom && !this.writer.canAccept(records.length)) {
      this.noteDropped(collector, records.length);
      throw new OverloadedError(5);
    }
    this.received.inc({ collector }, records.length);
    return this.store(records, context, collector, options);
  }

  private async acknowledge(records: RawRecord[], context: BatchContext, collector: string, payload: JournalPayload, waitForRoom = false): Promise<void> {
    while (!this.canAccept(records.length)) {
      if (!waitForRoom) {
        this.noteDropped(collector, records.length);
        throw new OverloadedError(5);
      }
      await this.journal!.room();
    }
    this.received.inc({ collector }, records.length);
    try {
      await this.journal!.accept({ records, context, collector }, payload);
    } catch (error) {
      if (error instanceof JournalFullError) {
        this.dropped.inc({ collector }, records.length);
        throw new OverloadedError(5);
      }
      this.failed.inc({ collector }, records.length);
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.logger.warn(`The ingest journal could not write a batch of ${records.length} (${reason}); its sender is told to retry`);
      throw new JournalUnwritableError(reason, 5);
    }
  }

  /**
   * `inTurns`: parse here, a slice per turn of the event loop (the journal's drain, which shares
   * this thread with the senders).
   *
   * The records are parsed first and the events written by `submit`, which is returned rather than
   * awaited: a suspended async function keeps its parameters alive, dead or not, so awaiting the
   * store here (or in `ingest`) would keep every in-flight batch's parsed lines in the heap until
   * stored, and each young-generation collection would copy them again.
   */
  private async store(records: RawRecord[], context: BatchContext, collector: string, options: { waitForRoom?: boolean; inTurns?: InTurns }): Promise<void> {
    await this.currentIndex();
    const processed: PooledBatch = options.inTurns ? await this.processInTurns(records, context, options.inTurns) : await this.process(records, context);
    return this.submit(processed, context, collector, options.waitForRoom);
  }

  private async submit({ events, unmatched, pii, recognition, prepared }: PooledBatch, context: BatchContext, collector: string, waitForRoom?: boolean): Promise<void> {
    const now = Date.now();
    for (const line of recognition) this.recognition.count(context.source, line, now);
    this.unregistered.note(unmatched);
    if (pii.length) this.classification.note(pii);
    let known = 0;
    for (const e of events) if (e.event.action !== 'unknown') known++;
    this.parsed.inc({ collector }, known);
    this.raw.inc({ collector }, events.length - known);
    let fresh: StoredEvent[];
    try {
      fresh = await this.writer.submit(events, { waitForRoom, prepared });
    } catch (error) {
      // HTTP callers get the error and retry; for syslog this counter is the only trace.
      if (error instanceof OverloadedError) this.dropped.inc({ collector }, events.length);
      else this.failed.inc({ collector }, events.length);
      throw error;
    }
    // a retried or replayed batch: what was stored before was detected then
    if (fresh.length) for (const listener of this.storedListeners) listener(fresh);
  }

  /** Large batches on a worker thread; small ones, those that come while the workers start, and any a dying worker took with it, here. */
  private async process(records: RawRecord[], context: BatchContext): Promise<PooledBatch> {
    if (this.pool?.available && records.length >= WORKER_MIN_BATCH) {
      try {
        return await this.pool.process(records, context, this.classification.privacy());
      } catch (error) {
        if (!(error instanceof WorkerLostError)) throw error;
      }
    }
    return this.pipeline.run(records, context);
  }

  private async processInTurns(records: RawRecord[], context: BatchContext, inTurns: InTurns): Promise<ProcessedBatch> {
    // Shared by the slices, so the ids are those the whole batch gets when processed at once.
    const occurrences = new Occurrences();
    const slices = await inTurns(records, (slice) => this.pipeline.run(slice, context, occurrences));
    if (slices.length === 1) return slices[0];
    const whole: ProcessedBatch = { events: [], unmatched: [], pii: [], recognition: [] };
    for (const slice of slices) {
      for (const e of slice.events) whole.events.push(e);
      for (const u of slice.unmatched) whole.unmatched.push(u);
      for (const p of slice.pii) whole.pii.push(p);
      for (const r of slice.recognition) whole.recognition.push(r);
    }
    return whole;
  }

  /** Per source and sending program: the share of lines read over the last day, and the shapes of the rest (personal data masked). */
  recognitionReport(): RecognitionReport {
    return { windowHours: (RECOGNITION_WINDOW.bucketMs * RECOGNITION_WINDOW.buckets) / 3_600_000, programs: this.recognition.report(Date.now(), RECOGNITION_TOP_SHAPES) };
  }

  /** Hosts seen in logs that match no registered asset (re-checked now: one may have been registered since). */
  async unregisteredHosts(): Promise<UnregisteredHostView[]> {
    if (this.indexStale) await this.reloadAssets();
    return this.unregistered.list((kind, address) => !!(kind === 'ip' ? this.index.byIp(address) : this.index.byName(address)));
  }
}
