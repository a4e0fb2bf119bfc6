import { Injectable } from '@nestjs/common';
import { invalidFields } from '../common/index.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/index.js';
import { actorName, departmentScope, type Caller, type Principal } from '../auth/index.js';
import { IncidentsService } from '../incidents/index.js';
import type { CheckResult, Control, Localised } from './catalogue/index.js';
import type { FindingListQuery, FindingTransitionDto } from './dto.js';
import { allowedMoves, reconcile, transitionProblems, type FindingStatus } from './findings-workflow.js';
import { evidenceWords, type EvidenceLang, type EvidenceLine } from './evidence-labels.js';
import { complianceErrors } from './errors.js';
import { LockId, lockForTransaction } from '../database/index.js';

export interface FindingView {
  id: string;
  controlId: string;
  subject: { type: string; id: string; name: string };
  department: string | null;
  severity: string;
  status: FindingStatus;
  message: Localised;
  evidence: Record<string, unknown>;
  /** The evidence in words (evidence-labels.ts). */
  evidenceWords: Record<EvidenceLang, EvidenceLine[]>;
  firstRunId: string;
  lastRunId: string;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  riskAcceptance: { approver: string; reason: string; expiresAt: string } | null;
  protectTicket: { id: string; key: string } | null;
  updatedBy: string;
  updatedAt: string;
}

