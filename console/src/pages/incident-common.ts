import { ApiError } from '../core/api.js';
import { h } from '../core/dom.js';
import { language, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import type { Role } from '../core/session.js';
import { formatDateTime } from '../core/time.js';

/** Security staff work incidents; compliance officers also read the reports and clocks. */
export const WORK: readonly Role[] = ['admin', 'analyst'];
export const REPORTS: readonly Role[] = ['admin', 'analyst', 'compliance'];

/** Text the server gives in both languages. */
export interface Localised {
  'zh-CN': string;
  en: string;
}

/** The user's language of a server text, or nothing. */
export function local(text: Localised | null | undefined): string {
  return text ? (text[language()] ?? text['zh-CN']) : '';
}

export type SlaStatus = 'met' | 'missed' | 'running' | 'breached' | 'not_needed';

export interface SlaEntry {
  target: 'acknowledge' | 'contain' | 'recover';
  dueAt: string;
  status: SlaStatus;
  at: string | null;
}

export interface RationaleEntry {
  rule: string;
  grade: string;
  basis: string;
  assetId?: string;
  detail: Localised;
}

export interface IncidentRow {
  id: string;
  key: string;
  kind: 'incident' | 'protect';
  title: string;
  description: string;
  category: string | null;
  grade: string;
  gradeSource: 'proposal' | 'analyst';
  gradeReason: string | null;
  proposal: { grade: string; rationale: RationaleEntry[]; unknown: string[] } | null;
  gradingFacts: { dataCompromised?: boolean; personalDataExposed?: number; peopleWithoutServices?: number; directLossYuan?: number };
  priority: string;
  state: string;
  assetIds: string[];
  departments: string[];
  tags: string[];
  assigneeId: string | null;
  source: { type: string; id?: string } | null;
  mergedInto: string | null;
  detectedAt: string;
  acknowledgedAt: string | null;
  containedAt: string | null;
  recoveredAt: string | null;
  closedAt: string | null;
  resolution: string | null;
  review: { rootCause: string; lessons: string; protectiveActions: string[] } | null;
  createdBy: string;
  createdAt: string;
  sla: SlaEntry[];
  // Pending assessment: a proposal of relatively major or above waits for the analyst; the legal clock starts on confirmation.
  assessment?: { status: 'not_needed' } | { status: 'confirmed'; grade: string } | { status: 'pending'; proposed: string; dueAt: string; overdue: boolean; wouldBeDeadline: { dueAt: string } };
}

/** A reporting clock as GET /api/incidents/clocks (and the situation page) give it. */
export interface RunningClock {
  incident: { id: string; key: string; title: string; grade: string; state: string };
  clock: 'initial_report' | 'closing_summary';
  startsAt: string;
  dueAt: string;
  fraction: number;
  notice: '50%' | '80%' | 'overdue' | null;
  recipients: Localised[];
}

export function incidentLink(incident: { key: string }, text?: string): HTMLAnchorElement {
  return h('a', { class: 'key', href: href('/incidents', { id: incident.key }) }, text ?? incident.key);
}

/** A span of time in days, hours and minutes, as people read deadlines. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const d = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return d > 0 ? t('duration.daysHours', { d, h: hours }) : hours > 0 ? t('duration.hoursMinutes', { h: hours, m }) : t('duration.minutes', { m });
}

/** "3 h 5 min left" or "overdue by 20 min". */
export function timeLeft(dueAt: string, now = Date.now()): string {
  const ms = Date.parse(dueAt) - now;
  return ms >= 0 ? t('incidents.timeLeft', { time: formatDuration(ms) }) : t('incidents.overdueBy', { time: formatDuration(ms) });
}

/** The SLA targets still to meet, each with its time left or flagged as breached. */
export function slaBadges(sla: SlaEntry[]): HTMLElement | string {
  const pending = sla.filter((s) => s.status === 'running' || s.status === 'breached');
  if (!pending.length) return '—';
  return h(
    'span',
    { class: 'inline-badges' },
    ...pending.map((s) =>
      h('span', { class: `badge badge-sla-${s.status}` }, t('incidents.slaBadge', { target: tv('sla.target', s.target), left: s.status === 'breached' ? t('sla.status.breached') : timeLeft(s.dueAt) })),
    ),
  );
}

// Pending assessment with its time left, and the reporting deadline that would apply (from discovery).
export function assessmentBadge(row: Pick<IncidentRow, 'assessment'>): HTMLElement | null {
  const a = row.assessment;
  if (!a || a.status !== 'pending') return null;
  return h(
    'span',
    { class: `badge badge-clock-${a.overdue ? 'overdue' : 'warn'}`, title: t('incidents.assessmentWouldBe', { due: formatDateTime(a.wouldBeDeadline.dueAt) }) },
    t('incidents.assessmentBadge', { grade: tv('grade', a.proposed), left: timeLeft(a.dueAt) }),
  );
}

export function clockBadge(clock: RunningClock): HTMLElement {
  const kind = clock.notice === 'overdue' ? 'overdue' : clock.notice ? 'warn' : 'running';
  return h('span', { class: `badge badge-clock-${kind}`, title: formatDateTime(clock.dueAt) }, t('incidents.clockBadge', { clock: tv('clock', clock.clock), left: timeLeft(clock.dueAt) }));
}

/**
 * The server's refusal in the user's language: transition refusals carry both (details.messages);
 * other errors keep the server's message.
 */
export function localisedError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const messages = (error.details as { messages?: Localised } | undefined)?.messages;
  return messages ? new ApiError(error.status, local(messages)) : error;
}
