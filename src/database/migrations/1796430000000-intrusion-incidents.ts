import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who acted in an alert's events (source address, source name, user), so that incident grouping
 * can follow one attacker across rules and assets; and when handling of an incident ended
 * (recovery done, under verification), from which the 30-day closing summary is counted.
 */
export class IntrusionIncidents1796430000000 implements MigrationInterface {
  name = 'IntrusionIncidents1796430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alerts ADD COLUMN actors text[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE INDEX alerts_actors_idx ON alerts USING gin (actors)`);
    await q.query(`CREATE INDEX alerts_asset_seen_idx ON alerts (asset_id, last_seen)`);
    await q.query(`ALTER TABLE incidents ADD COLUMN handling_ended_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incidents DROP COLUMN handling_ended_at`);
    await q.query(`DROP INDEX alerts_asset_seen_idx`);
    await q.query(`DROP INDEX alerts_actors_idx`);
    await q.query(`ALTER TABLE alerts DROP COLUMN actors`);
  }
}
