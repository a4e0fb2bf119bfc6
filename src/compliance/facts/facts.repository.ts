import type { Sql } from '../../database/index.js';
import type { ComplianceRecord, RegisteredAsset } from './asset-facts.js';

/** What a facts snapshot reads from the database: the asset registry, the compliance records, the audit trail's start. */
export class FactsRepository {
  /**
   * Every asset of the registry by name, as the asset entity maps it: calendar days as text (not
   * Dates at some server's local midnight), the declared number of people as a number.
   */
  async registry(sql: Sql): Promise<RegisteredAsset[]> {
    const rows = await sql.query<Omit<RegisteredAsset, 'personalDataSubjects'> & { personalDataSubjects: string | null }>(
      `SELECT id, name, type, department, contact, security_contact AS "securityContact", addresses, zone,
              mlps_level AS "mlpsLevel", mlps_filing_number AS "mlpsFilingNumber", mlps_filing_date::text AS "mlpsFilingDate", mlps_last_assessment::text AS "mlpsLastAssessment",
              cii, cii_designation_ref AS "ciiDesignationRef", data_categories AS "dataCategories", data_level AS "dataLevel", personal_data AS "personalData",
              personal_data_subjects AS "personalDataSubjects", storage_location AS "storageLocation", criticality, lifecycle, tags
       FROM assets ORDER BY name ASC, id ASC`,
    );
    return rows.map((r) => ({ ...r, personalDataSubjects: r.personalDataSubjects === null ? null : Number(r.personalDataSubjects) }));
  }

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
