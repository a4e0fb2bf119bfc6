import { api, ApiError } from '../core/api.js';
import { DraftKeeper, h, replace, type Child } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import { can, user } from '../core/session.js';
import { formatDateTime, timeZone, wallClockToDate } from '../core/time.js';
import { badge, button, card, checkbox, details, dialog, emptyState, errorBox, errorText, field, input, loading, pageHeader, select, table, textarea, toast, vocabulary } from '../core/ui.js';
import { INCIDENT_CATEGORIES, PRIORITIES, TASK_STATUSES } from '../core/vocabulary.js';
import { gradeCard } from './incident-grade.js';
import { assessmentBadge, incidentLink, local, localisedError, REPORTS, timeLeft, WORK, type IncidentRow, type Localised } from './incident-common.js';
import { reportCard } from './incident-report.js';
import type { PageContext } from './page.js';

interface Task {
  id: string;
  phase: string;
  title: Localised;
  description: Localised;
  assigneeRole: 'analyst' | 'system_owner';
  assigneeId: string | null;
  dueAt: string | null;
  status: string;
  note: string | null;
}

interface TimelineEntry {
  id: number;
  at: string;
  actor: string;
  type: string;
  detail: Record<string, any>;
}

interface LinkedAlert {
  id: string;
  ruleTitle: string;
  level: string;
  status: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  groupKey: string;
}

export interface IncidentDetail extends IncidentRow {
  phase: string;
  next: { state: string; requires: ('reason' | 'review' | 'duplicate_of')[] }[];
  tasks: Task[];
  timeline: TimelineEntry[];
  comments: { id: string; author: string; body: string; createdAt: string }[];
  alerts: LinkedAlert[];
  evidenceEventIds: string[];
}

/** Evidence events fetched for the page; the rest stay a count with a way to search them. */
const EVIDENCE_SHOWN = 10;

const stateText = (d: Pick<IncidentRow, 'kind'>, state: string) => tv(d.kind === 'protect' ? 'protectState' : 'incidentState', state);

/** What it takes to make one step: a reason, the review, or the incident it duplicates. */
function transitionDialog(d: IncidentDetail, next: IncidentDetail['next'][number], after: () => Promise<void>): void {
  const needs = (r: 'reason' | 'review' | 'duplicate_of') => next.requires.includes(r);
  const reason = textarea({ name: 'reason', rows: 3, required: needs('reason') });
  const duplicateOf = input({ name: 'duplicateOf', required: true, placeholder: 'INC-2026-0001' });
  const rootCause = textarea({ name: 'rootCause', rows: 3, required: true });
  const lessons = textarea({ name: 'lessons', rows: 3, required: true });
  const actions = textarea({ name: 'protectiveActions', rows: 3, required: true });
  const override = checkbox(false, 'overrideQuietPeriod');
  const overrideField = field(t('incident.overrideQuiet'), override);
  overrideField.hidden = true;
  const quietNotice = h('div', { 'aria-live': 'polite' });
  dialog({
    title: t('incident.transitionTitle', { key: d.key, from: stateText(d, d.state), to: stateText(d, next.state) }),
    wide: needs('review'),
    body: [
      needs('duplicate_of') ? field(t('incident.duplicateOf'), duplicateOf, t('incident.duplicateOfHint')) : null,
      needs('review')
        ? h(
            'fieldset',
            null,
            h('legend', null, t('incident.review')),
            h('p', { class: 'hint' }, t('incident.reviewLead')),
            field(t('incident.rootCause'), rootCause),
            field(t('incident.lessons'), lessons),
            field(t('incident.protectiveActions'), actions, t('incident.protectiveActionsHint')),
          )
        : null,
      field(needs('reason') ? t('incident.reasonRequired') : t('incident.reasonOptional'), reason),
      quietNotice,
      overrideField,
    ],
    submitLabel: t('incident.transitionSubmit', { to: stateText(d, next.state) }),
    onSubmit: async () => {
      const body = {
        to: next.state,
        ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
        ...(needs('duplicate_of') ? { duplicateOf: duplicateOf.value.trim() } : {}),
        ...(needs('review')
          ? { review: { rootCause: rootCause.value.trim(), lessons: lessons.value.trim(), protectiveActions: actions.value.split('\n').map((a) => a.trim()).filter(Boolean) } }
          : {}),
        ...(override.checked ? { overrideQuietPeriod: true } : {}),
      };
      try {
        await api('POST', `/api/incidents/${encodeURIComponent(d.key)}/transitions`, { body });
      } catch (error) {
        const details = error instanceof ApiError ? (error.details as { reason?: string; lastFiredAt?: string; quietUntil?: string } | undefined) : undefined;
        if (details?.reason === 'not_quiet') {
          // The rules still fire on the incident's assets: say until when, and offer the override.
          replace(quietNotice, h('div', { class: 'notice notice-warn', role: 'alert' }, t('incident.notQuiet', { last: formatDateTime(details.lastFiredAt), until: formatDateTime(details.quietUntil) })));
          overrideField.hidden = false;
          reason.required = true;
          override.focus();
          return false;
        }
        throw localisedError(error);
      }
      await after();
      toast(t('incident.moved', { key: d.key, state: stateText(d, next.state) }));
    },
  });
}

