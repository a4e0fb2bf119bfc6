import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { departmentScope, type Principal } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { privacyHook, type PiiSighting, type PrivacyHook } from './privacy.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { HyperLogLog, PeopleCounter, PII_TYPES, type MaskingPolicy, type PeopleEstimate, type PiiType } from './detectors/index.js';
import { Database, LockId, lockForTransaction } from '../database/index.js';
import { ClassificationRepository, type StoredSketch } from './classification.repository.js';
import { Scheduler } from '../platform/index.js';

/** How often people sketches are written; a crash loses at most this much counting. */
const SKETCH_FLUSH_MS = 60_000;

interface Drift {
  assetId: string;
  kind: 'personal_on_none' | 'sensitive_on_personal';
  department: string;
  declared: string;
  first: Date;
  last: Date;
  count: number;
  types: Set<string>;
  samples: Set<string>;
}

/**
 * Personal data in events: masked before anything is stored (with a keyed hash kept for
 * correlation), counted per asset, and compared with what the asset's owner declared. An asset
 * declared as holding no personal data whose logs carry some, or only personal data whose logs
 * carry sensitive personal data, becomes a drift finding with counts and masked samples.
 */
@Injectable()
export class ClassificationService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Classification');
  private hook: PrivacyHook | undefined;
  private drift = new Map<string, Drift>();
  readonly people = new PeopleCounter();
  private readonly found;
  private readonly stored = new ClassificationRepository();

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly db: Database,
    private readonly scheduler: Scheduler,
    metrics: MetricsRegistry,
  ) {
    this.found = metrics.counter('taishi_pii_findings_total', 'Personal data found in events, per type');
  }

  async onModuleInit(): Promise<void> {
    const key = this.settings.TAISHI_PII_KEY ?? (await this.storedKey());
    const action = this.settings.TAISHI_PII_MASKING;
    const policy = Object.fromEntries(PII_TYPES.map((t) => [t, action])) as MaskingPolicy;
    this.hook = privacyHook(key, policy);
    await this.loadSketches();
    this.scheduler.every('classification-drift', 5_000, () => this.flush());
    this.scheduler.every('people-sketches', SKETCH_FLUSH_MS, () => this.flushSketches());
  }

  /** Before, not on, shutdown: by then the database connection is already closed. */
  async beforeApplicationShutdown(): Promise<void> {
    this.scheduler.cancel('classification-drift');
    this.scheduler.cancel('people-sketches');
    await this.flush().catch(() => undefined);
    await this.flushSketches().catch((e: Error) => this.logger.warn(`Saving people sketches failed: ${e.message}`));
  }

  /** The distinct-people counts kept before a restart (and by other instances) count on here. */
  private async loadSketches(): Promise<void> {
    for (const row of await this.stored.sketches(this.db)) this.mergeStored(row);
  }

  private mergeStored(row: StoredSketch): void {
    try {
      this.people.merge(row.asset_id, row.identifier, HyperLogLog.fromBuffer(row.registers));
    } catch (error) {
      // A sketch of another precision cannot be folded in; it is replaced at the next save.
      this.logger.warn(`People sketch of asset ${row.asset_id} (${row.identifier}) not loaded: ${(error as Error).message}`);
    }
  }

  /**
   * Writes the sketches fed since the last save. Under a lock shared by every instance, the stored
   * sketch is merged into this one before it is written back, so no instance's counting is lost.
   */
  async flushSketches(): Promise<void> {
    const changed = this.people.takeChanged();
    if (changed.length === 0) return;
    try {
      await this.db.transaction(async (tx) => {
        await lockForTransaction(tx, LockId.ClassificationSketches);
        for (const row of await this.stored.sketchesOf(tx, changed.map((c) => `${c.assetId}|${c.type}`))) this.mergeStored(row);
        await this.stored.saveSketches(tx, changed.map((c) => ({ asset_id: c.assetId, identifier: c.type, registers: this.people.sketch(c.assetId, c.type).toBase64() })));
      });
    } catch (error) {
      this.people.markChanged(changed);
      throw error;
    }
  }

  /** The installation's key: generated once and kept in the database, so every instance shares it. */
  private async storedKey(): Promise<string> {
    return this.stored.piiKey(this.db, randomBytes(32).toString('base64url'));
  }

  privacy(): PrivacyHook | undefined {
    return this.hook;
  }

  note(sightings: PiiSighting[]): void {
    for (const s of sightings) {
      for (const f of s.findings) this.found.inc({ type: f.type });
      if (!s.assetId) continue;
      this.people.observe(s.assetId, s.findings as { type: PiiType; hash: string }[]);
      const sensitive = s.findings.some((f) => f.sensitive);
      const kind = s.declared === 'none' ? 'personal_on_none' : s.declared === 'personal' && sensitive ? 'sensitive_on_personal' : undefined;
      if (!kind) continue;
      const key = `${s.assetId}|${kind}`;
      const d = this.drift.get(key) ?? { assetId: s.assetId, kind, department: s.department ?? '', declared: s.declared!, first: s.at, last: s.at, count: 0, types: new Set(), samples: new Set() };
      d.count++;
      if (s.at > d.last) d.last = s.at;
      for (const f of s.findings) {
        d.types.add(f.type);
        if (d.samples.size < 5) d.samples.add(`${f.type}: ${f.masked}`);
      }
      this.drift.set(key, d);
    }
  }

  private async flush(): Promise<void> {
    if (this.drift.size === 0) return;
    const batch = [...this.drift.values()];
    this.drift = new Map();
    await this.stored.mergeFindings(
      this.db,
      batch.map((d) => ({ asset_id: d.assetId, kind: d.kind, department: d.department, declared: d.declared, first: d.first.toISOString(), last: d.last.toISOString(), count: d.count, types: [...d.types], samples: [...d.samples] })),
    );
  }

  /**
   * Distinct people per asset whose identifiers passed through its logs, counted by every instance
   * (the stored sketches are folded in first), for the PIPL and NDSR volume thresholds.
   */
  async peopleEstimates(assetIds: readonly string[]): Promise<Map<string, PeopleEstimate>> {
    await this.flushSketches();
    await this.loadSketches();
    return new Map(assetIds.map((id) => [id, this.people.estimate(id)]));
  }

  async findings(principal: Principal) {
    await this.flush();
    const scope = departmentScope(principal);
    const rows = await this.stored.findings(this.db, scope);
    return rows.map((r) => ({
      assetId: r.asset_id,
      assetName: r.asset_name,
      department: r.department,
      kind: r.kind,
      declared: r.declared,
      firstSeen: (r.first_seen as Date).toISOString(),
      lastSeen: (r.last_seen as Date).toISOString(),
      eventCount: Number(r.event_count),
      types: r.types,
      samples: r.samples,
      estimatedPeople: this.people.estimate(r.asset_id as string),
    }));
  }
}
