import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SituationService, type PostureReason, type SituationScope } from '../situation/index.js';
import { GRADES, type GradeOrUnrated } from './core/grading.js';
import { phaseOf, type WorkflowState } from './core/workflow.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentsRepository } from './incidents.repository.js';
import { ReportingService } from './reporting.service.js';
import { Clock } from '../shared/index.js';

/** Clocks listed on the situation page; the rest are counted and wait on the incidents page. */
const CLOCKS_SHOWN = 10;
/** Posture deductions: an overdue report to the regulator weighs more than a missed internal target. */
export const INCIDENT_DEDUCTIONS = {
  reporting_overdue: { each: 10, cap: 30 },
  sla_breached: { each: 5, cap: 15 },
} as const;

const GRADE_ORDER: GradeOrUnrated[] = [...GRADES.map((g) => g.id), 'unrated'];
const OPEN_PHASES = ['detect', 'respond', 'recover'] as const;

function deduction(code: keyof typeof INCIDENT_DEDUCTIONS, count: number): PostureReason[] {
  const { each, cap } = INCIDENT_DEDUCTIONS[code];
  return count > 0 ? [{ code, points: Math.min(cap, count * each), params: { count } }] : [];
}

/**
 * The incidents' sections of the situation page: open incidents by national grade and phase
 * (with SLA breaches), and the reporting clocks still running. Owners see the incidents touching
 * their department; the clocks are for the roles that may read them on the incidents API.
 */
@Injectable()
export class IncidentSituationSections implements OnModuleInit {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly situation: SituationService,
    private readonly queries: IncidentQueries,
    private readonly reporting: ReportingService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.situation.register({ key: 'incidents', contribute: (scope) => this.openIncidents(scope) });
    this.situation.register({ key: 'clocks', contribute: (scope) => this.clocks(scope) });
  }

  async openIncidents(scope: SituationScope) {
    const rows = await this.repo.openIncidentClocks(scope.department);
    const byGrade = Object.fromEntries(GRADE_ORDER.map((g) => [g, 0])) as Record<GradeOrUnrated, number>;
    const byPhase = Object.fromEntries(OPEN_PHASES.map((p) => [p, 0])) as Record<(typeof OPEN_PHASES)[number], number>;
    const now = this.clock.now();
    let slaBreached = 0;
    for (const row of rows) {
      byGrade[row.grade]++;
      byPhase[phaseOf(row.state as WorkflowState) as (typeof OPEN_PHASES)[number]]++;
      slaBreached += this.queries.slaStatus(row, now).filter((s) => s.status === 'breached').length;
    }
    return { data: { open: rows.length, byGrade, byPhase, slaBreached }, reasons: deduction('sla_breached', slaBreached) };
  }

  async clocks(scope: SituationScope) {
    // Owners may not read the clocks on the incidents API either.
    if (scope.department !== undefined) return null;
    const clocks = await this.reporting.clocks(this.clock.now(), scope.principal);
    const overdue = clocks.filter((c) => c.notice === 'overdue').length;
    const items = clocks.slice(0, CLOCKS_SHOWN).map(({ incident: { assigneeId: _a, watcherIds: _w, notices: _n, ...incident }, ...clock }) => ({ ...clock, incident }));
    return { data: { total: clocks.length, overdue, items }, reasons: deduction('reporting_overdue', overdue) };
  }
}