/** Title, description, category and priority; every change lands in the timeline and the audit trail. */
function editDialog(d: IncidentDetail, after: () => Promise<void>): void {
  const title = input({ name: 'title', value: d.title, required: true });
  const description = textarea({ name: 'description', rows: 4, value: d.description });
  const category = select(vocabulary('category', INCIDENT_CATEGORIES), d.category ?? undefined, { name: 'category' });
  const priority = select(vocabulary('priority', PRIORITIES), d.priority, { name: 'priority' });
  dialog({
    title: t('incident.editTitle', { key: d.key }),
    wide: true,
    body: h(
      'div',
      { class: 'form-grid' },
      field(t('incidents.titleField'), title),
      d.kind === 'incident' ? field(t('incidents.category'), category, t('incidents.categoryHint')) : null,
      field(t('incidents.priority'), priority),
      field(t('incidents.description'), description),
    ),
    onSubmit: async () => {
      await api('PATCH', `/api/incidents/${encodeURIComponent(d.key)}`, {
        body: { title: title.value.trim(), description: description.value, priority: priority.value, ...(d.kind === 'incident' ? { category: category.value } : {}) },
      });
      await after();
      toast(t('incident.saved', { key: d.key }));
    },
  });
}

/** Someone incident work may be assigned to (GET /api/assignees: analysts and administrators). */
interface Assignee {
  id: string;
  username: string;
  displayName: string;
}

const assigneeName = (a: Assignee) => (a.displayName && a.displayName !== a.username ? t('incident.assigneeName', { name: a.displayName, username: a.username }) : a.username);

/** Picks who works the incident; choosing saves at once, as "assign to me" does. */
function assigneePicker(d: IncidentDetail, assignees: Assignee[], after: () => Promise<void>): HTMLSelectElement {
  const picker = select([{ value: '', label: t('incident.unassigned') }, ...assignees.map((a) => ({ value: a.id, label: assigneeName(a) }))], d.assigneeId ?? '', { name: 'assignee' });
  picker.setAttribute('aria-label', t('incident.assignTo'));
  picker.addEventListener('change', () => {
    void (async () => {
      try {
        const name = picker.selectedOptions[0]?.textContent ?? '';
        await api('PATCH', `/api/incidents/${encodeURIComponent(d.key)}`, { body: { assigneeId: picker.value || null } });
        await after();
        toast(picker.value ? t('incident.assignedTo', { key: d.key, name }) : t('incident.unassignedNow', { key: d.key }));
      } catch (error) {
        toast(errorText(error), 'error');
      }
    })();
  });
  return picker;
}

