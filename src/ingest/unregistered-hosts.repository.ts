import type { Sql } from '../database/index.js';

export interface SightingRow {
  address: string;
  kind: 'ip' | 'hostname';
  first: string;
  last: string;
  count: number;
  sample: string;
  datasets: string[];
}

export interface UnregisteredHostRow {
  address: string;
  kind: string;
  first_seen: Date;
  last_seen: Date;
  event_count: string;
  sample_event_id: string | null;
  datasets: string[];
}

/** The unregistered-host findings: one row per address, its counts folded in by upsert. */
export class UnregisteredHostsRepository {
  async fold(sql: Sql, rows: SightingRow[]): Promise<void> {
    await sql.query(
      `INSERT INTO unregistered_hosts (address, kind, first_seen, last_seen, event_count, sample_event_id, datasets)
       SELECT r.address, r.kind, r.first::timestamptz, r.last::timestamptz, r.count, r.sample, r.datasets
       FROM jsonb_to_recordset($1::jsonb) AS r(address text, kind text, first text, last text, count bigint, sample text, datasets text[])
       ON CONFLICT (address) DO UPDATE SET
         first_seen = least(unregistered_hosts.first_seen, excluded.first_seen),
         last_seen = greatest(unregistered_hosts.last_seen, excluded.last_seen),
         event_count = unregistered_hosts.event_count + excluded.event_count,
         datasets = ARRAY(SELECT DISTINCT unnest(unregistered_hosts.datasets || excluded.datasets))`,
      [JSON.stringify(rows)],
    );
  }

  /** The open findings, busiest first. */
  async open(sql: Sql): Promise<UnregisteredHostRow[]> {
    return sql.query(`SELECT address, kind, first_seen, last_seen, event_count, sample_event_id, datasets FROM unregistered_hosts WHERE status = 'open' ORDER BY event_count DESC, address`);
  }
}
