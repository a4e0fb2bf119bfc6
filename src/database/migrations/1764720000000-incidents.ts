import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Incident and protect tickets with their alerts, tasks, comments, timeline and reports. */
export class Incidents1764720000000 implements MigrationInterface {
  name = 'Incidents1764720000000';

  async up(q: QueryRunner): Promise<void> {
    // Readable keys (INC-2026-0001) count per kind and year; a row lock on the counter keeps them gapless.
    await q.query(`
      CREATE TABLE incident_counters (
        kind text NOT NULL,
        year integer NOT NULL,
        last integer NOT NULL,
        PRIMARY KEY (kind, year)
      )`);
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('incident', 'protect')),
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text,
        grade text NOT NULL DEFAULT 'unrated' CHECK (grade IN ('unrated', 'general', 'relatively_major', 'major', 'especially_major')),
        grade_source text NOT NULL DEFAULT 'proposal' CHECK (grade_source IN ('proposal', 'analyst')),
        grade_reason text,
        proposal jsonb,
        grading_facts jsonb NOT NULL DEFAULT '{}',
        priority text NOT NULL DEFAULT 'p3' CHECK (priority IN ('p1', 'p2', 'p3', 'p4')),
        state text NOT NULL,
        asset_ids uuid[] NOT NULL DEFAULT '{}',
        departments text[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        assignee_id uuid REFERENCES users (id),
        watcher_ids uuid[] NOT NULL DEFAULT '{}',
        source jsonb,
        merged_into uuid REFERENCES incidents (id),
        reporter_type text,
        detected_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        contained_at timestamptz,
        recovered_at timestamptz,
        closed_at timestamptz,
        resolution text,
        review jsonb,
        notices text[] NOT NULL DEFAULT '{}',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'incident') = (category IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX incidents_state_idx ON incidents (kind, state, detected_at DESC)`);
    await q.query(`CREATE INDEX incidents_departments_idx ON incidents USING gin (departments)`);
    await q.query(`
      CREATE TABLE incident_alerts (
        incident_id uuid NOT NULL REFERENCES incidents (id),
        alert_id uuid NOT NULL UNIQUE REFERENCES alerts (id),
        rule_id text NOT NULL,
        linked_by text NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, alert_id)
      )`);
    await q.query(`
      CREATE TABLE incident_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Tasks added together (a playbook's phase) keep the playbook's order.
        seq bigserial NOT NULL,
        incident_id uuid NOT NULL REFERENCES incidents (id),
        playbook_id text,
        phase text NOT NULL,
        title jsonb NOT NULL,
        description jsonb NOT NULL,
        assignee_role text NOT NULL CHECK (assignee_role IN ('analyst', 'system_owner')),
        assignee_id uuid REFERENCES users (id),
        due_at timestamptz,
        status text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'on_hold', 'done', 'cancelled')),
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await q.query(`CREATE INDEX incident_tasks_incident_idx ON incident_tasks (incident_id, seq)`);
    await q.query(`
      CREATE TABLE incident_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incidents (id),
        author text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX incident_comments_incident_idx ON incident_comments (incident_id, created_at)`);
    // What people read as the incident's story; the audit trail is the tamper-evident record of the same changes.
    await q.query(`
      CREATE TABLE incident_timeline (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents (id),
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        type text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX incident_timeline_incident_idx ON incident_timeline (incident_id, id)`);
    await q.query(`
      CREATE TABLE incident_reports (
        incident_id uuid PRIMARY KEY REFERENCES incidents (id),
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'initial_submitted', 'supplementary', 'final')),
        content jsonb NOT NULL DEFAULT '{}',
        summary jsonb NOT NULL DEFAULT '{}',
        pipl jsonb,
        initial_submitted_at timestamptz,
        final_at timestamptz,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['incident_reports', 'incident_timeline', 'incident_comments', 'incident_tasks', 'incident_alerts', 'incidents', 'incident_counters']) await q.query(`DROP TABLE ${t}`);
  }
}
