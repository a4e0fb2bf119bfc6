import type { Sql } from '../database/index.js';
import type { PersonIdentifier } from './detectors/index.js';

export interface StoredSketch {
  asset_id: string;
  identifier: PersonIdentifier;
  registers: Buffer;
}

/** A drift finding as the classifier accumulated it, ready to be folded into the stored one. */
export interface DriftRow {
  asset_id: string;
  kind: string;
  department: string;
  declared: string;
  first: string;
  last: string;
  count: number;
  types: string[];
  samples: string[];
}

/** People sketches, the installation's personal-data key, and classification drift findings. */
export class ClassificationRepository {
  async sketches(sql: Sql): Promise<StoredSketch[]> {
    return sql.query(`SELECT asset_id::text AS asset_id, identifier, registers FROM people_sketches`);
  }

  /** The stored sketches of these `assetId|identifier` keys. */
  async sketchesOf(sql: Sql, keys: string[]): Promise<StoredSketch[]> {
    return sql.query(`SELECT asset_id::text AS asset_id, identifier, registers FROM people_sketches WHERE asset_id::text || '|' || identifier = ANY($1::text[])`, [keys]);
  }

  /** Writes sketches (registers in base64); sketches of assets deleted meanwhile are dropped with them. */
  async saveSketches(sql: Sql, rows: { asset_id: string; identifier: string; registers: string }[]): Promise<void> {
    await sql.query(
      `INSERT INTO people_sketches (asset_id, identifier, registers)
       SELECT r.asset_id, r.identifier, decode(r.registers, 'base64')
       FROM jsonb_to_recordset($1::jsonb) AS r(asset_id uuid, identifier text, registers text)
       WHERE EXISTS (SELECT 1 FROM assets a WHERE a.id = r.asset_id)
       ON CONFLICT (asset_id, identifier) DO UPDATE SET registers = excluded.registers, updated_at = now()`,
      [JSON.stringify(rows)],
    );
  }

  /** The installation's key: the first instance to ask stores `candidate`, every later one reads it. */
  async piiKey(sql: Sql, candidate: string): Promise<string> {
    await sql.query(`INSERT INTO instance_secrets (name, value) VALUES ('pii_key', $1) ON CONFLICT (name) DO NOTHING`, [candidate]);
    const [row] = await sql.query<{ value: string }>(`SELECT value FROM instance_secrets WHERE name = 'pii_key'`);
    return row.value;
  }

  /** Folds findings into the stored ones (counts add up, types and up to five samples merge); findings of deleted assets are dropped. */
  async mergeFindings(sql: Sql, rows: DriftRow[]): Promise<void> {
    await sql.query(
      `INSERT INTO classification_findings (asset_id, kind, department, declared, first_seen, last_seen, event_count, types, samples)
       SELECT r.asset_id, r.kind, r.department, r.declared, r.first::timestamptz, r.last::timestamptz, r.count, r.types, r.samples
       FROM jsonb_to_recordset($1::jsonb) AS r(asset_id uuid, kind text, department text, declared text, first text, last text, count bigint, types text[], samples text[])
       WHERE EXISTS (SELECT 1 FROM assets a WHERE a.id = r.asset_id)
       ON CONFLICT (asset_id, kind) DO UPDATE SET
         last_seen = greatest(classification_findings.last_seen, excluded.last_seen),
         event_count = classification_findings.event_count + excluded.event_count,
         types = ARRAY(SELECT DISTINCT unnest(classification_findings.types || excluded.types)),
         samples = (ARRAY(SELECT DISTINCT unnest(classification_findings.samples || excluded.samples)))[1:5]`,
      [JSON.stringify(rows)],
    );
  }

  /** Findings with their asset's name, newest first; for one department when scoped. */
  async findings(sql: Sql, department: string | undefined): Promise<Record<string, unknown>[]> {
    return sql.query(
      `SELECT f.*, a.name AS asset_name FROM classification_findings f JOIN assets a ON a.id = f.asset_id ${department !== undefined ? 'WHERE f.department = $1' : ''} ORDER BY f.last_seen DESC`,
      department !== undefined ? [department] : [],
    );
  }
}
