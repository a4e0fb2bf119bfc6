import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { departmentScope, type Principal } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import type { StoredEvent } from '../events/index.js';
import type { PiiSighting, PrivacyHook } from './privacy.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { HyperLogLog, maskEvent, PeopleCounter, PII_TYPES, type MaskingPolicy, type PeopleEstimate, type PersonIdentifier, type PiiType } from './detectors/index.js';
import { LockId, lockForTransaction } from '../database/index.js';
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

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: Scheduler,
    metrics: MetricsRegistry,
  ) {
    this.found = metrics.counter('taishi_pii_findings_total', 'Personal data found in events, per type');
  }

  async onModuleInit(): Promise<void> {
    const key = this.settings.TAISHI_PII_KEY ?? (await this.storedKey());
    const action = this.settings.TAISHI_PII_MASKING;
    const policy = Object.fromEntries(PII_TYPES.map((t) => [t, action])) as MaskingPolicy;
    this.hook = { key, mask: (event: StoredEvent) => maskEvent(event, policy, key) };
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
    const rows = (await this.dataSource.query(`SELECT asset_id::text AS asset_id, identifier, registers FROM people_sketches`)) as { asset_id: string; identifier: PersonIdentifier; registers: Buffer }[];
    for (const row of rows) this.mergeStored(row);
  }

  private mergeStored(row: { asset_id: string; identifier: PersonIdentifier; registers: Buffer }): void {
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
      await this.dataSource.transaction(async (m) => {
        await lockForTransaction(m, LockId.ClassificationSketches);
        const keys = changed.map((c) => `${c.assetId}|${c.type}`);
        const stored = (await m.query(
          `SELECT asset_id::text AS asset_id, identifier, registers FROM people_sketches WHERE asset_id::text || '|' || identifier = ANY($1::text[])`,
          [keys],
        )) as { asset_id: string; identifier: PersonIdentifier; registers: Buffer }[];
        for (const row of stored) this.mergeStored(row);
        const rows = changed.map((c) => ({ asset_id: c.assetId, identifier: c.type, registers: this.people.sketch(c.assetId, c.type).toBase64() }));
        // Sketches of assets deleted meanwhile are dropped with them.
        await m.query(
          `INSERT INTO people_sketches (asset_id, identifier, registers)
           SELECT r.asset_id, r.identifier, decode(r.registers, 'base64')
           FROM jsonb_to_recordset($1::jsonb) AS r(asset_id uuid, identifier text, registers text)
           WHERE EXISTS (SELECT 1 FROM assets a WHERE a.id = r.asset_id)
           ON CONFLICT (asset_id, identifier) DO UPDATE SET registers = excluded.registers, updated_at = now()`,
          [JSON.stringify(rows)],
        );
      });
    } catch (error) {
      this.people.markChanged(changed);
      throw error;
    }
  }

  /** The installation's key: generated once and kept in the database, so every instance shares it. */
  private async storedKey(): Promise<string> {
    await this.dataSource.query(`INSERT INTO instance_secrets (name, value) VALUES ('pii_key', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(32).toString('base64url')]);
    const [row] = (await this.dataSource.query(`SELECT value FROM instance_secrets WHERE name = 'pii_key'`)) as { value: string }[];
    return row.value;
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
    await this.dataSource.query(
      `INSERT INTO classification_findings (asset_id, kind, department, declared, first_seen, last_seen, event_count, types, samples)
       SELECT r.asset_id, r.kind, r.department, r.declared, r.first::timestamptz, r.last::timestamptz, r.count, r.types, r.samples
       FROM jsonb_to_recordset($1::jsonb) AS r(asset_id uuid, kind text, department text, declared text, first text, last text, count bigint, types text[], samples text[])
       WHERE EXISTS (SELECT 1 FROM assets a WHERE a.id = r.asset_id)
       ON CONFLICT (asset_id, kind) DO UPDATE SET
         last_seen = greatest(classification_findings.last_seen, excluded.last_seen),
         event_count = classification_findings.event_count + excluded.event_count,
         types = ARRAY(SELECT DISTINCT unnest(classification_findings.types || excluded.types)),
         samples = (ARRAY(SELECT DISTINCT unnest(classification_findings.samples || excluded.samples)))[1:5]`,
      [JSON.stringify(batch.map((d) => ({ asset_id: d.assetId, kind: d.kind, department: d.department, declared: d.declared, first: d.first.toISOString(), last: d.last.toISOString(), count: d.count, types: [...d.types], samples: [...d.samples] })))],
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
    const rows = (await this.dataSource.query(
      `SELECT f.*, a.name AS asset_name FROM classification_findings f JOIN assets a ON a.id = f.asset_id ${scope !== undefined ? 'WHERE f.department = $1' : ''} ORDER BY f.last_seen DESC`,
      scope !== undefined ? [scope] : [],
    )) as Record<string, unknown>[];
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
