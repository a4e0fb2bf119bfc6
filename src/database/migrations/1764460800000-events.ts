import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The PostgreSQL event store (daily partitions, created on demand) and unregistered-host findings. */
export class Events1764460800000 implements MigrationInterface {
  name = 'Events1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        ts timestamptz NOT NULL,
        id text NOT NULL,
        kind text,
        module text,
        dataset text,
        action text,
        outcome text,
        category text[],
        source_ip inet,
        destination_ip inet,
        destination_port integer,
        user_name text,
        host_name text,
        observer_name text,
        device_id text,
        asset_id uuid,
        department text,
        zone text,
        message text,
        -- json, not jsonb: stored as written and only validated, which makes COPY markedly faster;
        -- the columns above carry what searches filter on.
        doc json NOT NULL,
        PRIMARY KEY (ts, id)
      ) PARTITION BY RANGE (ts)`);
    // Declared on the parent so that every daily partition gets them.
    await q.query(`CREATE INDEX events_id_idx ON events (id)`);
    await q.query(`CREATE INDEX events_source_ip_idx ON events (source_ip, ts)`);
    await q.query(`CREATE INDEX events_asset_idx ON events (asset_id, ts)`);

    await q.query(`
      CREATE TABLE unregistered_hosts (
        address text PRIMARY KEY,
        kind text NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        event_count bigint NOT NULL,
        sample_event_id text,
        datasets text[] NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'registered', 'ignored'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE unregistered_hosts`);
    await q.query(`DROP TABLE events`);
  }
}
