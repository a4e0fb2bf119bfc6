import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addressBlock, isCatchAll, normalizeAddress, OrdinaryClaims } from '../../shared/index.js';

/**
 * The keyed audit chain, and fallback address claims.
 *
 * `audit_log.key_id` names the key of a record's HMAC; the records an earlier release wrote keep
 * NULL there and are verified as the unkeyed chain they are, up to the first keyed record.
 *
 * `asset_addresses.fallback` marks a block that only gets addresses no other department's
 * ordinary registration covers (catch-alls, overlaps an administrator forced in). Registries
 * written before this release may hold overlaps between departments: there the earliest
 * registered asset keeps the addresses and the later one becomes the fallback.
 */
export class TrailAndClaims1796425365584 implements MigrationInterface {
  name = 'TrailAndClaims1796425365584';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN key_id text`);
    await q.query(`ALTER TABLE asset_addresses ADD COLUMN fallback boolean NOT NULL DEFAULT false`);

    const rows = (await q.query(`
      SELECT x.asset_id AS "assetId", x.value, a.department
      FROM asset_addresses x JOIN assets a ON a.id = x.asset_id
      WHERE x.live AND x.kind IN ('ip', 'cidr', 'hostname')
      ORDER BY a.created_at, a.id, x.value`)) as { assetId: string; value: string; department: string }[];
    const claims = new OrdinaryClaims();
    const fallbacks: { assetId: string; value: string }[] = [];
    for (const row of rows) {
      const address = normalizeAddress(row.value);
      if ('error' in address) continue;
      const block = addressBlock(address);
      if ((block && isCatchAll(block)) || claims.foreign(address, row.department).length) fallbacks.push(row);
      else claims.add({ ...row, kind: address.kind });
    }
    for (const { assetId, value } of fallbacks) await q.query(`UPDATE asset_addresses SET fallback = true WHERE asset_id = $1 AND value = $2`, [assetId, value]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE asset_addresses DROP COLUMN fallback`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN key_id`);
  }
}
