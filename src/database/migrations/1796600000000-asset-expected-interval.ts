import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How often an asset is expected to send events, in minutes: a camera's heartbeat every 15, a
 * monthly batch job every 44 640 (31 days). Null keeps the service's default
 * (TAISHI_EXPECTED_INTERVAL_MINUTES), so every asset registered before this stays as it was.
 */
export class AssetExpectedInterval1796600000000 implements MigrationInterface {
  name = 'AssetExpectedInterval1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE assets ADD COLUMN expected_interval_minutes integer CHECK (expected_interval_minutes BETWEEN 1 AND 44640)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE assets DROP COLUMN expected_interval_minutes`);
  }
}
