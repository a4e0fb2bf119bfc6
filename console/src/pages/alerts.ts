import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import { RowCursor } from '../core/row-cursor.js';
import { can, type Role } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { badge, button, details, dialog, emptyState, errorBox, errorText, field, input, loading, pageHeader, pager, parseSort, select, table, textarea, toast, vocabulary } from '../core/ui.js';
import { ALERT_LEVELS as LEVELS, ALERT_STATUSES as STATUSES, RESOLUTIONS } from '../core/vocabulary.js';
import { ALERT_ACTIONS, type AlertRow } from './alert-actions.js';
import { SEND_TO_INCIDENT } from './alert-to-incident.js';
import type { PageContext } from './page.js';

const TRIAGE: Role[] = ['admin', 'analyst'];
const PAGE_SIZE = 50;
/** Most severe first, as an analyst works the list. */
const DEFAULT_SORT = { by: 'level', dir: 'desc' as const };

const canAct = () => can(TRIAGE) || ALERT_ACTIONS.some((a) => can(a.roles));

type Change = { status: 'acknowledged' | 'closed' | 'open'; resolution?: string; note?: string };

/** Applies one change to each alert, a few at a time; each is audited on its own by the service. */
async function applyAll(alerts: AlertRow[], change: Change): Promise<void> {
  const failures: string[] = [];
  const queue = [...alerts];
  const worker = async () => {
    for (let a = queue.shift(); a; a = queue.shift()) {
      try {
        await api('PATCH', `/api/alerts/${a.id}`, { body: change });
      } catch (error) {
        failures.push(`${a.ruleTitle}: ${errorText(error)}`);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const done = alerts.length - failures.length;
  if (done) toast(t('alerts.changed', { count: done, status: tv('alertStatus', change.status) }));
  for (const f of failures.slice(0, 5)) toast(f, 'error');
}

/** Asks for what a change needs (a resolution to close, a note to reopen), then applies it. */
function changeDialog(alerts: AlertRow[], status: Change['status'], after: () => void): void {
  if (status === 'acknowledged') {
    void applyAll(alerts, { status }).then(after);
    return;
  }
  const resolution = select(vocabulary('resolution', RESOLUTIONS), 'true_positive', { name: 'resolution' });
  const note = textarea({ name: 'note', rows: 3, required: status === 'open' });
  dialog({
    title: t(status === 'closed' ? 'alerts.closeTitle' : 'alerts.reopenTitle', { count: alerts.length }),
    body: [status === 'closed' ? field(t('alerts.resolution'), resolution) : null, field(t(status === 'open' ? 'alerts.reopenNote' : 'alerts.note'), note)],
    submitLabel: t(status === 'closed' ? 'alerts.closeSubmit' : 'alerts.reopenSubmit'),
    onSubmit: async () => {
      await applyAll(alerts, { status, resolution: status === 'closed' ? resolution.value : undefined, note: note.value.trim() || undefined });
      after();
    },
  });
}

function actionsFor(alerts: AlertRow[], after: () => void): HTMLElement[] {
  if (!alerts.length) return [];
  const buttons: HTMLElement[] = [];
  if (can(TRIAGE)) {
    if (alerts.some((a) => a.status === 'open')) buttons.push(button(t('alerts.acknowledge'), () => changeDialog(alerts.filter((a) => a.status === 'open'), 'acknowledged', after)));
    if (alerts.some((a) => a.status !== 'closed')) buttons.push(button(t('alerts.close'), () => changeDialog(alerts.filter((a) => a.status !== 'closed'), 'closed', after)));
    if (alerts.some((a) => a.status === 'closed')) buttons.push(button(t('alerts.reopen'), () => changeDialog(alerts.filter((a) => a.status === 'closed'), 'open', after)));
  }
  for (const action of ALERT_ACTIONS.filter((x) => can(x.roles))) {
    buttons.push(button(t(action.label), () => void action.run(alerts).then(after, (error: unknown) => toast(errorText(error), 'error'))));
  }
  return buttons;
}

async function showDetail(id: string, after: (changed: AlertRow[]) => void): Promise<void> {
  const alert = await api<AlertRow>('GET', `/api/alerts/${id}`);
  const events = h('div', null, loading());
  const actions = h('div', { class: 'toolbar' }, ...actionsFor([alert], () => {
    dlg.close();
    after([alert]);
  }));
  const dlg = dialog({
    title: alert.ruleTitle,
    wide: true,
    body: [
      details([
        [t('alerts.level'), badge('level', alert.level)],
        [t('alerts.status'), tv('alertStatus', alert.status)],
        [t('alerts.rule'), `${alert.ruleId} (${tv('ruleKind', alert.ruleKind)})`],
        [t('alerts.group'), alert.groupKey],
        [t('assets.department'), alert.department ?? '—'],
        [t('alerts.asset'), alert.assetId ? h('a', { href: href('/assets', { id: alert.assetId }) }, t('alerts.openAsset')) : t('alerts.noAsset')],
        [t('alerts.count'), String(alert.count)],
        [t('alerts.firstSeen'), formatDateTime(alert.firstSeen)],
        [t('alerts.lastSeen'), formatDateTime(alert.lastSeen)],
        [t('alerts.resolution'), alert.resolution ? tv('resolution', alert.resolution) : '—'],
        [t('alerts.note'), alert.statusNote ?? '—'],
        [t('alerts.statusBy'), alert.statusBy ? `${alert.statusBy} · ${formatDateTime(alert.statusAt)}` : '—'],
        [t('alerts.tags'), alert.tags.join(', ') || '—'],
      ]),
      actions,
      h('h3', null, t('alerts.events', { count: alert.eventIds.length })),
      events,
    ],
  });
  const shown = alert.eventIds.slice(0, 10);
  const found = await Promise.all(shown.map((e) => api<Record<string, any>>('GET', `/api/events/${encodeURIComponent(e)}`).catch(() => undefined)));
  replace(
    events,
    shown.length
      ? table(
          t('alerts.events', { count: alert.eventIds.length }),
          [
            { label: t('events.time'), cell: (e) => formatDateTime(e?.['@timestamp']) },
            { label: t('events.dataset'), cell: (e) => e?.event?.dataset ?? '—' },
            { label: t('events.message'), cell: (e) => h('span', { class: 'message' }, e?.message ?? '') },
            { label: '', cell: (e) => (e ? h('a', { href: href('/events', { id: e.event.id }) }, t('events.open')) : t('alerts.eventGone')) },
          ],
          found,
        )
      : t('alerts.noEvents'),
  );
}

export async function render(ctx: PageContext): Promise<void> {
  const status = select([...vocabulary('alertStatus', STATUSES), { value: 'unclosed', label: t('alerts.unclosed') }, { value: 'all', label: t('common.all') }], ctx.params.get('status') ?? 'open', { name: 'status' });
  const level = select(vocabulary('level', LEVELS, 'common.all'), ctx.params.get('level') ?? '', { name: 'level' });
  const rule = input({ name: 'ruleId', value: ctx.params.get('ruleId') ?? '' });
  let offset = Number(ctx.params.get('offset') ?? 0) || 0;
  const selected = new Set<string>();
  const bulk = h('div', { class: 'toolbar bulk', role: 'toolbar', 'aria-label': t('alerts.bulk') });
  const results = h('div', null, loading());
  let rows: AlertRow[] = [];
  let sort = parseSort(ctx.params.get('sort'), DEFAULT_SORT);
  // j/k move through the rows; a acknowledges, e makes an incident, c closes the row under the cursor.
  const cursor = new RowCursor(results, {
    a: (id) => act(id, (row, after) => row.status === 'open' && can(TRIAGE) && changeDialog([row], 'acknowledged', after)),
    c: (id) => act(id, (row, after) => row.status !== 'closed' && can(TRIAGE) && changeDialog([row], 'closed', after)),
    e: (id) => act(id, (row, after) => can(SEND_TO_INCIDENT.roles) && void SEND_TO_INCIDENT.run([row]).then(after, (error: unknown) => toast(errorText(error), 'error'))),
  }, canAct);
  /** Runs a keyboard action on the alert under the cursor; the row is read again afterwards, where it stands. */
  const act = (id: string | undefined, run: (row: AlertRow, after: () => void) => unknown) => {
    const row = rows.find((r) => r.id === id);
    if (row) run(row, () => void refresh([row]));
  };

  const updateBulk = () => {
    const chosen = rows.filter((r) => selected.has(r.id));
    replace(bulk, chosen.length ? [h('span', null, t('alerts.selected', { count: chosen.length })), ...actionsFor(chosen, () => void refresh(chosen))] : []);
  };

  let total = 0;

  async function load(): Promise<void> {
    const sortParam = sort.by === DEFAULT_SORT.by && sort.dir === DEFAULT_SORT.dir ? '' : `${sort.by}:${sort.dir}`;
    const params = new URLSearchParams(Object.entries({ status: status.value, level: level.value, ruleId: rule.value.trim(), sort: sortParam, offset: offset ? String(offset) : '' }).filter(([, v]) => v));
    ctx.setParams(params);
    try {
      const page = await api<{ items: AlertRow[]; total: number }>('GET', '/api/alerts', {
        query: { status: status.value === 'all' ? undefined : status.value, level: level.value, ruleId: rule.value.trim(), sort: `${sort.by}:${sort.dir}`, limit: PAGE_SIZE, offset },
      });
      rows = page.items;
      total = page.total;
      selected.clear();
      draw();
    } catch (error) {
      replace(results, errorBox(error));
    }
  }

  /**
   * After a change, the changed alerts are read again and updated where they stand: the row the
   * analyst just acknowledged stays in view (with its new status) instead of vanishing from a filtered list.
   */
  async function refresh(changed: AlertRow[]): Promise<void> {
    const fresh = await Promise.all(changed.map((a) => api<AlertRow>('GET', `/api/alerts/${a.id}`).catch(() => a)));
    const byId = new Map(fresh.map((a) => [a.id, a]));
    rows = rows.map((r) => byId.get(r.id) ?? r);
    // The action is done: its rows stay in view, no longer selected for the next one.
    for (const a of changed) selected.delete(a.id);
    draw();
  }

  function draw(): void {
    updateBulk();
    if (!rows.length) {
      replace(results, emptyState(t('alerts.none'), status.value === 'open' ? t('alerts.noneOpenNext') : t('alerts.noneNext')));
      return;
    }
    replace(
      results,
      table(
        t('nav.alerts'),
        [
          { id: 'level', label: t('alerts.level'), cell: (a) => badge('level', a.level) },
          { id: 'title', label: t('alerts.title'), cell: (a) => h('button', { type: 'button', class: 'btn btn-link', onclick: () => void showDetail(a.id, refresh).catch((e: unknown) => toast(errorText(e), 'error')) }, a.ruleTitle) },
          { id: 'group', label: t('alerts.group'), cell: (a) => h('span', { class: 'mono' }, a.groupKey) },
          { id: 'department', label: t('assets.department'), cell: (a) => a.department ?? '—' },
          { id: 'count', label: t('alerts.count'), cell: (a) => String(a.count), numeric: true },
          { id: 'lastSeen', label: t('alerts.lastSeen'), cell: (a) => formatDateTime(a.lastSeen) },
          { id: 'status', label: t('alerts.status'), cell: (a) => tv('alertStatus', a.status) + (a.resolution ? ` · ${tv('resolution', a.resolution)}` : '') },
        ],
        rows,
        // Read-only roles get no checkboxes: there is nothing they could do with a selection.
        canAct() ? { key: (a) => a.id, selected, label: (a) => t('alerts.selectOne', { title: a.ruleTitle, group: a.groupKey }), onChange: updateBulk } : undefined,
        {
          ...sort,
          byService: true,
          onChange: (by, dir) => {
            sort = { by, dir };
            offset = 0;
            void load();
          },
        },
      ),
      pager(offset, PAGE_SIZE, total, (o) => {
        offset = o;
        void load();
      }),
    );
    cursor.mark();
  }

  const filters = h('form', { class: 'filters', role: 'search' }, field(t('alerts.status'), status), field(t('alerts.level'), level), field(t('alerts.rule'), rule), button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    offset = 0;
    void load();
  });
  for (const s of [status, level]) s.addEventListener('change', () => ((offset = 0), void load()));
  await load();
  replace(ctx.root, pageHeader(t('nav.alerts')), filters, bulk, canAct() ? h('p', { class: 'hint' }, t('alerts.shortcuts')) : null, results);

  ctx.onDispose(cursor.listen());
  const open = ctx.params.get('id');
  if (open) void showDetail(open, refresh).catch((e: unknown) => toast(errorText(e), 'error'));
}
