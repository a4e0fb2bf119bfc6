import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The correlation feed keeps one row per written batch of matches instead of one row per match.
 * As rows of their own, matches cost PostgreSQL a jsonb value parsed out of the batch's array, a
 * heap row and two index entries each: 2–2.5 µs of PostgreSQL CPU an event on the ingest bench's
 * city logs, whose eight passes of 100,000 lines write 154,616 matches. The matches stay as
 * the JSON text the writer sends ([rule id, rule name, event, epoch ms], in order): only the
 * service reads them, so they need no parsing or validation on the way in. Rows written before
 * keep their order, each as a batch of one.
 */
export class CorrelationFeedBatches1796700000000 implements MigrationInterface {
  name = 'CorrelationFeedBatches1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE correlation_feed ADD COLUMN matches text`);
    await q.query(`UPDATE correlation_feed SET matches = json_build_array(json_build_array(rule_id, rule_name, event, floor(extract(epoch FROM event_at) * 1000)))::text`);
    await q.query(`ALTER TABLE correlation_feed DROP COLUMN rule_id, DROP COLUMN rule_name, DROP COLUMN event, DROP COLUMN event_at, ALTER COLUMN matches SET NOT NULL`);
    // A batch is tens to hundreds of kilobytes of repetitive JSON: lz4 compresses it for less CPU
    // than the default pglz, where the server was built with lz4 (the embedded one is not).
    await q.query(`DO $$ BEGIN ALTER TABLE correlation_feed ALTER COLUMN matches SET COMPRESSION lz4; EXCEPTION WHEN feature_not_supported THEN NULL; END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE correlation_feed ADD COLUMN rule_id text, ADD COLUMN rule_name text, ADD COLUMN event jsonb, ADD COLUMN event_at timestamptz, ALTER COLUMN matches DROP NOT NULL`);
    await q.query(`
      INSERT INTO correlation_feed (rule_id, rule_name, event, event_at, written_at, read)
      SELECT m->>0, m->>1, (m->2)::jsonb, timestamptz 'epoch' + (m->>3)::float8 * interval '1 millisecond', f.written_at, f.read
      FROM correlation_feed f, json_array_elements(f.matches::json) WITH ORDINALITY AS t(m, n)
      WHERE f.matches IS NOT NULL
      ORDER BY f.id, n`);
    await q.query(`DELETE FROM correlation_feed WHERE matches IS NOT NULL`);
    await q.query(`ALTER TABLE correlation_feed DROP COLUMN matches, ALTER COLUMN event SET NOT NULL, ALTER COLUMN event_at SET NOT NULL`);
  }
}
