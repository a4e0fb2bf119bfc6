import type { Sql } from '../database/index.js';
import type { Localised, Subject } from './catalogue/index.js';
import type { FindingStatus } from './findings-workflow.js';

export interface FindingRow {
  id: string;
  control_id: string;
  subject_type: string;
  subject_id: string;
  subject_name: string;
  department: string | null;
  severity: string;
  status: FindingStatus;
  message: Localised;
  evidence: Record<string, unknown>;
  first_run_id: string;
  last_run_id: string;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  approver: string | null;
  reason: string | null;
  expires_at: string | null;
  protect_ticket_id: string | null;
  protect_ticket_key: string | null;
  updated_by: string;
  updated_at: Date;
}

/** What a run saw of a control on a subject. */
export interface Sighting {
  controlId: string;
  subject: Subject;
  department: string | null;
  message: Localised;
  evidence: Record<string, unknown>;
}

/** Which findings to list; null fields do not filter. */
export interface FindingFilter {
  status: string | null;
  controlId: string | null;
  department: string | null;
  /** An owner's department: only findings on that department's assets. */
  scope: string | null;
}

/** A finding's key across runs: control, subject type and subject id. */
export const findingKey = (controlId: string, subjectType: string, subjectId: string) => `${controlId}|${subjectType}|${subjectId}`;

const COLUMNS = `id, control_id, subject_type, subject_id, subject_name, department, severity, status, message, evidence, first_run_id, last_run_id, first_seen_at, last_seen_at, resolved_at,
  approver, reason, expires_at::text AS expires_at, protect_ticket_id, protect_ticket_key, updated_by, updated_at`;

const WHERE = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR control_id = $2) AND ($3::text IS NULL OR department = $3)
  AND ($4::text IS NULL OR (subject_type = 'asset' AND department = $4))`;

/**
 * Compliance findings, one per control and subject across runs. Updates that answer the row read
 * it through a CTE, so every `Sql` answers them with plain rows.
 */
export class FindingsRepository {
  /** The findings with these keys (see `findingKey`), locked until the transaction ends. */
  async lockByKeys(sql: Sql, keys: readonly string[]): Promise<FindingRow[]> {
    return sql.query<FindingRow>(`SELECT ${COLUMNS} FROM compliance_findings WHERE control_id || '|' || subject_type || '|' || subject_id = ANY($1::text[]) FOR UPDATE`, [keys]);
  }

  /** Opens a finding first seen by the run; answers its id. */
  async open(sql: Sql, seen: Sighting, severity: string | undefined, runId: string, now: Date, actor: string): Promise<string> {
    const [{ id }] = await sql.query<{ id: string }>(
      `INSERT INTO compliance_findings (control_id, subject_type, subject_id, subject_name, department, severity, status, message, evidence, first_run_id, last_run_id, first_seen_at, last_seen_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9, $10, $10, $11) RETURNING id`,
      [seen.controlId, seen.subject.type, seen.subject.id, seen.subject.name, seen.department, severity, seen.message, seen.evidence, runId, now, actor],
    );
    return id;
  }

  /** Resolves a finding the run saw pass; any risk acceptance goes with it. */
  async resolve(sql: Sql, id: string, now: Date, actor: string): Promise<void> {
    await sql.query(`UPDATE compliance_findings SET status = 'resolved', resolved_at = $2, approver = NULL, reason = NULL, expires_at = NULL, updated_by = $3, updated_at = now() WHERE id = $1`, [id, now, actor]);
  }

  /**
   * Records that the run saw the finding fail again. `reopenedBy` names who reopens it: a reopened
   * finding drops the acceptance that ran out (the audit trail keeps who had given it).
   */
  async seenAgain(sql: Sql, id: string, status: FindingStatus, seen: Sighting, runId: string, now: Date, reopenedBy?: string): Promise<void> {
    await sql.query(
      `UPDATE compliance_findings SET status = $2, subject_name = $3, department = $4, message = $5, evidence = $6, last_run_id = $7, last_seen_at = $8,
         resolved_at = NULL${reopenedBy !== undefined ? ', approver = NULL, reason = NULL, expires_at = NULL, updated_by = $9, updated_at = now()' : ''}
       WHERE id = $1`,
      [id, status, seen.subject.name, seen.department, seen.message, seen.evidence, runId, now, ...(reopenedBy !== undefined ? [reopenedBy] : [])],
    );
  }

  async count(sql: Sql, filter: FindingFilter): Promise<number> {
    const [{ total }] = await sql.query<{ total: number }>(`SELECT count(*)::int AS total FROM compliance_findings WHERE ${WHERE}`, [filter.status, filter.controlId, filter.department, filter.scope]);
    return total;
  }

  /** Open ones first, then in remediation, accepted, resolved; each newest seen first. */
  async page(sql: Sql, filter: FindingFilter, limit: number, offset: number): Promise<FindingRow[]> {
    return sql.query<FindingRow>(
      `SELECT ${COLUMNS} FROM compliance_findings WHERE ${WHERE}
       ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'in_remediation' THEN 1 WHEN 'risk_accepted' THEN 2 ELSE 3 END, last_seen_at DESC, id LIMIT $5 OFFSET $6`,
      [filter.status, filter.controlId, filter.department, filter.scope, limit, offset],
    );
  }

  /** The finding, locked until the transaction ends. */
  async lock(sql: Sql, id: string): Promise<FindingRow | undefined> {
    const [row] = await sql.query<FindingRow>(`SELECT ${COLUMNS} FROM compliance_findings WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  /** Moves the finding to a status a person chose; acceptance fields are null unless the risk is accepted. */
  async move(
    sql: Sql,
    id: string,
    to: { status: FindingStatus; approver: string | null; reason: string | null; expiresAt: string | null; resolvedAt: Date | null },
    actor: string,
  ): Promise<FindingRow> {
    const [row] = await sql.query<FindingRow>(
      `UPDATE compliance_findings SET status = $2, approver = $3, reason = $4, expires_at = $5, resolved_at = $6, updated_by = $7, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, to.status, to.approver, to.reason, to.expiresAt, to.resolvedAt, actor],
    );
    return row;
  }

  async linkProtectTicket(sql: Sql, id: string, ticket: { id: string; key: string }, actor: string): Promise<FindingRow> {
    const [row] = await sql.query<FindingRow>(
      `UPDATE compliance_findings SET protect_ticket_id = $2, protect_ticket_key = $3, updated_by = $4, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ticket.id, ticket.key, actor],
    );
    return row;
  }
}
