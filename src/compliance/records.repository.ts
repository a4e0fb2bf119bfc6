import type { Sql } from '../database/index.js';
import type { ComplianceRecord } from './facts/asset-facts.js';

export interface RecordRow {
  record: ComplianceRecord;
  updated_by: string;
  updated_at: Date;
}

/** The compliance record kept per asset of the registry (at most one row each). */
export class RecordsRepository {
  /** The asset's department; undefined when the registry has no such asset. */
  async assetDepartment(sql: Sql, assetId: string): Promise<string | undefined> {
    const [asset] = await sql.query<{ department: string }>(`SELECT department FROM assets WHERE id = $1`, [assetId]);
    return asset?.department;
  }

  /** Holds the asset's registry row until the transaction ends, so the asset stays while its record is written. */
  async lockAsset(sql: Sql, assetId: string): Promise<void> {
    await sql.query(`SELECT 1 FROM assets WHERE id = $1 FOR UPDATE`, [assetId]);
  }

  /** `lock` holds the record's row, when there is one, until the transaction ends. */
  async byAsset(sql: Sql, assetId: string, lock = false): Promise<RecordRow | undefined> {
    const [row] = await sql.query<RecordRow>(`SELECT record, updated_by, updated_at FROM asset_compliance WHERE asset_id = $1${lock ? ' FOR UPDATE' : ''}`, [assetId]);
    return row;
  }

  async save(sql: Sql, assetId: string, record: ComplianceRecord, updatedBy: string): Promise<void> {
    await sql.query(
      `INSERT INTO asset_compliance (asset_id, record, updated_by, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (asset_id) DO UPDATE SET record = excluded.record, updated_by = excluded.updated_by, updated_at = now()`,
      [assetId, JSON.stringify(record), updatedBy],
    );
  }
}
