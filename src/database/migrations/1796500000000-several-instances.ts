import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What several instances sharing one database need to agree on:
 * - claims of scheduled jobs' periods: the first instance to insert a job's period runs it, the
 *   others skip it; the rows also record which instance ran what, and when;
 * - the correlation feed: every instance writes the matches correlations count, and the one
 *   instance owning the correlation windows reads them in order (a new owner replays the feed's
 *   recent past to rebuild the windows).
 */
export class SeveralInstances1796500000000 implements MigrationInterface {
  name = 'SeveralInstances1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_job_runs (
        job text NOT NULL,
        period_start timestamptz NOT NULL,
        instance text NOT NULL,
        claimed_at timestamptz NOT NULL,
        PRIMARY KEY (job, period_start)
      )`);
    await q.query(`
      CREATE TABLE correlation_feed (
        id bigserial PRIMARY KEY,
        rule_id text,
        rule_name text,
        event jsonb NOT NULL,
        event_at timestamptz NOT NULL,
        written_at timestamptz NOT NULL,
        read boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX correlation_feed_written_idx ON correlation_feed (written_at)`);
    await q.query(`CREATE INDEX correlation_feed_unread_idx ON correlation_feed (id) WHERE NOT read`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE correlation_feed`);
    await q.query(`DROP TABLE scheduled_job_runs`);
  }
}
