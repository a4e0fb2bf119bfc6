import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The domain outbox: a change and the news of it commit together, and a relay hands the news to
 * the modules that wait for it (e.g. a new alert to incident grouping), retrying until they
 * succeed. Rows are kept a while after delivery for diagnosis, then pruned.
 */
export class DomainOutbox1796425073586 implements MigrationInterface {
  name = 'DomainOutbox1796425073586';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE domain_outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        -- Due at once; a failed delivery sets the retry time from the service's clock.
        next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
        last_error text,
        delivered_at timestamptz
      )`);
    await q.query(`CREATE INDEX domain_outbox_due_idx ON domain_outbox (next_attempt_at, id) WHERE delivered_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE domain_outbox`);
  }
}
