import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The e-mail outbox (written before anything is sent) and each user's notification preferences. */
export class Notifications1764806400000 implements MigrationInterface {
  name = 'Notifications1764806400000';

  async up(q: QueryRunner): Promise<void> {
    // held: kept because no SMTP server is configured; skipped: no address to send to (user_id
    // and address tell why). Both stay visible to administrators instead of vanishing.
    await q.query(`
      CREATE TABLE notification_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        address text,
        language text NOT NULL CHECK (language IN ('zh-CN', 'en')),
        subject text NOT NULL,
        text text NOT NULL,
        html text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'retrying', 'sent', 'failed', 'held', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text,
        dedupe_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CHECK (status = 'skipped' OR address IS NOT NULL)
      )`);
    // Two partial indexes instead of NULLS NOT DISTINCT, which PostgreSQL 13 and 14 lack: a
    // notification nobody could receive is recorded once per key too.
    await q.query(`CREATE UNIQUE INDEX notification_outbox_dedupe_key ON notification_outbox (dedupe_key, user_id) WHERE dedupe_key IS NOT NULL AND user_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX notification_outbox_dedupe_unrouted_key ON notification_outbox (dedupe_key) WHERE dedupe_key IS NOT NULL AND user_id IS NULL`);
    await q.query(`CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status IN ('queued', 'retrying')`);
    await q.query(`CREATE INDEX notification_outbox_created_idx ON notification_outbox (created_at DESC)`);

    // One row per user who changed anything; no row means every kind on and not on duty.
    await q.query(`
      CREATE TABLE notification_preferences (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        on_duty boolean NOT NULL DEFAULT false,
        muted text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE notification_outbox`);
  }
}
