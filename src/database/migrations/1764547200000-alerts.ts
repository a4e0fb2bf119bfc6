import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Alerts raised by detection rules, grouped by rule and group key. */
export class Alerts1764547200000 implements MigrationInterface {
  name = 'Alerts1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rule_id text NOT NULL,
        rule_title text NOT NULL,
        rule_kind text NOT NULL CHECK (rule_kind IN ('rule', 'correlation', 'scheduled')),
        level text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        group_key text NOT NULL,
        asset_id uuid,
        department text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
        resolution text CHECK (resolution IN ('true_positive', 'false_positive', 'benign', 'duplicate', 'other')),
        status_note text,
        status_by text,
        status_at timestamptz,
        count integer NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        event_ids text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (status <> 'closed' OR resolution IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX alerts_group_idx ON alerts (rule_id, group_key, last_seen) WHERE status <> 'closed'`);
    await q.query(`CREATE INDEX alerts_last_seen_idx ON alerts (last_seen DESC)`);
    await q.query(`CREATE INDEX alerts_department_idx ON alerts (department, last_seen DESC)`);
    // Rules live in files; whether one is switched off is operational state, kept here.
    await q.query(`
      CREATE TABLE rule_settings (
        rule_id text PRIMARY KEY,
        enabled boolean NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Tuning without editing rules: a firing whose event has this value in this field is not an alert.
    await q.query(`
      CREATE TABLE rule_exceptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rule_id text NOT NULL,
        field text NOT NULL,
        value text NOT NULL,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        suppressed bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX rule_exceptions_rule_idx ON rule_exceptions (rule_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rule_exceptions`);
    await q.query(`DROP TABLE rule_settings`);
    await q.query(`DROP TABLE alerts`);
  }
}
