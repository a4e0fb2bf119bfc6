import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Instance secrets (the personal-data hashing key) and classification drift findings. */
export class Classification1764633600000 implements MigrationInterface {
  name = 'Classification1764633600000';

  async up(q: QueryRunner): Promise<void> {
    // Shared by every instance of one installation, so keyed hashes agree across them.
    await q.query(`CREATE TABLE instance_secrets (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`
      CREATE TABLE classification_findings (
        asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('personal_on_none', 'sensitive_on_personal')),
        department text NOT NULL,
        declared text NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        event_count bigint NOT NULL,
        types text[] NOT NULL,
        samples text[] NOT NULL,
        PRIMARY KEY (asset_id, kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE classification_findings`);
    await q.query(`DROP TABLE instance_secrets`);
  }
}