function summaryCard(d: IncidentDetail, assetNames: Map<string, string>, assignees: Assignee[], after: () => Promise<void>): HTMLElement {
  const me = user();
  const named = assignees.find((a) => a.id === d.assigneeId);
  const assignee: Child = can(WORK)
    ? assigneePicker(d, assignees, after)
    : d.assigneeId === null
      ? t('incident.unassigned')
      : d.assigneeId === me.id
        ? t('incident.assignedToMe')
        : named
          ? assigneeName(named)
          : t('incident.assignedToOther');
  const rows: [string, Child][] = [
    [t('incidents.state'), t('incident.stateWithPhase', { state: stateText(d, d.state), phase: tv('phase', d.phase) })],
    ...(d.kind === 'incident' ? ([[t('incidents.category'), d.category ? tv('category', d.category) : '—']] as [string, Child][]) : []),
    [t('incidents.priority'), tv('priority', d.priority)],
    [t('incident.assignee'), assignee],
    [t('incident.assets'), d.assetIds.length ? h('span', { class: 'inline-badges' }, ...d.assetIds.map((id) => h('a', { href: href('/assets', { id }) }, assetNames.get(id) ?? id))) : t('incident.noAssets')],
    [t('assets.department'), d.departments.join(t('incidents.listSeparator')) || '—'],
    [t('incidents.detected'), formatDateTime(d.detectedAt)],
    [t('incident.acknowledgedAt'), formatDateTime(d.acknowledgedAt)],
    [t('incident.containedAt'), formatDateTime(d.containedAt)],
    [t('incident.recoveredAt'), formatDateTime(d.recoveredAt)],
    [t('incident.closedAt'), formatDateTime(d.closedAt)],
    [t('incident.resolution'), d.resolution ?? '—'],
    [t('incident.source'), d.source ? tv('incidentSource', d.source.type) : '—'],
    [t('incident.createdBy'), `${d.createdBy} · ${formatDateTime(d.createdAt)}`],
  ];
  const pending = assessmentBadge(d);
  if (pending) rows.splice(1, 0, [t('incident.assessment'), pending]);
  if (d.mergedInto) rows.push([t('incident.mergedInto'), h('a', { href: href('/incidents', { id: d.mergedInto }) }, t('incident.openMerged'))]);
  const assign =
    d.assigneeId !== me.id
      ? button(t('incident.assignToMe'), async () => {
          try {
            await api('PATCH', `/api/incidents/${encodeURIComponent(d.key)}`, { body: { assigneeId: me.id } });
            await after();
            toast(t('incident.assigned', { key: d.key }));
          } catch (error) {
            toast(errorText(error), 'error');
          }
        })
      : null;
  const actions = can(WORK) ? [button(t('incident.edit'), () => editDialog(d, after)), assign] : null;
  return card(
    t('incident.summary'),
    d.description ? h('p', { class: 'description' }, d.description) : null,
    details(rows),
    d.review
      ? h(
          'section',
          { class: 'review' },
          h('h3', null, t('incident.review')),
          details([
            [t('incident.rootCause'), d.review.rootCause],
            [t('incident.lessons'), d.review.lessons],
            [t('incident.protectiveActions'), h('ul', null, ...d.review.protectiveActions.map((a) => h('li', null, a)))],
          ]),
        )
      : null,
    actions ? h('div', { class: 'toolbar' }, actions) : null,
  );
}

function slaCard(d: IncidentDetail): HTMLElement | null {
  if (d.kind !== 'incident') return null;
  return card(
    t('incident.sla'),
    table(
      t('incident.sla'),
      [
        { label: t('incident.slaTarget'), cell: (s) => tv('sla.target', s.target) },
        { label: t('incident.due'), cell: (s) => formatDateTime(s.dueAt) },
        { label: t('incidents.state'), cell: (s) => h('span', { class: `badge badge-sla-${s.status}` }, tv('sla.status', s.status)) },
        { label: t('incident.slaWhen'), cell: (s) => (s.at ? formatDateTime(s.at) : s.status === 'running' ? timeLeft(s.dueAt) : '—') },
      ],
      d.sla,
    ),
    h('p', { class: 'hint' }, t('incident.slaHint')),
  );
}

