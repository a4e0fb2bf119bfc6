import { Injectable } from '@nestjs/common';
import { invalidFields } from '../common/index.js';
import { AuditService } from '../audit/index.js';
import { actorName, departmentScope, type Caller, type Principal } from '../auth/index.js';
import { IncidentsService } from '../incidents/index.js';
import type { CheckResult, Control, Localised } from './catalogue/index.js';
import type { FindingListQuery, FindingTransitionDto } from './dto.js';
import { allowedMoves, reconcile, transitionProblems, type FindingStatus } from './findings-workflow.js';
import { evidenceWords, type EvidenceLang, type EvidenceLine } from './evidence-labels.js';
import { complianceErrors } from './errors.js';
import { Database, LockId, lockForTransaction, type Sql } from '../database/index.js';
import { FindingsRepository, findingKey, type FindingFilter, type FindingRow } from './findings.repository.js';

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
  private readonly stored = new FindingsRepository();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly incidents: IncidentsService,
  ) {}

  /**
   * Applies one run's results to the findings of the controls and subjects it evaluated, inside
   * the run's transaction; marks each result with its finding and any risk acceptance.
   */
  async reconcileRun(tx: Sql, runId: string, results: RunResult[], controls: readonly Control[], now: Date): Promise<FindingChanges> {
    // Runs finishing at once would both try to open the same new findings.
    await lockForTransaction(tx, LockId.ComplianceFindings);
    const severity = new Map(controls.map((c) => [c.id, c.severity]));
    const keys = results.map((r) => findingKey(r.controlId, r.subject.type, r.subject.id));
    const rows = await this.stored.lockByKeys(tx, keys);
    const existing = new Map(rows.map((r) => [findingKey(r.control_id, r.subject_type, r.subject_id), r]));
    const changes: FindingChanges = { opened: 0, reopened: 0, resolved: 0, accepted: 0 };
    const actor = `audit-run:${runId}`;
    for (const [i, result] of results.entries()) {
      const current = existing.get(keys[i]);
      const plan = reconcile(current && { status: current.status, expiresAt: current.expires_at }, result.status, now);
      if (plan.action === 'none') continue;
      if (plan.action === 'create') {
        result.findingId = await this.stored.open(tx, result, severity.get(result.controlId), runId, now, actor);
        changes.opened++;
        continue;
      }
      result.findingId = current!.id;
      if (plan.action === 'resolve') {
        await this.stored.resolve(tx, current!.id, now, actor);
        changes.resolved++;
        continue;
      }
      if (plan.action === 'reopen') changes.reopened++;
      if (plan.riskAcceptedUntil) {
        result.riskAcceptedUntil = plan.riskAcceptedUntil;
        changes.accepted++;
      }
      await this.stored.seenAgain(tx, current!.id, plan.status!, result, runId, now, plan.action === 'reopen' ? actor : undefined);
    }
    return changes;
  }

  async list(query: FindingListQuery, principal: Principal): Promise<{ items: FindingView[]; total: number }> {
    const filter: FindingFilter = { status: query.status ?? null, controlId: query.controlId ?? null, department: query.department ?? null, scope: departmentScope(principal) ?? null };
    const total = await this.stored.count(this.db, filter);
    const rows = await this.stored.page(this.db, filter, query.limit ?? 100, query.offset ?? 0);
    return { items: rows.map(toView), total };
  }

  private async lockFinding(tx: Sql, id: string): Promise<FindingRow> {
    const row = await this.stored.lock(tx, id);
    if (!row) throw complianceErrors.finding_not_found({ id });
    return row;
  }

  async transition(id: string, input: FindingTransitionDto, caller: Caller): Promise<FindingView> {
    return this.audit.change(async (m) => {
      const row = await this.lockFinding(m, id);
      const now = new Date();
      if (!allowedMoves(row.status).includes(input.to))
        throw complianceErrors.finding_move_refused({ from: row.status, to: input.to }, { allowed: allowedMoves(row.status) });
      const problems = transitionProblems(row.status, input, now);
      if (problems.length) throw invalidFields(problems);
      const before = toView(row);
      const accepted = input.to === 'risk_accepted';
      const updated = await this.stored.move(
        m,
        id,
        { status: input.to, approver: accepted ? (input.approver ?? null) : null, reason: accepted ? (input.reason ?? null) : null, expiresAt: accepted ? (input.expiresAt ?? null) : null, resolvedAt: input.to === 'resolved' ? now : null },
        actorName(caller.principal),
      );
      const after = toView(updated);
      return { result: after, record: { ...caller, action: 'compliance.finding.transition', targetType: 'compliance_finding', targetId: id, before, after: { ...after, note: input.reason ?? null } } };
    });
  }

  /** A protect ticket for the remediation, opened once per finding. */
  async openProtectTicket(id: string, caller: Caller): Promise<FindingView> {
    return this.audit.change(async (m) => {
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
      const after = toView(await this.stored.linkProtectTicket(m, id, ticket, actorName(caller.principal)));
      return { result: after, record: { ...caller, action: 'compliance.finding.protect_ticket', targetType: 'compliance_finding', targetId: id, before: toView(row), after } };
    });
  }
}
