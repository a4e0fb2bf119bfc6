import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, sessions, API keys, the hash-chained audit trail, and the asset registry. */
export class Foundation1764374400000 implements MigrationInterface {
  name = 'Foundation1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        display_name text NOT NULL DEFAULT '',
        email text,
        role text NOT NULL CHECK (role IN ('admin', 'analyst', 'compliance', 'owner')),
        department text,
        language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
        password_hash text NOT NULL,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        failed_logins integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (role <> 'owner' OR department IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        source_ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        actor_role text,
        action text NOT NULL,
        target_type text,
        target_id text,
        outcome text NOT NULL,
        source_ip text,
        before jsonb,
        after jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id)`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    // Append-only at the database level: the service never needs to change history, so nothing may.
    await q.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);

    await q.query(`
      CREATE TABLE assets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        type text NOT NULL,
        department text NOT NULL,
        contact_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        contact jsonb,
        security_contact jsonb,
        addresses text[] NOT NULL DEFAULT '{}',
        zone text,
        mlps_level smallint CHECK (mlps_level BETWEEN 1 AND 5),
        mlps_filing_number text,
        mlps_filing_date date,
        mlps_last_assessment date,
        cii boolean NOT NULL DEFAULT false,
        cii_designation_ref text,
        data_categories text[] NOT NULL DEFAULT '{}',
        data_level text NOT NULL DEFAULT 'general' CHECK (data_level IN ('core', 'important', 'general')),
        personal_data text NOT NULL DEFAULT 'none' CHECK (personal_data IN ('none', 'personal', 'sensitive')),
        personal_data_subjects bigint CHECK (personal_data_subjects >= 0),
        storage_location text NOT NULL DEFAULT 'in_china' CHECK (storage_location IN ('in_china', 'abroad')),
        criticality text NOT NULL DEFAULT 'medium' CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
        lifecycle text NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('planned', 'active', 'maintenance', 'retired')),
        tags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX assets_department_idx ON assets (department)`);
    // One row per address of a live asset; the partial unique index is the last word on duplicates
    // even when two registrations race.
    await q.query(`
      CREATE TABLE asset_addresses (
        asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('ip', 'cidr', 'hostname', 'mac')),
        value text NOT NULL,
        live boolean NOT NULL,
        PRIMARY KEY (asset_id, value)
      )`);
    await q.query(`CREATE UNIQUE INDEX asset_addresses_live_key ON asset_addresses (value) WHERE live`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE asset_addresses, assets, api_keys, sessions, users`);
    await q.query(`DROP TRIGGER audit_log_no_truncate ON audit_log`);
    await q.query(`DROP TRIGGER audit_log_append_only ON audit_log`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_refuse_change()`);
  }
}
