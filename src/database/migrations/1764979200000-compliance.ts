import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance audits: what owners record about their systems beyond the registry, audit profiles,
 * runs with their frozen facts and per-control results, findings that live across runs,
 * attestations of manual controls, and the distinct-people sketches of the classification module.
 */
export class Compliance1764979200000 implements MigrationInterface {
  name = 'Compliance1764979200000';

  async up(q: QueryRunner): Promise<void> {
    // Compliance facts about a system (emergency plan, PIA, data-security lead, ...): one document
    // per asset, shaped like the facts snapshot so that an audit reads it as it is.
    await q.query(`
      CREATE TABLE asset_compliance (
        asset_id uuid PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
        record jsonb NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE compliance_profiles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        -- null: every control of the catalogue, including controls added later
        control_ids text[],
        -- null: every department / every asset
        departments text[],
        asset_ids uuid[],
        schedule text,
        is_default boolean NOT NULL DEFAULT false,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX compliance_profiles_name_key ON compliance_profiles (lower(name))`);
    await q.query(`CREATE UNIQUE INDEX compliance_profiles_default_key ON compliance_profiles (is_default) WHERE is_default`);

    await q.query(`
      CREATE TABLE compliance_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        profile_id uuid REFERENCES compliance_profiles(id) ON DELETE SET NULL,
        profile_name text NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'cli')),
        scheduled_for timestamptz,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        progress_done integer NOT NULL DEFAULT 0,
        progress_total integer NOT NULL DEFAULT 0,
        requested_by text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        error text,
        -- what the checks saw and which controls they applied, frozen: the run is its own evidence
        facts jsonb,
        controls jsonb,
        summary jsonb
      )`);
    // Several instances fire the same schedule: the first to insert the slot runs it.
    await q.query(`CREATE UNIQUE INDEX compliance_runs_slot_key ON compliance_runs (profile_id, scheduled_for) WHERE scheduled_for IS NOT NULL`);
    await q.query(`CREATE INDEX compliance_runs_profile_idx ON compliance_runs (profile_id, started_at DESC)`);

    await q.query(`
      CREATE TABLE compliance_results (
        run_id uuid NOT NULL REFERENCES compliance_runs(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        control_id text NOT NULL,
        subject_type text NOT NULL CHECK (subject_type IN ('asset', 'organisation', 'incident')),
        subject_id text NOT NULL,
        subject_name text NOT NULL,
        -- the asset's department at run time; owners see the results of their own department only
        department text,
        status text NOT NULL CHECK (status IN ('pass', 'fail', 'not_applicable', 'needs_attestation')),
        evidence jsonb NOT NULL,
        message jsonb NOT NULL,
        finding_id uuid,
        risk_accepted_until date,
        PRIMARY KEY (run_id, seq),
        UNIQUE (run_id, control_id, subject_type, subject_id)
      )`);

    await q.query(`
      CREATE TABLE compliance_findings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        control_id text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        subject_name text NOT NULL,
        department text,
        severity text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'in_remediation', 'resolved', 'risk_accepted')),
        message jsonb NOT NULL,
        evidence jsonb NOT NULL,
        first_run_id uuid NOT NULL,
        last_run_id uuid NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        resolved_at timestamptz,
        approver text,
        reason text,
        expires_at date,
        protect_ticket_id uuid,
        protect_ticket_key text,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (control_id, subject_type, subject_id),
        CHECK (status <> 'risk_accepted' OR (approver IS NOT NULL AND reason IS NOT NULL AND expires_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX compliance_findings_department_idx ON compliance_findings (department, status)`);

    await q.query(`
      CREATE TABLE compliance_attestations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        control_id text NOT NULL,
        subject_type text NOT NULL CHECK (subject_type IN ('asset', 'organisation')),
        subject_id text NOT NULL,
        subject_name text NOT NULL,
        department text,
        evidence_file_name text NOT NULL,
        evidence_sha256 text NOT NULL CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
        evidence_size bigint NOT NULL,
        content_type text NOT NULL,
        -- relative to TAISHI_DATA_DIR, content-addressed by the hash
        stored_path text NOT NULL,
        note text,
        attested_by text NOT NULL,
        attested_at timestamptz NOT NULL DEFAULT now(),
        valid_until date NOT NULL
      )`);
    await q.query(`CREATE INDEX compliance_attestations_subject_idx ON compliance_attestations (control_id, subject_type, subject_id, valid_until DESC)`);

    // HyperLogLog registers of distinct people per asset (classification), so the PIPL/NDSR volume
    // thresholds survive restarts; instances merge into the row (a union), never overwrite it.
    await q.query(`
      CREATE TABLE people_sketches (
        asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
        identifier text NOT NULL CHECK (identifier IN ('resident_id', 'mobile')),
        registers bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (asset_id, identifier)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE people_sketches`);
    await q.query(`DROP TABLE compliance_attestations`);
    await q.query(`DROP TABLE compliance_findings`);
    await q.query(`DROP TABLE compliance_results`);
    await q.query(`DROP TABLE compliance_runs`);
    await q.query(`DROP TABLE compliance_profiles`);
    await q.query(`DROP TABLE asset_compliance`);
  }
}