interface FindingRow {
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

const COLUMNS = `id, control_id, subject_type, subject_id, subject_name, department, severity, status, message, evidence, first_run_id, last_run_id, first_seen_at, last_seen_at, resolved_at,
  approver, reason, expires_at::text AS expires_at, protect_ticket_id, protect_ticket_key, updated_by, updated_at`;

function toView(r: FindingRow): FindingView {
  return {
    id: r.id,
    controlId: r.control_id,
    subject: { type: r.subject_type, id: r.subject_id, name: r.subject_name },
    department: r.department,
    severity: r.severity,
    status: r.status,
    message: r.message,
    evidence: r.evidence,
    evidenceWords: evidenceWords(r.evidence),
    firstRunId: r.first_run_id,
    lastRunId: r.last_run_id,
    firstSeenAt: r.first_seen_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    riskAcceptance: r.status === 'risk_accepted' ? { approver: r.approver!, reason: r.reason!, expiresAt: r.expires_at! } : null,
    protectTicket: r.protect_ticket_id ? { id: r.protect_ticket_id, key: r.protect_ticket_key! } : null,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at.toISOString(),
  };
}

/** One audit result as the run hands it over, with the department of its asset. */
export interface RunResult extends CheckResult {
  controlId: string;
  department: string | null;
  findingId?: string;
  riskAcceptedUntil?: string;
}

export interface FindingChanges {
  opened: number;
  reopened: number;
  resolved: number;
  /** Failures whose risk acceptance still holds. */
  accepted: number;
}

/**
 * Findings: one per control and subject, living across runs. Runs open, reopen and resolve them;
 * people move them through remediation or accept the risk for a while.
 */
@Injectable()
export class FindingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly incidents: IncidentsService,
  ) {}

  /**
   * Applies one run's results to the findings of the controls and subjects it evaluated, inside
   * the run's transaction; marks each result with its finding and any risk acceptance.
   */
  async reconcileRun(m: EntityManager, runId: string, results: RunResult[], controls: readonly Control[], now: Date): Promise<FindingChanges> {
    // Runs finishing at once would both try to open the same new findings.
    await lockForTransaction(m, LockId.ComplianceFindings);
    const severity = new Map(controls.map((c) => [c.id, c.severity]));
    const keys = results.map((r) => `${r.controlId}|${r.subject.type}|${r.subject.id}`);
    const rows = (await m.query(`SELECT ${COLUMNS} FROM compliance_findings WHERE control_id || '|' || subject_type || '|' || subject_id = ANY($1::text[]) FOR UPDATE`, [keys])) as FindingRow[];
    const existing = new Map(rows.map((r) => [`${r.control_id}|${r.subject_type}|${r.subject_id}`, r]));
    const changes: FindingChanges = { opened: 0, reopened: 0, resolved: 0, accepted: 0 };
    const actor = `audit-run:${runId}`;
    for (const [i, result] of results.entries()) {
      const current = existing.get(keys[i]);
      const plan = reconcile(current && { status: current.status, expiresAt: current.expires_at }, result.status, now);
      if (plan.action === 'none') continue;
      if (plan.action === 'create') {
        const [{ id }] = (await m.query(
          `INSERT INTO compliance_findings (control_id, subject_type, subject_id, subject_name, department, severity, status, message, evidence, first_run_id, last_run_id, first_seen_at, last_seen_at, updated_by)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9, $10, $10, $11) RETURNING id`,
          [result.controlId, result.subject.type, result.subject.id, result.subject.name, result.department, severity.get(result.controlId), result.message, result.evidence, runId, now, actor],
        )) as { id: string }[];
        result.findingId = id;
        changes.opened++;
        continue;
      }
      result.findingId = current!.id;
      if (plan.action === 'resolve') {
        await m.query(`UPDATE compliance_findings SET status = 'resolved', resolved_at = $2, approver = NULL, reason = NULL, expires_at = NULL, updated_by = $3, updated_at = now() WHERE id = $1`, [current!.id, now, actor]);
        changes.resolved++;
        continue;
      }
      if (plan.action === 'reopen') changes.reopened++;
      if (plan.riskAcceptedUntil) {
        result.riskAcceptedUntil = plan.riskAcceptedUntil;
        changes.accepted++;
      }
      // A reopened finding drops the acceptance that ran out; the audit trail keeps who had given it.
      await m.query(
        `UPDATE compliance_findings SET status = $2, subject_name = $3, department = $4, message = $5, evidence = $6, last_run_id = $7, last_seen_at = $8,
           resolved_at = NULL${plan.action === 'reopen' ? ', approver = NULL, reason = NULL, expires_at = NULL, updated_by = $9, updated_at = now()' : ''}
         WHERE id = $1`,
        [current!.id, plan.status, result.subject.name, result.department, result.message, result.evidence, runId, now, ...(plan.action === 'reopen' ? [actor] : [])],
      );
    }
    return changes;
  }

  async list(query: FindingListQuery, principal: Principal): Promise<{ items: FindingView[]; total: number }> {
    const scope = departmentScope(principal);
    const params: unknown[] = [query.status ?? null, query.controlId ?? null, query.department ?? null, scope ?? null];
    const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR control_id = $2) AND ($3::text IS NULL OR department = $3)
      AND ($4::text IS NULL OR (subject_type = 'asset' AND department = $4))`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM compliance_findings WHERE ${where}`, params)) as { total: number }[];
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM compliance_findings WHERE ${where}
       ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'in_remediation' THEN 1 WHEN 'risk_accepted' THEN 2 ELSE 3 END, last_seen_at DESC, id LIMIT $5 OFFSET $6`,
      [...params, query.limit ?? 100, query.offset ?? 0],
    )) as FindingRow[];
    return { items: rows.map(toView), total };
  }

  private async lockFinding(m: EntityManager, id: string): Promise<FindingRow> {
    const [row] = (await m.query(`SELECT ${COLUMNS} FROM compliance_findings WHERE id = $1 FOR UPDATE`, [id])) as FindingRow[];
    if (!row) throw complianceErrors.finding_not_found({ id });
    return row;
  }

  async transition(id: string, input: FindingTransitionDto, caller: Caller): Promise<FindingView> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.lockFinding(m, id);
      const now = new Date();
      if (!allowedMoves(row.status).includes(input.to))
        throw complianceErrors.finding_move_refused({ from: row.status, to: input.to }, { allowed: allowedMoves(row.status) });
      const problems = transitionProblems(row.status, input, now);
      if (problems.length) throw invalidFields(problems);
      const before = toView(row);
      const accepted = input.to === 'risk_accepted';
      // TypeORM answers an UPDATE with [rows, count].
      const [[updated]] = (await m.query(
        `UPDATE compliance_findings SET status = $2, approver = $3, reason = $4, expires_at = $5, resolved_at = $6, updated_by = $7, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, input.to, accepted ? input.approver : null, accepted ? input.reason : null, accepted ? input.expiresAt : null, input.to === 'resolved' ? now : null, actorName(caller.principal)],
      )) as [FindingRow[], number];
      const after = toView(updated);
      await this.audit.record({ ...caller, action: 'compliance.finding.transition', targetType: 'compliance_finding', targetId: id, before, after: { ...after, note: input.reason ?? null } }, m);
      return after;
    });
  }

  /** A protect ticket for the remediation, opened once per finding. */
  async openProtectTicket(id: string, caller: Caller): Promise<FindingView> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.lockFinding(m, id);
      if (row.protect_ticket_id) throw complianceErrors.finding_has_ticket({ key: row.protect_ticket_key }, { key: row.protect_ticket_key });
      if (row.status === 'resolved') throw complianceErrors.finding_resolved();
      const ticket = await this.incidents.openProtectTicket(
        {
          title: `合规整改 ${row.control_id}：${row.subject_name}`,
          description: `${row.message['zh-CN']}\n${row.message.en}\n\n合规发现项 / compliance finding ${row.id} (${row.control_id}, ${row.subject_type} ${row.subject_id})`,
          assetIds: row.subject_type === 'asset' ? [row.subject_id] : [],
          source: { type: 'compliance_finding', id: row.id },
        },
        caller,
        m,
      );
      const [[updated]] = (await m.query(`UPDATE compliance_findings SET protect_ticket_id = $2, protect_ticket_key = $3, updated_by = $4, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [
        id,
        ticket.id,
        ticket.key,
        actorName(caller.principal),
      ])) as [FindingRow[], number];
      const after = toView(updated);
      await this.audit.record({ ...caller, action: 'compliance.finding.protect_ticket', targetType: 'compliance_finding', targetId: id, before: toView(row), after }, m);
      return after;
    });
  }
}
