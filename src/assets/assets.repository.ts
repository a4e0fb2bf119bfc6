import type { Sql } from '../database/index.js';
import type { Claim, NormalizedAddress } from '../shared/index.js';
import type { IndexedAsset } from './asset-index.js';
import type { Asset, AssetAddress, SendingAsset } from './asset.js';
import { SENDING_LIFECYCLES } from './vocabulary.js';

/** A live address another asset already holds. */
export interface AddressConflict {
  address: string;
  assetId: string;
  assetName: string;
  department: string;
}

export interface AssetFilter {
  /** Only this department's assets (an owner's view). */
  scope?: string;
  department?: string;
  type?: string;
  zone?: string;
  lifecycle?: string;
  /** Text in the name or an address (case-insensitive). */
  q?: string;
}

/** Columns of `assets` as an `Asset` (asset.ts): dates as `YYYY-MM-DD` text, subject counts as numbers. */
const COLUMNS = `a.id, a.name, a.type, a.department, a.contact_user_id AS "contactUserId", a.contact, a.security_contact AS "securityContact", a.addresses, a.zone,
  a.mlps_level AS "mlpsLevel", a.mlps_filing_number AS "mlpsFilingNumber", a.mlps_filing_date::text AS "mlpsFilingDate", a.mlps_last_assessment::text AS "mlpsLastAssessment",
  a.cii, a.cii_designation_ref AS "ciiDesignationRef", a.data_categories AS "dataCategories", a.data_level AS "dataLevel", a.personal_data AS "personalData",
  a.personal_data_subjects AS "personalDataSubjects", a.storage_location AS "storageLocation", a.criticality, a.lifecycle, a.tags, a.expected_interval_minutes AS "expectedIntervalMinutes", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

/** The columns a write sets (the id and creation time are the database's), with the asset's value for each. */
const WRITTEN: readonly [column: string, value: (a: Asset) => unknown][] = [
  ['name', (a) => a.name],
  ['type', (a) => a.type],
  ['department', (a) => a.department],
  ['contact_user_id', (a) => a.contactUserId],
  ['contact', (a) => json(a.contact)],
  ['security_contact', (a) => json(a.securityContact)],
  ['addresses', (a) => a.addresses],
  ['zone', (a) => a.zone],
  ['mlps_level', (a) => a.mlpsLevel],
  ['mlps_filing_number', (a) => a.mlpsFilingNumber],
  ['mlps_filing_date', (a) => a.mlpsFilingDate],
  ['mlps_last_assessment', (a) => a.mlpsLastAssessment],
  ['cii', (a) => a.cii],
  ['cii_designation_ref', (a) => a.ciiDesignationRef],
  ['data_categories', (a) => a.dataCategories],
  ['data_level', (a) => a.dataLevel],
  ['personal_data', (a) => a.personalData],
  ['personal_data_subjects', (a) => a.personalDataSubjects],
  ['storage_location', (a) => a.storageLocation],
  ['criticality', (a) => a.criticality],
  ['lifecycle', (a) => a.lifecycle],
  ['tags', (a) => a.tags],
  ['expected_interval_minutes', (a) => a.expectedIntervalMinutes],
  ['updated_at', (a) => a.updatedAt],
];

const json = (value: object | null) => (value === null ? null : JSON.stringify(value));

// bigint arrives as a string from pg; the API keeps it numeric.
const toAsset = (row: Omit<Asset, 'personalDataSubjects'> & { personalDataSubjects: string | null }): Asset => ({
  ...row,
  personalDataSubjects: row.personalDataSubjects === null ? null : Number(row.personalDataSubjects),
});

function where(filter: AssetFilter): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const equals = (column: string, value: unknown) => conditions.push(`${column} = $${params.push(value)}`);
  if (filter.scope !== undefined) equals('a.department', filter.scope);
  if (filter.department) equals('a.department', filter.department);
  if (filter.type) equals('a.type', filter.type);
  if (filter.zone) equals('a.zone', filter.zone);
  if (filter.lifecycle) equals('a.lifecycle', filter.lifecycle);
  if (filter.q) {
    const like = `$${params.push(`%${filter.q.replace(/[\\%_]/g, '\\$&')}%`)}`;
    conditions.push(`(a.name ILIKE ${like} OR array_to_string(a.addresses, ' ') ILIKE ${like})`);
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/**
 * The asset registry: assets, and the addresses they claim (`asset_addresses`, whose unique index
 * on live values is the last word on duplicates).
 */
export class AssetsRepository {
  /** A page of the assets the filter keeps, by name then id, with the count of all it keeps. */
  async list(sql: Sql, filter: AssetFilter, page: { limit: number; offset: number }): Promise<{ items: Asset[]; total: number }> {
    const { sql: condition, params } = where(filter);
    const rows = await sql.query<Parameters<typeof toAsset>[0]>(
      `SELECT ${COLUMNS} FROM assets a ${condition} ORDER BY a.name ASC, a.id ASC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    const [{ total }] = await sql.query<{ total: number }>(`SELECT count(*)::int AS total FROM assets a ${condition}`, params);
    return { items: rows.map(toAsset), total };
  }

  /** Every asset, or one department's, by name then id. */
  async all(sql: Sql, department?: string): Promise<Asset[]> {
    const { sql: condition, params } = where({ scope: department });
    return (await sql.query<Parameters<typeof toAsset>[0]>(`SELECT ${COLUMNS} FROM assets a ${condition} ORDER BY a.name ASC, a.id ASC`, params)).map(toAsset);
  }

  /** Every asset expected to send events (by lifecycle), or one department's, however many there are. */
  async sending(sql: Sql, department?: string): Promise<SendingAsset[]> {
    return sql.query<SendingAsset>(
      `SELECT id, name, department, expected_interval_minutes AS "expectedIntervalMinutes" FROM assets
       WHERE lifecycle = ANY($1::text[]) AND ($2::text IS NULL OR department = $2)`,
      [SENDING_LIFECYCLES, department ?? null],
    );
  }

  /** The asset, if any; `lock` holds its row for the rest of the transaction. */
  async find(sql: Sql, id: string, lock = false): Promise<Asset | undefined> {
    const [row] = await sql.query<Parameters<typeof toAsset>[0]>(`SELECT ${COLUMNS} FROM assets a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row && toAsset(row);
  }

  /** Inserts the assets (in one statement) and answers their new ids, in order. */
  async insert(sql: Sql, assets: Asset[]): Promise<string[]> {
    if (!assets.length) return [];
    const params: unknown[] = [];
    const rows = assets.map((a) => `(${WRITTEN.map(([, value]) => `$${params.push(value(a))}`).join(', ')})`);
    const inserted = await sql.query<{ id: string }>(`INSERT INTO assets (${WRITTEN.map(([column]) => column).join(', ')}) VALUES ${rows.join(', ')} RETURNING id`, params);
    return inserted.map((r) => r.id);
  }

  async update(sql: Sql, asset: Asset): Promise<void> {
    const params: unknown[] = [asset.id];
    await sql.query(`UPDATE assets SET ${WRITTEN.map(([column, value]) => `${column} = $${params.push(value(asset))}`).join(', ')} WHERE id = $1`, params);
  }

  async delete(sql: Sql, id: string): Promise<void> {
    await sql.query(`DELETE FROM assets WHERE id = $1`, [id]);
  }

  async userExists(sql: Sql, id: string): Promise<boolean> {
    return (await sql.query(`SELECT 1 FROM users WHERE id = $1 LIMIT 1`, [id])).length > 0;
  }

  /** The asset's live addresses, with whether each is a fallback. */
  async liveAddresses(sql: Sql, assetId: string): Promise<Pick<AssetAddress, 'value' | 'fallback'>[]> {
    return sql.query(`SELECT value, fallback FROM asset_addresses WHERE asset_id = $1 AND live`, [assetId]);
  }

  async insertAddresses(sql: Sql, rows: AssetAddress[]): Promise<void> {
    if (!rows.length) return;
    await sql.query(
      `INSERT INTO asset_addresses (asset_id, value, kind, live, fallback)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::boolean[])`,
      [rows.map((r) => r.assetId), rows.map((r) => r.value), rows.map((r) => r.kind), rows.map((r) => r.live), rows.map((r) => r.fallback)],
    );
  }

  async deleteAddresses(sql: Sql, assetId: string): Promise<void> {
    await sql.query(`DELETE FROM asset_addresses WHERE asset_id = $1`, [assetId]);
  }

  /** Live addresses among `values` held by an asset other than `excludeAssetId`. */
  async conflicts(sql: Sql, values: string[], excludeAssetId?: string): Promise<AddressConflict[]> {
    if (!values.length) return [];
    return sql.query<AddressConflict>(
      `SELECT x.value AS address, a.id AS "assetId", a.name AS "assetName", a.department AS department
       FROM asset_addresses x INNER JOIN assets a ON a.id = x.asset_id
       WHERE x.live AND x.value = ANY($1::text[]) AND ($2::uuid IS NULL OR x.asset_id <> $2::uuid)`,
      [values, excludeAssetId ?? null],
    );
  }

  /** Every ordinary (live, not fallback, not MAC) claim in the registry, but the given asset's own. */
  async ordinaryClaims(sql: Sql, excludeAssetId?: string): Promise<(Claim & { kind: NormalizedAddress['kind'] })[]> {
    return sql.query(
      `SELECT x.value, x.kind, a.id AS "assetId", a.name AS "assetName", a.department
       FROM asset_addresses x JOIN assets a ON a.id = x.asset_id
       WHERE x.live AND NOT x.fallback AND x.kind <> 'mac' AND x.asset_id IS DISTINCT FROM $1`,
      [excludeAssetId ?? null],
    );
  }

  /** The live registry as the ingest enrichment matches it. */
  async indexEntries(sql: Sql): Promise<IndexedAsset[]> {
    const rows = await sql.query<{ id: string; department: string; zone: string | null; personalData: IndexedAsset['ref']['personalData']; addresses: string[]; fallback: string[] }>(
      `SELECT a.id, a.department, a.zone, a.personal_data AS "personalData",
              array_agg(x.value) AS addresses, array_remove(array_agg(CASE WHEN x.fallback THEN x.value END), NULL) AS fallback
       FROM assets a JOIN asset_addresses x ON x.asset_id = a.id AND x.live
       GROUP BY a.id`,
    );
    return rows.map(({ addresses, fallback, ...ref }) => ({ ref, addresses, fallback }));
  }
}