function tasksCard(d: IncidentDetail, after: () => Promise<void>): HTMLElement {
  const me = user();
  const mayChange = (task: Task) => can(WORK) || (me.role === 'owner' && task.assigneeId === me.id);
  const statusCell = (task: Task) => {
    if (!mayChange(task)) return tv('taskStatus', task.status);
    const s = select(
      TASK_STATUSES.map((v) => ({ value: v, label: tv('taskStatus', v) })),
      task.status,
      { name: 'taskStatus' },
    );
    s.setAttribute('aria-label', t('incident.taskStatusOf', { title: local(task.title) }));
    s.addEventListener('change', async () => {
      try {
        await api('PATCH', `/api/incidents/${encodeURIComponent(d.key)}/tasks/${task.id}`, { body: { status: s.value } });
        await after();
        toast(t('incident.taskChanged', { title: local(task.title), status: tv('taskStatus', s.value) }));
      } catch (error) {
        s.value = task.status;
        toast(errorText(error), 'error');
      }
    });
    return s;
  };
  const add = can(WORK)
    ? button(t('incident.addTask'), () => {
        const title = input({ name: 'title', required: true });
        const description = textarea({ name: 'description', rows: 3 });
        const role = select([{ value: 'analyst', label: tv('taskRole', 'analyst') }, { value: 'system_owner', label: tv('taskRole', 'system_owner') }], 'analyst', { name: 'assigneeRole' });
        const due = input({ name: 'dueAt', type: 'datetime-local' });
        dialog({
          title: t('incident.addTaskTitle', { key: d.key }),
          body: [field(t('incident.taskTitle'), title), field(t('incident.taskDescription'), description), field(t('incident.taskRole'), role), field(t('incident.taskDue', { zone: timeZone() }), due)],
          submitLabel: t('incident.addTask'),
          onSubmit: async () => {
            const dueAt = due.value ? wallClockToDate(due.value) : undefined;
            await api('POST', `/api/incidents/${encodeURIComponent(d.key)}/tasks`, {
              body: { title: title.value.trim(), assigneeRole: role.value, ...(description.value.trim() ? { description: description.value.trim() } : {}), ...(dueAt ? { dueAt: dueAt.toISOString() } : {}) },
            });
            await after();
            toast(t('incident.taskAdded', { title: title.value.trim() }));
          },
        });
      })
    : null;
  // The whole row of the grid: task descriptions are sentences, unreadable in half a page at 1280 px.
  const tasks = card(
    t('incident.tasks'),
    d.tasks.length
      ? table(
          t('incident.tasks'),
          [
            { label: t('incident.taskTitle'), cell: (x) => h('span', null, h('strong', null, local(x.title)), local(x.description) ? h('span', { class: 'hint task-description' }, local(x.description)) : null) },
            { label: t('incident.taskPhase'), cell: (x) => tv('phase', x.phase) },
            { label: t('incident.taskRole'), cell: (x) => tv('taskRole', x.assigneeRole) + (x.assigneeId === me.id ? ` · ${t('incident.assignedToMe')}` : '') },
            { label: t('incident.due'), cell: (x) => formatDateTime(x.dueAt) },
            { label: t('incidents.state'), cell: statusCell },
            { label: t('incident.taskNote'), cell: (x) => x.note ?? '—' },
          ],
          d.tasks,
        )
      : emptyState(t('incident.noTasks'), can(WORK) ? t('incident.noTasksNext') : t('incident.noTasksRead')),
    add ? h('div', { class: 'toolbar' }, add) : null,
  );
  tasks.classList.add('card-wide');
  return tasks;
}

function evidenceCard(d: IncidentDetail): HTMLElement | null {
  if (d.kind !== 'incident') return null;
  const events = h('div', null);
  const shown = d.evidenceEventIds.slice(0, EVIDENCE_SHOWN);
  if (shown.length) {
    replace(events, loading());
    void Promise.all(shown.map((id) => api<Record<string, any>>('GET', `/api/events/${encodeURIComponent(id)}`).catch(() => undefined))).then((found) =>
      replace(
        events,
        table(
          t('incident.evidence', { count: d.evidenceEventIds.length }),
          [
            { label: t('events.time'), cell: (e) => formatDateTime(e?.['@timestamp']) },
            { label: t('events.dataset'), cell: (e) => e?.event?.dataset ?? '—' },
            { label: t('events.message'), cell: (e) => h('span', { class: 'message' }, e?.message ?? '') },
            { label: t('events.detailColumn'), cell: (e) => (e ? h('a', { href: href('/events', { id: e.event.id }) }, t('events.open')) : t('alerts.eventGone')) },
          ],
          found,
        ),
        d.evidenceEventIds.length > shown.length ? h('p', { class: 'hint' }, t('incident.moreEvidence', { shown: shown.length, total: d.evidenceEventIds.length })) : null,
      ),
    );
  }
  return card(
    t('incident.alertsAndEvidence'),
    d.alerts.length
      ? table(
          t('incident.linkedAlerts', { count: d.alerts.length }),
          [
            { label: t('alerts.level'), cell: (a) => badge('level', a.level) },
            { label: t('alerts.title'), cell: (a) => h('a', { href: href('/alerts', { id: a.id, status: 'all' }) }, a.ruleTitle) },
            { label: t('alerts.group'), cell: (a) => h('span', { class: 'mono' }, a.groupKey) },
            { label: t('alerts.count'), cell: (a) => formatNumber(a.count), numeric: true },
            { label: t('alerts.firstSeen'), cell: (a) => formatDateTime(a.firstSeen) },
            { label: t('alerts.lastSeen'), cell: (a) => formatDateTime(a.lastSeen) },
            { label: t('alerts.status'), cell: (a) => tv('alertStatus', a.status) },
          ],
          d.alerts,
        )
      : emptyState(t('incident.noAlerts'), can(WORK) ? t('incident.noAlertsNext') : t('incident.noAlertsRead')),
    h('h3', null, t('incident.evidence', { count: d.evidenceEventIds.length })),
    shown.length ? events : h('p', { class: 'hint' }, t('incident.noEvidence')),
  );
}

