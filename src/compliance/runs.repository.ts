import type { Sql } from '../database/index.js';
import type { CheckStatus, FactsSnapshot, Localised, Subject } from './catalogue/index.js';
import type { FrozenControl, RunStatus, RunSummary, RunTrigger } from './run-views.js';

export interface RunRow {
  id: string;
  profile_id: string | null;
  profile_name: string;
  trigger: RunTrigger;
  scheduled_for: Date | null;
  status: RunStatus;
  progress_done: number;
  progress_total: number;
  requested_by: string;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  summary: RunSummary | null;
}

export interface ResultRow {
  control_id: string;
  subject_type: Subject['type'];
  subject_id: string;
  subject_name: string;
  department: string | null;
  status: CheckStatus;
  evidence: Record<string, unknown>;
  message: Localised;
  finding_id: string | null;
  risk_accepted_until: string | null;
}

/** One result as a run stores it, in the order it was evaluated. */
export interface StoredResult {
  controlId: string;
  subject: Subject;
  department: string | null;
  status: CheckStatus;
  evidence: Record<string, unknown>;
  message: Localised;
  findingId?: string;
  riskAcceptedUntil?: string;
}

/** Which of a run's results to read; null fields do not filter. */
export interface ResultFilter {
  status: string | null;
  controlId: string | null;
  department: string | null;
  /** An owner's department: only results on that department's assets. */
  scope: string | null;
}

const RUN_COLUMNS = 'id, profile_id, profile_name, trigger, scheduled_for, status, progress_done, progress_total, requested_by, started_at, finished_at, error, summary';
/** Rows per INSERT of results, to keep each statement's parameter small. */
const RESULTS_PER_INSERT = 500;

/**
 * Audit runs and their results: a run is written as it goes (progress, heartbeat) and, once
 * complete, keeps the facts and controls it was evaluated with.
 */
export class RunsRepository {
  /**
   * Marks failed the runs whose process stopped writing more than `staleSeconds` ago; answers how
   * many.
   */
  async failStale(sql: Sql, staleSeconds: number): Promise<number> {
    const failed = await sql.query(
      `UPDATE compliance_runs SET status = 'failed', finished_at = now(), error = '运行中断：服务在审计完成前停止 / Interrupted: the service stopped before the audit finished'
         WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1) RETURNING 1`,
      [staleSeconds],
    );
    return failed.length;
  }

  /** A new running run; undefined when a scheduled run already took the profile's slot. */
  async insertRunning(
    sql: Sql,
    run: { profileId: string; profileName: string; trigger: RunTrigger; scheduledFor: Date | null; requestedBy: string },
  ): Promise<RunRow | undefined> {
    const [row] = await sql.query<RunRow>(
      `INSERT INTO compliance_runs (profile_id, profile_name, trigger, scheduled_for, status, requested_by) VALUES ($1, $2, $3, $4, 'running', $5)
       ON CONFLICT (profile_id, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING RETURNING ${RUN_COLUMNS}`,
      [run.profileId, run.profileName, run.trigger, run.scheduledFor, run.requestedBy],
    );
    return row;
  }

  async heartbeat(sql: Sql, id: string): Promise<void> {
    await sql.query(`UPDATE compliance_runs SET heartbeat_at = now() WHERE id = $1`, [id]);
  }

  async setTotal(sql: Sql, id: string, total: number): Promise<void> {
    await sql.query(`UPDATE compliance_runs SET progress_total = $2 WHERE id = $1`, [id, total]);
  }

  /** Progress counts as a heartbeat too. */
  async setProgress(sql: Sql, id: string, done: number, total: number): Promise<void> {
    await sql.query(`UPDATE compliance_runs SET progress_done = $2, progress_total = $3, heartbeat_at = now() WHERE id = $1`, [id, done, total]);
  }

