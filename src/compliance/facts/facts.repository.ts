import type { Sql } from '../../database/index.js';
import type { ComplianceRecord } from './asset-facts.js';

/** What a facts snapshot reads from the database beside the registry (the assets module's): the compliance records, the audit trail's start. */
export class FactsRepository {
  /** The compliance records of these assets, by asset id. */
  async records(sql: Sql, assetIds: readonly string[]): Promise<Map<string, ComplianceRecord>> {
    if (assetIds.length === 0) return new Map();
    const rows = await sql.query<{ asset_id: string; record: ComplianceRecord }>(`SELECT asset_id::text AS asset_id, record FROM asset_compliance WHERE asset_id = ANY($1::uuid[])`, [assetIds]);
    return new Map(rows.map((r) => [r.asset_id, r.record]));
  }

  /** When the monitor started: its first audit record, if any. */
  async monitorInstalledAt(sql: Sql): Promise<Date | null> {
    const [{ installed }] = await sql.query<{ installed: Date | null }>(`SELECT min(at) AS installed FROM audit_log`);
    return installed;
  }
}