/** One line of the timeline in words; unknown entry types still show their type and details. */
function timelineText(d: IncidentDetail, e: TimelineEntry, comments: Map<string, string>, after: () => Promise<void>): Child {
  const x = e.detail ?? {};
  const title = (v: unknown) => (typeof v === 'string' ? v : local(v as Localised));
  const grade = (g: string) => tv('grade', g);
  switch (e.type) {
    case 'created':
      return t('timeline.created', { key: x.key ?? d.key });
    case 'alerts_linked':
      return t('timeline.alertsLinked', { count: (x.alertIds ?? []).length });
    case 'grade_proposed':
      return t('timeline.gradeProposed', { from: grade(x.from), to: grade(x.to) });
    case 'grade_changed':
      return x.reason === 'proposal' ? t('timeline.gradeFollowed', { from: grade(x.from), to: grade(x.to) }) : t('timeline.gradeSet', { from: grade(x.from), to: grade(x.to), reason: x.reason ?? '' });
    case 'playbook_tasks':
      return t('timeline.playbookTasks', { count: x.count ?? 0, phase: tv('phase', x.phase ?? '') });
    case 'transition':
      return [t('timeline.transition', { from: stateText(d, x.from), to: stateText(d, x.to) }), x.duplicateOf ? ` ${t('timeline.duplicateOf', { key: x.duplicateOf })}` : null, x.reason ? h('q', { class: 'timeline-reason' }, x.reason) : null];
    case 'task_added':
      return t('timeline.taskAdded', { title: title(x.title) });
    case 'task_updated':
      return t('timeline.taskUpdated', { title: title(x.title), from: tv('taskStatus', x.from?.status ?? ''), to: tv('taskStatus', x.to?.status ?? '') });
    case 'comment':
      return h('span', null, t('timeline.comment'), h('q', { class: 'timeline-comment' }, comments.get(x.commentId) ?? ''));
    case 'protect_ticket_opened':
      return [t('timeline.protectTicket', { title: x.title ?? '' }), ' ', incidentLink({ key: x.key })];
    case 'merged_into':
      return [t('timeline.mergedInto'), ' ', incidentLink({ key: x.key })];
    case 'merged_from':
      return [t('timeline.mergedFrom'), ' ', incidentLink({ key: x.key }), can(WORK) && d.state !== 'closed' ? splitButton(d, x.key, after) : null];
    case 'quiet_period_overridden':
      return [t('timeline.quietOverridden'), h('q', { class: 'timeline-reason' }, x.reason ?? '')];
    case 'report_updated':
      return t('timeline.reportUpdated', { status: tv('reportStatus', x.status ?? '') });
    case 'reporting_clock':
      return t('timeline.reportingClock', { clock: tv('clock', x.clock ?? ''), notice: tv('clockNotice', x.notice ?? ''), due: formatDateTime(x.dueAt) });
    case 'sla_breached':
      return t('timeline.slaBreached', { target: tv('sla.target', x.target ?? ''), due: formatDateTime(x.dueAt) });
    case 'updated':
      return t('timeline.updated', { fields: Object.keys(x.changes ?? {}).map((f) => tv('incidentField', f)).join(t('incidents.listSeparator')) });
    default:
      return `${e.type} ${JSON.stringify(x)}`;
  }
}

