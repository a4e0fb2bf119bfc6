import type { Localised } from '../../shared/index.js';
import { gradeAtLeast, type GradeOrUnrated } from './grading.js';

/**
 * Reporting deadlines of the CAC incident-reporting measures (2025) [S]: incidents graded 较大 or
 * above are reported within a few hours of discovery, and a closing summary follows within 30
 * days of the end of handling (Art. 8) [S]. The fourth row of the measures' table (provincial CAC
 * to national CAC within 1 h) binds the regulator, not the organisations Taishi serves, so it is
 * not here.
 */

// The same reporter types the compliance check `incident_reported_in_time` uses.
/** Who reports an incident, which decides the first report's deadline (see the catalogue's INC-REPORT-DEADLINE). */
export const REPORTER_TYPES = ['cii_operator', 'central_organ', 'other_operator'] as const;
export type ReporterType = (typeof REPORTER_TYPES)[number];
/** What an organisation can be in its settings; `cii_operator` follows from the assets instead. */
export type OrganisationType = Exclude<ReporterType, 'cii_operator'>;

interface ReportingRule {
  hours: number;
  recipients: Localised[];
}

/** Basis [S] for every row. */
export const REPORTING_RULES: Readonly<Record<ReporterType, ReportingRule>> = {
  cii_operator: {
    hours: 1,
    recipients: [
      { 'zh-CN': '保护工作部门', en: 'the CII protection department' },
      { 'zh-CN': '公安机关', en: 'public security' },
    ],
  },
  central_organ: { hours: 2, recipients: [{ 'zh-CN': '本部门网信工作机构', en: "the department's own cyberspace office" }] },
  other_operator: { hours: 4, recipients: [{ 'zh-CN': '所在地省级网信部门', en: 'the provincial cyberspace administration where the operator is located' }] },
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const CLOSING_SUMMARY_DAYS = 30;

/** A running clock: notifications are measured on the span from `startsAt` to `dueAt`. */
export interface Clock {
  startsAt: Date;
  dueAt: Date;
}

export interface ReportingDeadline extends Clock {
  hours: number;
  recipients: Localised[];
}

/**
 * Whoever runs CII reports as a CII operator when the incident touches a CII asset (CII Regs
 * Art. 18 [V]); otherwise the organisation's own type from its settings applies.
 */
export function reporterTypeFor(organisationType: OrganisationType, assets: readonly { cii: boolean }[]): ReporterType {
  return assets.some((a) => a.cii) ? 'cii_operator' : organisationType;
}

/**
 * The deadline for the initial report, or null when none is due: 一般 incidents need no report,
 * and an unrated incident has no grade to report on yet (grading it is the analyst's next step).
 */
export function reportingDeadline(input: { grade: GradeOrUnrated; reporterType: ReporterType; discoveredAt: Date }): ReportingDeadline | null {
  if (!gradeAtLeast(input.grade, 'relatively_major')) return null;
  const rule = REPORTING_RULES[input.reporterType];
  return {
    startsAt: input.discoveredAt,
    dueAt: new Date(input.discoveredAt.getTime() + rule.hours * HOUR_MS),
    hours: rule.hours,
    recipients: rule.recipients,
  };
}

/**
 * The next step the measures (Art. 4) give the recipient of a CII operator's report: for 重大 and
 * 特别重大 the protection department reports to the national CAC and the State Council public
 * security department within 30 minutes of receiving it. Shown so the operator knows what its
 * report sets off; it is not the operator's own deadline.
 */
export interface EscalationStep {
  by: Localised;
  to: Localised[];
  withinMinutes: number;
}

export function escalationStep(grade: GradeOrUnrated, reporterType: ReporterType): EscalationStep | null {
  if (reporterType !== 'cii_operator' || !gradeAtLeast(grade, 'major')) return null;
  return {
    by: { 'zh-CN': '保护工作部门', en: 'the CII protection department' },
    to: [
      { 'zh-CN': '国家网信部门', en: 'the national cyberspace administration' },
      { 'zh-CN': '国务院公安部门', en: 'the State Council public security department' },
    ],
    withinMinutes: 30,
  };
}

/**
 * Where an incident stands before the legal clock: a proposal of 较大 or above waits for the
 * analyst's assessment (研判) within the policy's SLA, counted from discovery; beside it, the
 * reporting deadline that would apply if the analyst confirms, also counted from discovery (the
 * measures count from discovery, not from the assessment). Once an analyst has set the grade the
 * assessment is done and the legal clock (if any) is the report's.
 */
export type Assessment =
  | { status: 'not_needed' }
  | { status: 'confirmed'; grade: GradeOrUnrated }
  | { status: 'pending'; proposed: GradeOrUnrated; dueAt: Date; overdue: boolean; wouldBeDeadline: ReportingDeadline };

export function assessmentOf(input: {
  gradeSource: 'proposal' | 'analyst';
  grade: GradeOrUnrated;
  proposed: GradeOrUnrated;
  reporterType: ReporterType;
  discoveredAt: Date;
  slaMs: number;
  now: Date;
}): Assessment {
  if (input.gradeSource === 'analyst') return { status: 'confirmed', grade: input.grade };
  const wouldBeDeadline = reportingDeadline({ grade: input.proposed, reporterType: input.reporterType, discoveredAt: input.discoveredAt });
  if (wouldBeDeadline === null) return { status: 'not_needed' };
  const dueAt = new Date(input.discoveredAt.getTime() + input.slaMs);
  return { status: 'pending', proposed: input.proposed, dueAt, overdue: input.now > dueAt, wouldBeDeadline };
}

/** The legal clock runs only on a grade an analyst confirmed (研判), never on a proposal or a policy floor. */
export const legalClockRuns = (i: { gradeSource: 'proposal' | 'analyst'; grade: GradeOrUnrated }): boolean => i.gradeSource === 'analyst' && gradeAtLeast(i.grade, 'relatively_major');

/**
 * The closing summary is due 30 days after handling ends (Art. 8): when recovery is done and
 * under verification, not when the ticket is closed. China keeps no daylight saving, so a day is 24 h.
 */
export function closingSummaryDue(handlingEndedAt: Date): Clock {
  return { startsAt: handlingEndedAt, dueAt: new Date(handlingEndedAt.getTime() + CLOSING_SUMMARY_DAYS * DAY_MS) };
}

export type ClockNotice = '50%' | '80%' | 'overdue';

/**
 * How far a clock has run, and the most urgent notice it has reached. Exactly at `dueAt` is still
 * in time ("within 1 h"), so overdue starts strictly after it. The caller remembers which notices
 * it already sent; this only says which one the clock is at.
 */
export function clockState(clock: Clock, now: Date): { fraction: number; notify: ClockNotice | null } {
  const span = clock.dueAt.getTime() - clock.startsAt.getTime();
  const elapsed = now.getTime() - clock.startsAt.getTime();
  const fraction = Math.max(0, elapsed / span);
  const notify = now.getTime() > clock.dueAt.getTime() ? 'overdue' : fraction >= 0.8 ? '80%' : fraction >= 0.5 ? '50%' : null;
  return { fraction, notify };
}
