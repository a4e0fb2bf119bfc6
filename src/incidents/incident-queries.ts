import { Inject, Injectable } from '@nestjs/common';
import { departmentScope, readerLanguage, type Principal } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { RuleCatalogue } from '../detection/index.js';
import { assessmentOf, reporterTypeFor } from './core/deadlines.js';
import { nextStates, phaseOf } from './core/workflow.js';
import { incidentErrors } from './errors.js';
import { IncidentRules } from './incident-rules.js';
import { IncidentsRepository, type IncidentFilter, type IncidentRow, type Tx } from './incidents.repository.js';
import { Clock } from '../shared/index.js';

/**
 * The read side of incidents: lists, one incident's detail, what is visible to whom, and the
 * clocks read off an incident (SLA targets, the pending assessment). Nothing here changes a row.
 */
@Injectable()
export class IncidentQueries {
  constructor(
    private readonly repo: IncidentsRepository,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly rules: IncidentRules,
    private readonly catalogue: RuleCatalogue,
    private readonly clock: Clock,
  ) {}

  async list(
    q: Omit<IncidentFilter, 'department'>,
    principal: Principal,
  ): Promise<{ items: (IncidentRow & { sla: ReturnType<IncidentQueries['slaStatus']>; assessment: ReturnType<IncidentQueries['assessmentWith']> })[]; total: number }> {
    const { rows, total } = await this.repo.list({ ...q, department: departmentScope(principal) });
    const now = this.clock.now();
    // One read of every asset on the page, rather than one per incident.
    const assets = await this.repo.assetsById(this.repo.pool, [...new Set(rows.flatMap((r) => r.assetIds))]);
    const items = rows.map((r) => ({ ...r, sla: this.slaStatus(r, now), assessment: this.assessmentWith(r, r.assetIds.flatMap((id) => assets.get(id) ?? []), now) }));
    return { items, total };
  }

  /** 待研判 or not: see assessmentOf. The reporter type follows the assets, as the report's does. */
  async assessment(m: Tx, incident: IncidentRow, now: Date) {
    return this.assessmentWith(incident, [...(await this.repo.assetsById(m, incident.assetIds)).values()], now);
  }

  assessmentWith(incident: IncidentRow, assets: readonly { cii: boolean }[], now: Date) {
    if (incident.kind !== 'incident') return { status: 'not_needed' as const };
    const reporterType = reporterTypeFor(this.settings.TAISHI_ORGANISATION_TYPE, assets);
    return assessmentOf({
      gradeSource: incident.gradeSource,
      grade: incident.grade,
      proposed: incident.proposal?.grade ?? incident.grade,
      reporterType,
      discoveredAt: incident.detectedAt,
      slaMs: this.rules.policy.assessment.slaMs,
      now,
    });
  }

  /** One ticket by id or key, or 404 when it does not exist or the caller may not see it. */
  async findVisible(idOrKey: string, principal: Principal, m: Tx = this.repo.pool, lock = false): Promise<IncidentRow> {
    const byKey = /^(INC|PRT)-\d{4}-\d{4,}$/.test(idOrKey);
    if (!byKey && !/^[0-9a-f-]{36}$/i.test(idOrKey)) throw incidentErrors.not_found({ id: idOrKey });
    const row = await this.repo.findByIdOrKey(m, byKey ? 'key' : 'id', idOrKey, lock);
    const scope = departmentScope(principal);
    if (!row || (scope !== undefined && !row.departments.includes(scope))) throw incidentErrors.not_found({ id: idOrKey });
    return row;
  }

  async detail(idOrKey: string, principal: Principal) {
    const incident = await this.findVisible(idOrKey, principal);
    const [tasks, timeline, comments, alerts] = await Promise.all([
      this.repo.tasksOf(incident.id),
      this.repo.timelineOf(incident.id),
      this.repo.commentsOf(incident.id),
      this.repo.alertsOf(incident.id),
    ]);
    const now = this.clock.now();
    return {
      ...incident,
      phase: phaseOf(incident.state),
      next: nextStates(incident.state),
      sla: this.slaStatus(incident, now),
      assessment: await this.assessment(this.repo.pool, incident, now),
      tasks,
      timeline,
      comments,
      alerts: alerts.map((a) => ({ ...a, ruleTitle: this.catalogue.title(a.ruleId, a.ruleTitle, readerLanguage(principal)) })),
      evidenceEventIds: [...new Set(alerts.flatMap((a) => a.eventIds))].slice(0, 500),
    };
  }

  /**
   * Mean time to acknowledge and to recover, per grade and month of detection (Beijing time), in
   * minutes, over incidents that got that far. Dismissed incidents are left out: they measure
   * triage, not response.
   */
  meanTimes(months: number) {
    return this.repo.meanTimes(months);
  }

  /** Each SLA target's due time and whether it was met, is running or is breached. */
  slaStatus(incident: Pick<IncidentRow, 'kind' | 'grade' | 'detectedAt' | 'acknowledgedAt' | 'containedAt' | 'recoveredAt' | 'state'>, now: Date) {
    if (incident.kind !== 'incident') return [];
    const targets = this.rules.policy.sla[incident.grade];
    const done = { acknowledge: incident.acknowledgedAt, contain: incident.containedAt, recover: incident.recoveredAt };
    const dismissed = ['false_positive', 'benign', 'duplicate'].includes(incident.state);
    return (Object.keys(targets) as (keyof typeof targets)[]).map((target) => {
      const dueAt = new Date(incident.detectedAt.getTime() + targets[target]);
      const at = done[target];
      const status = at ? (at <= dueAt ? 'met' : 'missed') : dismissed ? 'not_needed' : now > dueAt ? 'breached' : 'running';
      return { target, dueAt, status, at };
    });
  }
}