/** Splits a merged incident back out: its alerts return to it and it reopens as it was. */
function splitButton(d: IncidentDetail, key: string, after: () => Promise<void>): HTMLButtonElement {
  return button(
    t('incident.split'),
    async () => {
      try {
        await api('POST', `/api/incidents/${encodeURIComponent(d.key)}/split`, { body: { incident: key } });
        await after();
        toast(t('incident.splitDone', { key }));
      } catch (error) {
        toast(errorText(error), 'error');
      }
    },
    { kind: 'link' },
  );
}

function timelineCard(d: IncidentDetail, after: () => Promise<void>): HTMLElement {
  const comments = new Map(d.comments.map((c) => [c.id, c.body]));
  const body = textarea({ name: 'comment', rows: 3, required: true });
  const form = h('form', { class: 'comment-form' }, field(t('incident.comment'), body, t('incident.commentHint')), button(t('incident.addComment'), () => undefined, { type: 'submit' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!body.value.trim()) return body.focus();
    try {
      await api('POST', `/api/incidents/${encodeURIComponent(d.key)}/comments`, { body: { body: body.value.trim() } });
      await after();
      toast(t('incident.commented'));
    } catch (error) {
      toast(errorText(error), 'error');
    }
  });
  return card(
    t('incident.timeline'),
    h(
      'ol',
      { class: 'timeline', 'aria-label': t('incident.timeline') },
      ...d.timeline.map((e) => h('li', { 'data-type': e.type }, h('time', { datetime: e.at }, formatDateTime(e.at)), h('span', { class: 'actor' }, e.actor), h('span', { class: 'what' }, timelineText(d, e, comments, after)))),
    ),
    form,
  );
}

function transitions(d: IncidentDetail, after: () => Promise<void>): HTMLElement | null {
  if (!can(WORK)) return null;
  return h(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': t('incident.transitions') },
    h('span', null, t('incident.moveLead')),
    ...(d.next.length
      ? d.next.map((n) => button(t('incident.moveTo', { to: stateText(d, n.state) }), () => transitionDialog(d, n, after), { kind: ['closed', 'false_positive', 'benign', 'duplicate', 'cancelled'].includes(n.state) ? 'secondary' : 'primary' }))
      : [h('span', { class: 'hint' }, t('incident.noMoves'))]),
  );
}

export async function render(ctx: PageContext): Promise<void> {
  const key = ctx.params.get('id')!;
  const back = h('a', { href: href('/incidents'), class: 'back' }, t('incident.back'));
  // Each action redraws the page; a comment or task being written elsewhere on it survives that.
  const page = new DraftKeeper(ctx.root);
  const draw = async (focus: boolean): Promise<void> => {
    const d = await api<IncidentDetail>('GET', `/api/incidents/${encodeURIComponent(key)}`);
    const [assets, report, assignees] = await Promise.all([
      Promise.all(d.assetIds.slice(0, 20).map((id) => api<{ id: string; name: string }>('GET', `/api/assets/${id}`).catch(() => undefined))),
      d.kind === 'incident' && can(REPORTS) ? api<unknown>('GET', `/api/incidents/${encodeURIComponent(d.key)}/report`).catch(() => null) : Promise.resolve(null),
      can(WORK) ? api<Assignee[]>('GET', '/api/assignees').catch(() => []) : Promise.resolve([]),
    ]);
    const assetNames = new Map(assets.filter((a): a is { id: string; name: string } => !!a).map((a) => [a.id, a.name]));
    const after = () => draw(true).catch((error: unknown) => toast(errorText(error), 'error'));
    page.replace(
      back,
      pageHeader(`${d.key} ${d.title}`, d.kind === 'incident' ? badge('grade', d.grade) : null, h('span', { class: `badge badge-state` }, stateText(d, d.state))),
      h(
        'div',
        { class: 'stack' },
        transitions(d, after),
        h('div', { class: 'grid' }, summaryCard(d, assetNames, assignees, after), d.kind === 'incident' ? gradeCard(d, after) : null, slaCard(d), tasksCard(d, after)),
        evidenceCard(d),
        report ? reportCard(d, report, after) : null,
        timelineCard(d, after),
      ),
    );
    if (focus) (ctx.root.querySelector('h1') as HTMLElement | null)?.focus();
  };
  try {
    await draw(false);
  } catch (error) {
    replace(ctx.root, back, pageHeader(key), errorBox(error));
  }
}
