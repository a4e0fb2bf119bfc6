import { api } from '../core/api.js';
import { h, type Child } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import { can, user } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { badge, card } from '../core/ui.js';
import type { AlertRow } from './alert-actions.js';
import { incidentLink, local, slaBadges, WORK, type IncidentRow, type RunningClock } from './incident-common.js';

/**
 * The top of the situation page: what needs someone now, most urgent first. Legal reporting
 * clocks count down in red; then what nobody has taken (critical and high alerts, P1/P2 and
 * graded incidents without an assignee); then the reader's own queue.
 */
const URGENT_LEVELS = ['critical', 'high'] as const;
const URGENT_PRIORITIES = new Set(['p1', 'p2']);
const SERIOUS_GRADES = new Set(['especially_major', 'major', 'relatively_major']);
const SHOWN = 6;

/** "00:44:12" until the deadline, "-00:03:05" past it: the reading a stopwatch gives. */
export function countdown(dueAt: string, now = Date.now()): string {
  const total = Math.round((Date.parse(dueAt) - now) / 1000);
  const s = Math.abs(total);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${total < 0 ? '-' : ''}${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

function clocksCard(clocks: RunningClock[], total: number): HTMLElement {
  const items = [...clocks].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  return card(
    t('attention.clocks'),
    items.length
      ? h(
          'ul',
          { class: 'countdowns' },
          ...items.map((c) =>
            h(
              'li',
              { class: Date.parse(c.dueAt) < Date.now() ? 'overdue' : undefined },
              h('span', { class: 'countdown', 'data-due': c.dueAt, role: 'timer', 'aria-label': t('attention.countdownLabel', { clock: tv('clock', c.clock), key: c.incident.key }) }, countdown(c.dueAt)),
              h('span', { class: 'countdown-what' }, incidentLink(c.incident), ' ', tv('clock', c.clock), ' · ', c.incident.title),
              h('span', { class: 'hint' }, t('situation.clockDue', { due: formatDateTime(c.dueAt), recipients: c.recipients.map(local).join(t('incidents.listSeparator')) })),
            ),
          ),
        )
      : h('p', { class: 'hint' }, t('situation.clocksNone')),
    total > items.length ? h('p', { class: 'hint' }, h('a', { href: href('/incidents') }, t('situation.moreClocks', { count: total - items.length }))) : null,
  );
}

function incidentItem(i: IncidentRow): HTMLElement {
  return h('li', null, incidentLink(i), ' ', badge('grade', i.grade), ' ', h('span', { class: 'badge badge-state' }, tv('priority', i.priority)), ' ', i.title, ' ', slaBadges(i.sla));
}

function list(items: HTMLElement[], more: number, moreHref: string): Child {
  return [h('ul', { class: 'attention-list' }, ...items), more > 0 ? h('p', { class: 'hint' }, h('a', { href: moreHref }, t('attention.more', { count: more }))) : null];
}

function unassignedCard(alerts: Record<string, { items: AlertRow[]; total: number }>, incidents: IncidentRow[]): HTMLElement {
  const alertCounts = h(
    'ul',
    { class: 'level-counts', 'aria-label': t('attention.urgentAlerts') },
    ...URGENT_LEVELS.map((l) => h('li', null, h('a', { href: href('/alerts', { status: 'open', level: l }) }, badge('level', l), h('span', { class: 'count' }, formatNumber(alerts[l]?.total ?? 0))))),
  );
  const waiting = incidents.filter((i) => !i.assigneeId && (URGENT_PRIORITIES.has(i.priority) || SERIOUS_GRADES.has(i.grade)));
  return card(
    t('attention.unassigned'),
    h('h3', null, t('attention.urgentAlerts')),
    alertCounts,
    h('h3', null, t('attention.unassignedIncidents')),
    waiting.length ? list(waiting.slice(0, SHOWN).map(incidentItem), waiting.length - SHOWN, href('/incidents', { open: 'true' })) : h('p', { class: 'hint' }, t('attention.noneUnassigned')),
  );
}

function mineCard(incidents: IncidentRow[]): HTMLElement {
  const mine = incidents.filter((i) => i.assigneeId === user().id);
  return card(t('attention.mine'), mine.length ? list(mine.slice(0, SHOWN).map(incidentItem), mine.length - SHOWN, href('/incidents', { open: 'true' })) : h('p', { class: 'hint' }, t('attention.mineNone')));
}

/** The band, or null for roles that do not triage. `clocks` is the situation API's clocks section when the role gets it. */
export async function attentionBand(clocks: { total: number; items: RunningClock[] } | undefined, onDispose: (fn: () => void) => void): Promise<HTMLElement | null> {
  if (!can(WORK)) return null;
  const [incidents, ...alertPages] = await Promise.all([
    api<{ items: IncidentRow[]; total: number }>('GET', '/api/incidents', { query: { open: 'true', kind: 'incident', limit: 500 } }),
    ...URGENT_LEVELS.map((level) => api<{ items: AlertRow[]; total: number }>('GET', '/api/alerts', { query: { status: 'open', level, limit: 1 } })),
  ]);
  const alerts = Object.fromEntries(URGENT_LEVELS.map((l, i) => [l, alertPages[i]]));
  const band = h('div', { class: 'attention' }, clocks ? clocksCard(clocks.items, clocks.total) : null, unassignedCard(alerts, incidents.items), mineCard(incidents.items));
  // The countdowns tick every second; the page reloads the data every minute.
  const timer = window.setInterval(() => {
    for (const el of band.querySelectorAll<HTMLElement>('.countdown[data-due]')) {
      el.textContent = countdown(el.dataset.due!);
      el.closest('li')?.classList.toggle('overdue', Date.parse(el.dataset.due!) < Date.now());
    }
  }, 1000);
  onDispose(() => window.clearInterval(timer));
  return band;
}
