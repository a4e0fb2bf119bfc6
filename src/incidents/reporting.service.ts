import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { actorName, departmentScope, type Caller, type Principal } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { clockState, closingSummaryDue, escalationStep, legalClockRuns, reporterTypeFor, reportingDeadline, type Clock } from './core/deadlines.js';
import {
  advanceReport,
  draftInitialReport,
  piplNoticeGaps,
  submissionCheck,
  summaryGaps,
  INITIAL_REPORT_ITEMS,
  type ClosingSummary,
  type InitialReportInput,
  type PiplNotice,
  type ReportStatus,
} from './core/report.js';
import { incidentErrors } from './errors.js';
import { IncidentRules } from './incident-rules.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentsRepository, type IncidentRow, type StoredReport, type Tx } from './incidents.repository.js';
import { IncidentsService, summary } from './incidents.service.js';
import { Clock as TimeSource } from '../shared/index.js';

export interface RunningClock {
  incident: ReturnType<typeof summary> & { assigneeId: string | null; watcherIds: string[]; notices: string[] };
  clock: 'initial_report' | 'closing_summary';
  startsAt: Date;
  dueAt: Date;
  fraction: number;
  notice: '50%' | '80%' | 'overdue' | null;
  recipients: { 'zh-CN': string; en: string }[];
}

const EMPTY: StoredReport = { status: 'draft', content: {}, summary: {}, pipl: null, initialSubmittedAt: null, finalAt: null, updatedBy: '', updatedAt: new Date(0) };

/**
 * Reports to the authorities for incidents graded 较大 and above: the initial report against the
 * clock that starts at discovery, supplements, the closing summary due 30 days after handling
 * ends, and the PIPL Art. 57 record for personal-data leaks.
 */
@Injectable()
export class ReportingService {
  constructor(
    private readonly repo: IncidentsRepository,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly incidents: IncidentsService,
    private readonly queries: IncidentQueries,
    private readonly rules: IncidentRules,
    private readonly clock: TimeSource,
  ) {}

  async get(idOrKey: string, principal: Principal) {
    const incident = await this.queries.findVisible(idOrKey, principal);
    return this.view(this.repo.pool, incident, await this.stored(this.repo.pool, incident.id), this.clock.now());
  }

