import { chart, type ChartOption } from '../core/charts.js';
import { h, type Child } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import { formatDateTime } from '../core/time.js';
import { badge, emptyState } from '../core/ui.js';
import { GRADES, LAWS } from '../core/vocabulary.js';
import { passRate, resultsHref, type CheckStatus } from './compliance-common.js';
import { clockBadge, incidentLink, local, type RunningClock } from './incident-common.js';

/** Grades keep one colour everywhere, darker for more serious; each passes 3:1 against white. */
const GRADE_COLORS: Record<string, string> = { especially_major: '#7f1d1d', major: '#b91c1c', relatively_major: '#c2410c', general: '#a16207', unrated: '#4b5563' };
const GRADE_ORDER = [...GRADES, 'unrated'] as const;

type OnDispose = (fn: () => void) => void;

const unavailable = (data: unknown): data is { error: string } => typeof data === 'object' && data !== null && 'error' in data;
const unavailableNotice = () => h('div', { class: 'notice notice-warn', role: 'status' }, t('situation.sectionUnavailable'));

interface IncidentsSection {
  open: number;
  byGrade: Record<string, number>;
  byPhase: Record<string, number>;
  slaBreached: number;
}

/** Open incidents by national grade, with the phases they are in and the SLA targets already missed. */
export function incidentsSection(raw: unknown, onDispose: OnDispose): Child {
  if (unavailable(raw)) return unavailableNotice();
  const s = raw as IncidentsSection;
  if (s.open === 0) return emptyState(t('situation.noOpenIncidents'), t('situation.noOpenIncidentsNext'), h('a', { href: href('/incidents') }, t('nav.incidents')));
  const option: ChartOption = {
    grid: { left: 40, right: 16, top: 16, bottom: 28 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: GRADE_ORDER.map((g) => tv('grade', g)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: t('situation.openIncidents'), type: 'bar', data: GRADE_ORDER.map((g) => ({ value: s.byGrade[g] ?? 0, itemStyle: { color: GRADE_COLORS[g] } })) }],
  };
  return [
    chart(t('situation.incidentsChart'), option, onDispose),
    h(
      'ul',
      { class: 'level-counts', 'aria-label': t('situation.incidentsByGrade') },
      ...GRADE_ORDER.map((g) => h('li', null, h('a', { href: href('/incidents', { grade: g }) }, badge('grade', g), h('span', { class: 'count' }, formatNumber(s.byGrade[g] ?? 0))))),
    ),
    h('p', { class: 'hint' }, t('situation.incidentPhases', { detect: s.byPhase.detect ?? 0, respond: s.byPhase.respond ?? 0, recover: s.byPhase.recover ?? 0 })),
    s.slaBreached ? h('p', { class: 'bad' }, t('situation.slaBreached', { count: s.slaBreached })) : null,
  ];
}

interface ComplianceSection {
  run: { id: string; profileName: string; finishedAt: string } | null;
  byStatus?: Record<CheckStatus, number>;
  byLaw: { source: string; controls: number; counts: Record<CheckStatus, number> }[];
}

/** Pass rate per law in the latest completed audit: what passed out of what could pass. */
export function complianceSection(raw: unknown, onDispose: OnDispose): Child {
  if (unavailable(raw)) return unavailableNotice();
  const s = raw as ComplianceSection;
  if (!s.run) return emptyState(t('situation.noAudit'), t('situation.noAuditNext'), h('a', { href: href('/compliance') }, t('nav.compliance')));
  const laws = s.byLaw.filter((l) => passRate(l.counts) !== null).sort((a, b) => LAWS.indexOf(b.source as (typeof LAWS)[number]) - LAWS.indexOf(a.source as (typeof LAWS)[number]));
  const overall = s.byStatus ? passRate(s.byStatus) : null;
  const option: ChartOption = {
    grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${v}%` },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: laws.map((l) => tv('lawShort', l.source)) },
    series: [
      {
        name: t('compliance.passRate'),
        type: 'bar',
        label: { show: true, position: 'right', formatter: '{c}%' },
        data: laws.map((l) => {
          const rate = passRate(l.counts)!;
          return { value: rate, itemStyle: { color: rate >= 90 ? '#166534' : rate >= 60 ? '#a16207' : '#b91c1c' } };
        }),
      },
    ],
  };
  return [
    laws.length ? chart(t('situation.complianceChart'), option, onDispose) : h('p', { class: 'hint' }, t('situation.nothingApplicable')),
    h(
      'p',
      { class: 'hint' },
      t('situation.auditOf', { profile: s.run.profileName, at: formatDateTime(s.run.finishedAt), rate: overall === null ? '—' : `${formatNumber(overall, 1)}%` }),
      ' ',
      h('a', { href: resultsHref(s.run.id) }, t('compliance.openResults')),
    ),
  ];
}

interface ClocksSection {
  total: number;
  overdue: number;
  items: RunningClock[];
}

/** The reports to the authorities still owed, most urgent first, each with how far its clock has run. */
export function clocksSection(raw: unknown): Child {
  if (unavailable(raw)) return unavailableNotice();
  const s = raw as ClocksSection;
  if (s.total === 0) return emptyState(t('situation.clocksNone'), t('situation.clocksNoneNext'));
  return [
    s.overdue ? h('p', { class: 'bad', role: 'status' }, t('situation.clocksOverdue', { count: s.overdue })) : null,
    h(
      'ul',
      { class: 'clocks', 'aria-label': t('situation.clocks') },
      ...s.items.map((c) =>
        h(
          'li',
          null,
          h('p', { class: 'clock-head' }, incidentLink(c.incident), ' ', c.incident.title, ' ', badge('grade', c.incident.grade)),
          h('div', { class: 'clock-bar' }, h('progress', { max: 1, value: Math.min(1, c.fraction), 'aria-label': t('situation.clockProgress', { clock: tv('clock', c.clock), key: c.incident.key, percent: Math.round(c.fraction * 100) }) }), clockBadge(c)),
          h('p', { class: 'hint' }, t('situation.clockDue', { due: formatDateTime(c.dueAt), recipients: c.recipients.map(local).join(t('incidents.listSeparator')) })),
        ),
      ),
    ),
    s.total > s.items.length ? h('p', { class: 'hint' }, h('a', { href: href('/incidents') }, t('situation.moreClocks', { count: s.total - s.items.length }))) : null,
  ];
}
