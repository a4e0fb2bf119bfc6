import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { StoredEvent } from '../events/index.js';
import { IngestService } from '../ingest/index.js';
import { Database } from '../database/index.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { Scheduler } from '../platform/index.js';
import { Clock } from '../shared/index.js';
import { AlertsService } from './alerts/alerts.service.js';
import { CorrelationFeed } from './correlation-feed.js';
import { actorsOf, type CorrelationInput, type RuleFiring } from './detection-engine.js';
import { ExceptionsService } from './exceptions.service.js';
import { RulePackService } from './rule-pack.service.js';

/**
 * Runs the rule pack on every stored batch and turns firings (its own and the scheduled rules')
 * into alerts. A listening service counts correlations through the shared feed (see
 * CorrelationFeed): one instance keeps the windows, and a restart, reload or hand-over replays the
 * recent past into them. CLI commands keep their windows in their own engine.
 */
@Injectable()
export class LiveDetection implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Detection');
  private recording: Promise<void> = Promise.resolve();
  /** Firings waiting for the alert write in flight; the next write takes them all. */
  private unrecorded: RuleFiring[] = [];
  private feed: CorrelationFeed | undefined;
  private feeding: Promise<void> = Promise.resolve();
  /** Matches waiting for the feed write in flight, in runs of one `counted` flag each. */
  private unfed: { inputs: CorrelationInput[]; counted: boolean }[] = [];
  private readonly alertFailures;
  private readonly feedFailures;
  private readonly evaluateSeconds;

  constructor(
    private readonly rules: RulePackService,
    private readonly alerts: AlertsService,
    private readonly ingest: IngestService,
    private readonly exceptions: ExceptionsService,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly db: Database,
    metrics: MetricsRegistry,
  ) {
    this.alertFailures = metrics.counter('taishi_alert_write_errors_total', 'Batches of rule firings that could not be written as alerts');
    this.feedFailures = metrics.counter('taishi_correlation_feed_errors_total', 'Batches of correlation matches that could not be written to (or read from) the shared feed');
    metrics.gauge('taishi_correlation_owner', '1 on the instance that keeps the correlation windows').track({}, () => (this.feed?.owner ? 1 : 0));
    this.evaluateSeconds = metrics.histogram('taishi_detection_batch_seconds', 'Rule evaluation time per batch', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1]);
  }

  async onModuleInit(): Promise<void> {
    this.ingest.onStored((events) => this.process(events));
    // New rules start with empty windows: the feed's recent past refills them.
    this.rules.onReplaced(async () => {
      await this.feed?.replay().catch((e: Error) => this.feedFailed(e));
    });
    if (this.scheduler.listening) {
      this.feed = new CorrelationFeed(this.db, this.clock, () => this.rules.engine?.longestTimespanMs ?? 0, (inputs) => this.record(inputs.flatMap((i) => this.rules.engine?.correlate(i) ?? [])));
      // The first instance up keeps the windows from the start; the others write to the feed.
      await this.feed.poll().catch((e: Error) => this.feedFailed(e));
      this.scheduler.every('correlation-feed', 1_000, () => this.feed?.poll().catch((e: Error) => this.feedFailed(e)));
      this.scheduler.once('correlation-feed-prune', 3_600_000, () => this.feed?.prune());
    }
    // Only the windows' keeper closes them.
    this.scheduler.every('correlation-windows', 30_000, () => (!this.feed || this.feed.owner) && this.record(this.rules.engine?.advance(this.clock.now()) ?? []));
  }

  // Before the database closes: pending alert writes (and the incidents they open) still need it.
  async beforeApplicationShutdown(): Promise<void> {
    for (const job of ['correlation-windows', 'correlation-feed', 'correlation-feed-prune']) this.scheduler.cancel(job);
    await this.feeding;
    await this.recording;
    await this.feed?.close();
  }

  process(events: StoredEvent[]): void {
    const engine = this.rules.engine;
    if (!engine) return;
    const started = process.hrtime.bigint();
    const feed = this.feed;
    // The windows' keeper counts its own matches at once, so a correlation fires in the batch that
    // completed it, as on a single instance; the others leave them to the keeper through the feed.
    const counted: CorrelationInput[] = [];
    const counting = feed?.owner ?? true;
    const kept = feed ? this.exceptions.fieldsCompared() : [];
    const firings = engine.evaluate(events, (input) => {
      // The feed stores what counting and alerting read of the event, not the whole event.
      if (feed) counted.push({ rule: input.rule, event: engine.feedEvent(input, kept), at: input.at });
      return counting ? engine.correlate(input) : [];
    });
    this.evaluateSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.record(firings);
    if (feed && counted.length) this.toFeed(feed, counted, counting);
  }

  /**
   * Feed writes run one after another, and batches that arrive while one is in flight go together
   * in the next: under load a write per batch cost a statement and a commit for every slice of a
   * journaled batch.
   */
  private toFeed(feed: CorrelationFeed, inputs: CorrelationInput[], counted: boolean): void {
    const queued = this.unfed.length > 0;
    const last = this.unfed.at(-1);
    if (last?.counted === counted) for (const input of inputs) last.inputs.push(input);
    else this.unfed.push({ inputs, counted });
    if (queued) return;
    this.feeding = this.feeding.then(async () => {
      const runs = this.unfed;
      this.unfed = [];
      for (const run of runs) await feed.write(run.inputs, run.counted).catch((e: Error) => this.feedFailed(e));
    });
  }

  private feedFailed(error: Error): void {
    this.feedFailures.inc();
    this.logger.error(`Correlation feed: ${error.message}`);
  }

  /**
   * Alert writes run one after another, so grouping sees every earlier firing; firings that come
   * while one is in flight are written together in the next, in the order they came.
   */
  record(firings: RuleFiring[]): void {
    if (!firings.length) return;
    const queued = this.unrecorded.length > 0;
    for (const firing of firings) this.unrecorded.push(firing);
    if (queued) return;
    this.recording = this.recording.then(() => {
      const taken = this.unrecorded;
      this.unrecorded = [];
      return this.writeAlerts(taken);
    });
  }

  private async writeAlerts(firings: RuleFiring[]): Promise<void> {
    try {
      const kept = await this.exceptions.filter(firings);
      await this.alerts.record(
        kept.map((f) => ({
          ruleId: f.ruleId,
          ruleTitle: f.title,
          ruleKind: f.kind,
          level: f.level,
          tags: f.tags,
          groupKey: f.groupKey,
          assetId: f.event.taishi?.asset_id,
          department: f.event.taishi?.department,
          eventIds: [f.event.event.id],
          actors: actorsOf(f),
          at: f.at,
        })),
      );
    } catch (error) {
      this.alertFailures.inc();
      this.logger.error(`Writing ${firings.length} rule firings as alerts failed: ${(error as Error).message}`);
    }
  }

  /** Resolves once every firing so far is written and this instance's matches are in the feed (tests and shutdown wait on it). */
  async settled(): Promise<void> {
    await this.feeding;
    await this.recording;
  }
}
