import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Database } from '../database/index.js';
import { departmentScope, type Principal } from '../shared/principal.js';
import { ClassificationService } from '../classification/index.js';
import { RulePackService } from '../detection/index.js';
import { IngestService, type CollectorTotals } from '../ingest/index.js';
import { bucketStarts, RANGES, type RangeName } from './buckets.js';
import { ALERT_LEVELS, assetRisk, posture, postureReasons, type PostureReason } from './posture.js';
import type { SituationProvider, SituationScope } from './provider.js';
import { SituationRepository } from './situation.repository.js';
import { Scheduler } from '../platform/index.js';
import { Clock } from '../shared/index.js';

const SAMPLE_MS = 15_000;
const INGEST_WINDOW_MS = 60 * 60_000;
const TOP_ASSETS = 10;

interface Sample {
  at: number;
  totals: Map<string, CollectorTotals>;
}

type LevelCounts = Record<string, number>;

/**
 * One read-only picture of the city's security for the console's situation page: a posture score
 * with its reasons, alerts over time by level, the assets most at risk, and the health of ingest.
 * Other modules add sections (incidents, compliance, clocks) through SituationProvider.
 */
@Injectable()
export class SituationService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Situation');
  private readonly providers = new Map<string, SituationProvider>();
  /** Ingest counters sampled every 15 s over the last hour: rates come from their differences. */
  private samples: Sample[] = [];
  private readonly reads = new SituationRepository();

  constructor(
    private readonly db: Database,
    private readonly ingest: IngestService,
    private readonly rules: RulePackService,
    private readonly classification: ClassificationService,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.sample();
    this.scheduler.every('situation-sample', SAMPLE_MS, () => this.sample());
  }

  onApplicationShutdown(): void {
    this.scheduler.cancel('situation-sample');
  }

  register(provider: SituationProvider): void {
    if (this.providers.has(provider.key)) throw new Error(`A situation section "${provider.key}" is already registered`);
    this.providers.set(provider.key, provider);
  }

  private sample(now = this.clock.nowMs()): void {
    this.samples.push({ at: now, totals: new Map(this.ingest.collectorTotals().map((t) => [t.collector, t])) });
    while (this.samples.length > 2 && this.samples[1].at < now - INGEST_WINDOW_MS) this.samples.shift();
  }

  async situation(principal: Principal, range: RangeName, timeZone: string) {
    const now = this.clock.nowMs();
    const department = departmentScope(principal);
    const starts = bucketStarts(range, timeZone, now);
    const from = new Date(starts[0]);
    const to = new Date(now);
    // Owners see their department's alerts; the service-wide parts are for the security staff.
    const seesService = department === undefined;
    const [openByLevel, timeline, assets, drift, unregistered] = await Promise.all([
      this.openAlerts(department),
      this.alertTimeline(department, starts, RANGES[range].bucketMs),
      this.assetsAtRisk(department),
      this.classification.findings(principal),
      seesService ? this.ingest.unregisteredHosts() : Promise.resolve(undefined),
    ]);
    const ingest = seesService ? this.ingestView(now) : null;
    const scope: SituationScope = { principal, department, from, to, timeZone };
    const sections: Record<string, unknown> = {};
    const contributed: PostureReason[] = [];
    for (const provider of this.providers.values()) {
      try {
        const part = await provider.contribute(scope);
        if (!part) continue;
        sections[provider.key] = part.data;
        contributed.push(...(part.reasons ?? []));
      } catch (error) {
        // One broken section must not take the whole picture down; the console shows it as unavailable.
        this.logger.error(`Situation section ${provider.key} failed: ${(error as Error).message}`);
        sections[provider.key] = { error: 'unavailable' };
      }
    }
    const reasons = postureReasons({
      openAlerts: openByLevel,
      ingest: ingest ? { dropped: ingest.window.dropped, failed: ingest.window.failed, storeUp: ingest.writer.storeUp, spooled: ingest.writer.spooled } : undefined,
      unregisteredHosts: unregistered?.length,
      ruleProblems: seesService ? this.rules.status().errors.length : undefined,
      classificationDrift: drift.length,
    });
    return {
      generatedAt: new Date(now).toISOString(),
      range,
      timeZone,
      department: department ?? null,
      posture: posture([...reasons, ...contributed]),
      alerts: {
        openByLevel,
        timeline: { bucketMs: RANGES[range].bucketMs, starts: starts.map((s) => new Date(s).toISOString()), levels: timeline },
      },
      topAssets: assets.top,
      unattributedOpenAlerts: assets.unattributed,
      unregisteredHosts: unregistered?.length ?? null,
      classificationFindings: drift.length,
      ingest,
      sections,
    };
  }

  private async openAlerts(department: string | undefined): Promise<LevelCounts> {
    const rows = await this.reads.openAlertsByLevel(this.db, department);
    const counts: LevelCounts = Object.fromEntries(ALERT_LEVELS.map((l) => [l, 0]));
    for (const r of rows) counts[r.level] = r.n;
    return counts;
  }

  /** New alerts per bucket and level, by when they were first seen. */
  private async alertTimeline(department: string | undefined, starts: number[], bucketMs: number): Promise<Record<string, number[]>> {
    const rows = await this.reads.newAlertsPerBucket(this.db, department, new Date(starts[0]), bucketMs);
    const levels: Record<string, number[]> = Object.fromEntries(ALERT_LEVELS.map((l) => [l, starts.map(() => 0)]));
    for (const r of rows) if (r.i >= 0 && r.i < starts.length) (levels[r.level] ??= starts.map(() => 0))[r.i] += r.n;
    return levels;
  }

  private async assetsAtRisk(department: string | undefined) {
    const rows = await this.reads.openAlertsPerAsset(this.db, department);
    let unattributed = 0;
    const byAsset = new Map<string, { assetId: string; name: string; department: string; criticality: string; openByLevel: LevelCounts }>();
    for (const r of rows) {
      // Alerts whose asset was deleted since count as unattributed too.
      if (!r.asset_id || !r.name) {
        unattributed += r.n;
        continue;
      }
      const entry = byAsset.get(r.asset_id) ?? { assetId: r.asset_id, name: r.name, department: r.department!, criticality: r.criticality!, openByLevel: {} };
      entry.openByLevel[r.level] = (entry.openByLevel[r.level] ?? 0) + r.n;
      byAsset.set(r.asset_id, entry);
    }
    const top = [...byAsset.values()]
      .map((a) => ({ ...a, risk: assetRisk(a.openByLevel, a.criticality) }))
      .sort((a, b) => b.risk - a.risk || a.name.localeCompare(b.name))
      .slice(0, TOP_ASSETS);
    return { top, unattributed };
  }

  /** Per collector: totals since start, events per minute over the last hour, and the write path's state. */
  private ingestView(now: number) {
    const current: Sample = { at: now, totals: new Map(this.ingest.collectorTotals().map((t) => [t.collector, t])) };
    const points = [...this.samples.filter((s) => s.at < now - 1000), current];
    const oldest = points[0];
    const collectors = [...current.totals.values()].map((totals) => {
      const series = points.slice(1).map((p, i) => {
        const before = points[i].totals.get(totals.collector);
        const after = p.totals.get(totals.collector);
        const minutes = (p.at - points[i].at) / 60_000;
        const delta = (field: 'received' | 'dropped') => Math.max(0, (after?.[field] ?? 0) - (before?.[field] ?? 0)) / minutes;
        return { at: new Date(p.at).toISOString(), receivedPerMinute: Math.round(delta('received') * 10) / 10, droppedPerMinute: Math.round(delta('dropped') * 10) / 10 };
      });
      return { ...totals, series };
    });
    const windowed = (field: 'dropped' | 'failed') =>
      [...current.totals.values()].reduce((sum, t) => sum + t[field] - (oldest.totals.get(t.collector)?.[field] ?? 0), 0);
    return {
      windowMinutes: Math.round((now - oldest.at) / 60_000),
      window: { dropped: windowed('dropped'), failed: windowed('failed') },
      collectors,
      writer: this.ingest.health(),
    };
  }
}
