import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { departmentScope, type Principal } from '../auth/roles.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import type { StoredEvent } from '../events/event-store.js';
import type { PiiSighting, PrivacyHook } from '../ingest/pipeline.js';
import { MetricsRegistry } from '../metrics/metrics.js';
import { maskEvent, PeopleCounter, type MaskingPolicy, type PiiType } from './detectors/index.js';

const PII_TYPES: PiiType[] = ['resident_id', 'mobile', 'bank_card', 'plate', 'vin', 'email', 'location'];

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
export class ClassificationService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Classification');
  private hook: PrivacyHook | undefined;
  private drift = new Map<string, Drift>();
  private timer: NodeJS.Timeout | undefined;
  readonly people = new PeopleCounter();
  private readonly found;

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    @InjectDataSource() private readonly dataSource: DataSource,
    metrics: MetricsRegistry,
  ) {
    this.found = metrics.counter('taishi_pii_findings_total', 'Personal data found in events, per type');
  }

  async onModuleInit(): Promise<void> {
    const key = this.settings.TAISHI_PII_KEY ?? (await this.storedKey());
    const action = this.settings.TAISHI_PII_MASKING;
    const policy = Object.fromEntries(PII_TYPES.map((t) => [t, action])) as MaskingPolicy;
    this.hook = { key, mask: (event: StoredEvent) => maskEvent(event, policy, key) };
    this.timer = setInterval(() => void this.flush().catch((e: Error) => this.logger.warn(`Recording classification drift failed: ${e.message}`)), 5_000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
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