  async insertResults(sql: Sql, runId: string, results: readonly StoredResult[]): Promise<void> {
    for (let start = 0; start < results.length; start += RESULTS_PER_INSERT) {
      const chunk = results.slice(start, start + RESULTS_PER_INSERT).map((r, i) => ({
        seq: start + i,
        control_id: r.controlId,
        subject_type: r.subject.type,
        subject_id: r.subject.id,
        subject_name: r.subject.name,
        department: r.department,
        status: r.status,
        evidence: r.evidence,
        message: r.message,
        finding_id: r.findingId ?? null,
        risk_accepted_until: r.riskAcceptedUntil ?? null,
      }));
      await sql.query(
        `INSERT INTO compliance_results (run_id, seq, control_id, subject_type, subject_id, subject_name, department, status, evidence, message, finding_id, risk_accepted_until)
         SELECT $1, r.seq, r.control_id, r.subject_type, r.subject_id, r.subject_name, r.department, r.status, r.evidence, r.message, r.finding_id, r.risk_accepted_until
         FROM jsonb_to_recordset($2::jsonb) AS r(seq int, control_id text, subject_type text, subject_id text, subject_name text, department text, status text, evidence jsonb, message jsonb, finding_id uuid, risk_accepted_until date)`,
        [runId, JSON.stringify(chunk)],
      );
    }
  }

  /** Completes the run, freezing the facts and controls it was evaluated with. */
  async complete(sql: Sql, id: string, frozen: { facts: FactsSnapshot; controls: FrozenControl[]; summary: RunSummary }): Promise<void> {
    await sql.query(`UPDATE compliance_runs SET status = 'completed', finished_at = now(), heartbeat_at = now(), facts = $2, controls = $3, summary = $4 WHERE id = $1`, [
      id,
      JSON.stringify(frozen.facts),
      JSON.stringify(frozen.controls),
      JSON.stringify(frozen.summary),
    ]);
  }

  async fail(sql: Sql, id: string, error: string): Promise<void> {
    await sql.query(`UPDATE compliance_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [id, error]);
  }

  /** Newest first; a null profile lists every profile's runs. */
  async list(sql: Sql, profileId: string | null, limit: number): Promise<RunRow[]> {
    return sql.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM compliance_runs WHERE ($1::uuid IS NULL OR profile_id = $1) ORDER BY started_at DESC, id LIMIT $2`, [profileId, limit]);
  }

  async byId(sql: Sql, id: string): Promise<RunRow | undefined> {
    const [row] = await sql.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM compliance_runs WHERE id = $1`, [id]);
    return row;
  }

  /** The controls and facts frozen with a run (null until it completes); undefined for no such run. */
  async frozen(sql: Sql, id: string): Promise<{ controls: FrozenControl[] | null; facts: FactsSnapshot | null } | undefined> {
    const [row] = await sql.query<{ controls: FrozenControl[] | null; facts: FactsSnapshot | null }>(`SELECT controls, facts FROM compliance_runs WHERE id = $1`, [id]);
    return row;
  }

  /** A run's results in evaluation order. */
  async results(sql: Sql, runId: string, filter: ResultFilter): Promise<ResultRow[]> {
    return sql.query<ResultRow>(
      `SELECT control_id, subject_type, subject_id, subject_name, department, status, evidence, message, finding_id, risk_accepted_until::text AS risk_accepted_until
       FROM compliance_results
       WHERE run_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR control_id = $3) AND ($4::text IS NULL OR department = $4)
         AND ($5::text IS NULL OR (subject_type = 'asset' AND department = $5))
       ORDER BY seq`,
      [runId, filter.status, filter.controlId, filter.department, filter.scope],
    );
  }

  /** The profile's last completed run started before the given run. */
  async previousCompleted(sql: Sql, profileId: string | null, runId: string): Promise<{ id: string; started_at: Date } | undefined> {
    const [row] = await sql.query<{ id: string; started_at: Date }>(
      `SELECT id, started_at FROM compliance_runs WHERE profile_id = $1 AND status = 'completed' AND started_at < (SELECT started_at FROM compliance_runs WHERE id = $2)
       ORDER BY started_at DESC LIMIT 1`,
      [profileId, runId],
    );
    return row;
  }

  /** The run that finished last, of any profile, with the controls frozen with it. */
  async latestCompleted(sql: Sql): Promise<{ id: string; profileName: string; finishedAt: Date; controls: FrozenControl[] } | undefined> {
    const [row] = await sql.query<{ id: string; profileName: string; finishedAt: Date; controls: FrozenControl[] }>(
      `SELECT id, profile_name AS "profileName", finished_at AS "finishedAt", controls FROM compliance_runs WHERE status = 'completed' ORDER BY finished_at DESC, id LIMIT 1`,
    );
    return row;
  }
}