  async update(idOrKey: string, patch: { content?: Partial<InitialReportInput>; summary?: ClosingSummary; pipl?: PiplNotice; status?: ReportStatus; missingReason?: string }, caller: Caller) {
    return this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      if (incident.kind !== 'incident') throw incidentErrors.protect_ticket_no_report();
      const before = await this.stored(m, incident.id);
      const next: StoredReport = {
        ...before,
        content: patch.content ? { ...before.content, ...patch.content } : before.content,
        summary: patch.summary ? { ...before.summary, ...patch.summary } : before.summary,
        pipl: patch.pipl ?? before.pipl,
      };
      if (patch.status && patch.status !== before.status) {
        const step = advanceReport(before.status, patch.status, next.summary);
        if (!step.ok)
          throw step.reason === 'summary_incomplete'
            ? incidentErrors.report_summary_incomplete({ missing: step.missing! }, { reason: step.reason, allowed: step.allowed, missing: step.missing })
            : incidentErrors.report_move_refused({ from: before.status, to: patch.status }, { reason: step.reason, allowed: step.allowed, missing: step.missing });
        if (patch.status === 'final' && incident.handlingEndedAt === null)
          throw incidentErrors.report_handling_not_ended({ key: incident.key, state: incident.state }, { reason: 'handling_not_ended' });
        if (patch.status === 'initial_submitted' || patch.status === 'supplementary') {
          // Art. 7: what is known goes in; a missing mandatory item needs the submitter's reason.
          const check = submissionCheck(draftInitialReport(await this.content(m, incident, next)), patch.missingReason);
          if (!check.ok) {
            const labels = check.missing.map((id) => INITIAL_REPORT_ITEMS.find((i) => i.id === id)!.label);
            throw incidentErrors.report_items_missing({ missing: labels.map((l) => l['zh-CN']).join('、') }, { reason: 'items_missing', missing: check.missing, labels });
          }
        }
        next.status = patch.status;
        if (patch.status === 'initial_submitted') next.initialSubmittedAt = this.clock.now();
        if (patch.status === 'final') next.finalAt = this.clock.now();
      }
      await this.repo.saveReport(m, incident.id, { ...next, updatedBy: actorName(caller.principal) });
      const changed = Object.keys(patch);
      await this.incidents.timeline(m, incident.id, caller, 'report_updated', { changed, status: next.status, ...(patch.missingReason ? { missingReason: patch.missingReason } : {}) });
      await this.audit.record({ ...caller, action: 'incident.report', targetType: 'incident', targetId: incident.id, before, after: next }, m);
      return this.view(m, incident, await this.stored(m, incident.id), this.clock.now());
    });
  }

  /** Every reporting clock still running, most urgent first: the compliance officer's list. */
  async clocks(now: Date, principal?: Principal): Promise<RunningClock[]> {
    const scope = principal ? departmentScope(principal) : undefined;
    const rows = await this.repo.reportableIncidents(scope);
    // One read of every asset involved, rather than one per incident.
    const assets = await this.repo.assetsById(this.repo.pool, [...new Set(rows.flatMap((r) => r.assetIds))]);
    const out: RunningClock[] = [];
    for (const row of rows) {
      const incident = { ...summary(row), assigneeId: row.assigneeId, watcherIds: row.watcherIds, notices: row.notices };
      const reporterType = reporterTypeFor(this.settings.TAISHI_ORGANISATION_TYPE, row.assetIds.flatMap((id) => assets.get(id) ?? []));
      const deadline = reportingDeadline({ grade: row.grade, reporterType, discoveredAt: row.detectedAt })!;
      if ((row.reportStatus ?? 'draft') === 'draft') out.push(this.running(incident, 'initial_report', deadline, deadline.recipients, now));
      else if (row.handlingEndedAt) out.push(this.running(incident, 'closing_summary', closingSummaryDue(row.handlingEndedAt), deadline.recipients, now));
    }
    return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  private running(incident: RunningClock['incident'], clock: RunningClock['clock'], c: Clock, recipients: RunningClock['recipients'], now: Date): RunningClock {
    const state = clockState(c, now);
    return { incident, clock, startsAt: c.startsAt, dueAt: c.dueAt, fraction: Math.round(state.fraction * 1000) / 1000, notice: state.notify, recipients };
  }

  private async reporterType(m: Tx, assetIds: string[]) {
    return reporterTypeFor(this.settings.TAISHI_ORGANISATION_TYPE, [...(await this.repo.assetsById(m, assetIds)).values()]);
  }

  private async stored(m: Tx, incidentId: string): Promise<StoredReport> {
    return (await this.repo.report(m, incidentId)) ?? EMPTY;
  }

  /** The draft fills what Taishi knows (unit, systems, discovery, type and grade); people write the rest. */
  private async content(m: Tx, incident: IncidentRow, report: Pick<StoredReport, 'content'>): Promise<InitialReportInput> {
    const assets = await this.repo.assetsById(m, incident.assetIds);
    const known: InitialReportInput = {
      unit: this.settings.TAISHI_ORGANISATION_NAME,
      systems: [...assets.values()].map((a) => a.name),
      discoveredAt: incident.detectedAt,
      category: incident.category ?? undefined,
      grade: incident.grade,
    };
    // A field the request left out arrives as undefined and must not blank what Taishi knows.
    const written = Object.fromEntries(Object.entries(report.content).filter(([, v]) => v !== undefined));
    return { ...known, ...written, grade: incident.grade } as InitialReportInput;
  }

  private async view(m: Tx, incident: IncidentRow, report: StoredReport, now: Date) {
    const reporterType = await this.reporterType(m, incident.assetIds);
    const content = await this.content(m, incident, report);
    // The legal clock runs on a confirmed grade only; before that the assessment says what would apply.
    const deadline = legalClockRuns(incident) ? reportingDeadline({ grade: incident.grade, reporterType, discoveredAt: incident.detectedAt }) : null;
    const handlingEnded = incident.handlingEndedAt ? closingSummaryDue(incident.handlingEndedAt) : null;
    // PIPL Art. 57 binds every leak of personal information, whatever category the incident has.
    const personalData = incident.category === 'data_security' || report.pipl !== null || (incident.gradingFacts?.personalDataExposed ?? 0) > 0;
    return {
      incident: summary(incident),
      reportRequired: deadline !== null,
      reporterType,
      assessment: await this.queries.assessment(m, incident, now),
      // The report's header: who reports, to whom, through which offices here (county → city → province).
      header: { unit: this.settings.TAISHI_ORGANISATION_NAME, reporterType, recipients: deadline?.recipients ?? [], route: this.rules.contacts },
      escalation: escalationStep(incident.grade, reporterType),
      status: report.status,
      initialSubmittedAt: report.initialSubmittedAt,
      finalAt: report.finalAt,
      deadline: deadline && { ...deadline, ...clockState(deadline, now), met: report.initialSubmittedAt ? report.initialSubmittedAt <= deadline.dueAt : null },
      draft: draftInitialReport(content),
      summary: { content: report.summary, missing: summaryGaps(report.summary), dueAt: handlingEnded?.dueAt ?? null },
      pipl: personalData ? { record: report.pipl, missing: piplNoticeGaps(report.pipl ?? { content: {} }) } : null,
      updatedBy: report.updatedBy || null,
      updatedAt: report.updatedBy ? report.updatedAt : null,
    };
  }
}
