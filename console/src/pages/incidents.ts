import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { navigate } from '../core/router.js';
import { RowCursor } from '../core/row-cursor.js';
import { can, user } from '../core/session.js';
import { formatDateTime, timeZone, wallClockToDate } from '../core/time.js';
import { badge, button, dialog, emptyState, errorBox, errorText, field, input, loading, pageHeader, pager, parseSort, select, table, textarea, toast, vocabulary } from '../core/ui.js';
import { GRADES, INCIDENT_CATEGORIES, INCIDENT_STATES, PRIORITIES, PROTECT_STATES } from '../core/vocabulary.js';
import { assessmentBadge, clockBadge, incidentLink, REPORTS, slaBadges, WORK, type IncidentRow, type RunningClock } from './incident-common.js';
import type { PageContext } from './page.js';

const PAGE_SIZE = 50;
/** Most serious first: national grade (GRADES runs from the most serious down), unrated last. */
const DEFAULT_SORT = { by: 'grade', dir: 'desc' as const };

/** Several incidents into one: the analyst picks which one stays; the others close as merged. */
function mergeDialog(chosen: IncidentRow[], after: () => Promise<void>): void {
  const into = select(
    chosen.map((i) => ({ value: i.key, label: `${i.key} ${i.title}` })),
    [...chosen].sort((a, b) => a.detectedAt.localeCompare(b.detectedAt))[0].key,
    { name: 'into' },
  );
  dialog({
    title: t('incidents.mergeTitle', { count: chosen.length }),
    body: h('div', { class: 'form-grid' }, field(t('incidents.mergeInto'), into, t('incidents.mergeHint'))),
    submitLabel: t('incidents.merge'),
    onSubmit: async () => {
      await api('POST', '/api/incidents/merge', { body: { into: into.value, incidents: chosen.map((i) => i.key).filter((k) => k !== into.value) } });
      await after();
    },
  });
}

/** Opens an incident by hand; the new incident's page opens once it exists. */
export function createIncidentDialog(): void {
  const title = input({ name: 'title', required: true });
  const category = select(vocabulary('category', INCIDENT_CATEGORIES), 'network_attack', { name: 'category' });
  const priority = select(vocabulary('priority', PRIORITIES), 'p3', { name: 'priority' });
  const description = textarea({ name: 'description', rows: 4 });
  const detectedAt = input({ name: 'detectedAt', type: 'datetime-local' });
  dialog({
    title: t('incidents.createTitle'),
    wide: true,
    body: h(
      'div',
      { class: 'form-grid' },
      field(t('incidents.titleField'), title),
      field(t('incidents.category'), category, t('incidents.categoryHint')),
      field(t('incidents.priority'), priority),
      field(t('incidents.detectedAt', { zone: timeZone() }), detectedAt, t('incidents.detectedAtHint')),
      field(t('incidents.description'), description),
    ),
    submitLabel: t('incidents.create'),
    onSubmit: async () => {
      const at = detectedAt.value ? wallClockToDate(detectedAt.value) : undefined;
      const created = await api<IncidentRow>('POST', '/api/incidents', {
        body: { title: title.value.trim(), category: category.value, priority: priority.value, ...(description.value.trim() ? { description: description.value.trim() } : {}), ...(at ? { detectedAt: at.toISOString() } : {}) },
      });
      navigate('/incidents', { id: created.key });
    },
  });
}

export async function render(ctx: PageContext): Promise<void> {
  // One address for the list and for an incident (#/incidents?id=INC-2026-0001), so the navigation stays on Incidents.
  if (ctx.params.get('id')) return (await import('./incident-detail.js')).render(ctx);

  const kind = select(vocabulary('incidentKind', ['incident', 'protect']), ctx.params.get('kind') === 'protect' ? 'protect' : 'incident', { name: 'kind' });
  const open = select(
    [
      { value: 'true', label: t('incidents.openOnly') },
      { value: 'false', label: t('incidents.closedOnly') },
      { value: '', label: t('common.all') },
    ],
    ctx.params.get('open') === 'all' ? '' : (ctx.params.get('open') ?? 'true'),
    { name: 'open' },
  );
  const state = select([], undefined, { name: 'state' });
  const grade = select([...vocabulary('grade', [...GRADES, 'unrated'], 'common.all')], ctx.params.get('grade') ?? '', { name: 'grade' });
  const q = input({ name: 'q', type: 'search', value: ctx.params.get('q') ?? '' });
  let offset = Number(ctx.params.get('offset') ?? 0) || 0;
  let sort = parseSort(ctx.params.get('sort'), DEFAULT_SORT);
  const results = h('div', null, loading());
  // j/k move through the rows (the row's link takes focus, so Enter opens it); a acknowledges a new
  // incident and m takes the row's incident, the two moves an on-duty analyst makes from the list.
  // Moves that need a reason or a review stay on the incident's page.
  const cursor = new RowCursor(
    results,
    {
      a: (key) => act(key, (i) => i.kind === 'incident' && i.state === 'new', (i) => api('POST', `/api/incidents/${encodeURIComponent(i.key)}/transitions`, { body: { to: 'acknowledged' } }), (i) => t('incident.moved', { key: i.key, state: tv('incidentState', 'acknowledged') })),
      m: (key) => act(key, (i) => i.assigneeId !== user().id, (i) => api('PATCH', `/api/incidents/${encodeURIComponent(i.key)}`, { body: { assigneeId: user().id } }), (i) => t('incident.assigned', { key: i.key })),
    },
    () => can(WORK),
  );
  /** One keyboard move on the incident under the cursor; the list is read again so the row shows where it stands. */
  const act = (key: string | undefined, applies: (i: IncidentRow) => boolean, run: (i: IncidentRow) => Promise<unknown>, done: (i: IncidentRow) => string) => {
    const row = rows.find((r) => r.key === key);
    if (!row || !applies(row)) return;
    void run(row).then(
      async () => {
        await load();
        toast(done(row));
      },
      (error: unknown) => toast(errorText(error), 'error'),
    );
  };
  const selected = new Set<string>();
  const bulk = h('div', { class: 'bulk-actions' });
  let rows: IncidentRow[] = [];
  const updateBulk = () => {
    const chosen = rows.filter((r) => selected.has(r.key));
    replace(bulk, chosen.length >= 2 ? [h('span', null, t('incidents.selected', { count: chosen.length })), button(t('incidents.merge'), () => mergeDialog(chosen, load))] : []);
  };

  const fillStates = (value: string) => {
    replace(state, ...vocabulary(kind.value === 'protect' ? 'protectState' : 'incidentState', kind.value === 'protect' ? PROTECT_STATES : INCIDENT_STATES, 'common.all').map((o) => h('option', { value: o.value }, o.label)));
    state.value = value;
  };
  fillStates(ctx.params.get('state') ?? '');
  const gradeField = field(t('incidents.grade'), grade);

  async function load(): Promise<void> {
    const protect = kind.value === 'protect';
    gradeField.hidden = protect;
    const filters = { kind: kind.value, open: open.value, state: state.value, grade: protect ? '' : grade.value, q: q.value.trim() };
    const sortParam = sort.by === DEFAULT_SORT.by && sort.dir === DEFAULT_SORT.dir ? '' : `${sort.by}:${sort.dir}`;
    ctx.setParams(new URLSearchParams(Object.entries({ ...filters, kind: protect ? 'protect' : '', open: open.value === 'true' ? '' : open.value || 'all', sort: sortParam, offset: offset ? String(offset) : '' }).filter(([, v]) => v)));
    try {
      const [page, clocks] = await Promise.all([
        api<{ items: IncidentRow[]; total: number }>('GET', '/api/incidents', { query: { ...filters, sort: `${sort.by}:${sort.dir}`, limit: PAGE_SIZE, offset } }),
        can(REPORTS) && !protect ? api<RunningClock[]>('GET', '/api/incidents/clocks') : Promise.resolve([]),
      ]);
      const clockOf = new Map(clocks.map((c) => [c.incident.id, c]));
      rows = page.items;
      selected.clear();
      updateBulk();
      if (!page.items.length) {
        const filtered = !!(filters.state || filters.grade || filters.q || open.value !== 'true');
        replace(
          results,
          filtered
            ? emptyState(t('incidents.noneFound'), t('incidents.noneFoundNext'))
            : emptyState(
                t(protect ? 'incidents.noneProtect' : 'incidents.noneOpen'),
                t(protect ? 'incidents.noneProtectNext' : user().role === 'owner' ? 'incidents.noneOpenOwner' : 'incidents.noneOpenNext'),
                can(WORK) && !protect ? button(t('incidents.create'), createIncidentDialog, { kind: 'primary' }) : null,
              ),
        );
        return;
      }
      replace(
        results,
        table(
          t('nav.incidents'),
          [
            { id: 'key', label: t('incidents.key'), cell: (i) => incidentLink(i) },
            { id: 'title', label: t('incidents.titleField'), cell: (i) => i.title },
            ...(protect
              ? []
              : [
                  { id: 'grade', label: t('incidents.grade'), cell: (i: IncidentRow) => badge('grade', i.grade) },
                  { id: 'category', label: t('incidents.category'), cell: (i: IncidentRow) => (i.category ? tv('category', i.category) : '—') },
                ]),
            { id: 'state', label: t('incidents.state'), cell: (i) => tv(protect ? 'protectState' : 'incidentState', i.state) },
            { id: 'priority', label: t('incidents.priority'), cell: (i) => tv('priority', i.priority) },
            ...(protect
              ? []
              : [
                  {
                    label: t('incidents.deadlines'),
                    cell: (i: IncidentRow) => h('span', { class: 'inline-badges' }, slaBadges(i.sla), assessmentBadge(i), clockOf.has(i.id) ? clockBadge(clockOf.get(i.id)!) : null),
                  },
                ]),
            // The running clocks come before where and when, so a crowded row scrolls those out of view first.
            { id: 'department', label: t('assets.department'), cell: (i) => i.departments.join(t('incidents.listSeparator')) || '—' },
            { id: 'detected', label: t('incidents.detected'), cell: (i) => formatDateTime(i.detectedAt) },
          ],
          page.items,
          // Analysts select open incidents to merge them; closed ones and protect tickets do not merge.
          can(WORK) && !protect ? { key: (i) => i.key, selected, label: (i) => t('incidents.selectOne', { key: i.key }), onChange: updateBulk } : undefined,
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
        pager(offset, PAGE_SIZE, page.total, (o) => {
          offset = o;
          void load();
        }),
      );
      cursor.mark();
    } catch (error) {
      replace(results, errorBox(error));
    }
  }

  const filters = h(
    'form',
    { class: 'filters', role: 'search' },
    field(t('incidents.kind'), kind),
    field(t('incidents.openFilter'), open),
    field(t('incidents.state'), state),
    gradeField,
    field(t('incidents.search'), q, t('incidents.searchHint')),
    button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }),
  );
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    offset = 0;
    void load();
  });
  kind.addEventListener('change', () => fillStates(''));
  for (const s of [kind, open, state, grade]) s.addEventListener('change', () => ((offset = 0), void load()));
  await load();
  replace(
    ctx.root,
    pageHeader(t('nav.incidents'), can(WORK) ? button(t('incidents.create'), createIncidentDialog, { kind: 'primary' }) : null),
    user().role === 'owner' ? h('p', { class: 'hint' }, t('incidents.ownerScope', { department: user().department ?? '' })) : null,
    filters,
    h('p', { class: 'hint' }, t('incidents.shortcuts')),
    bulk,
    results,
  );
  ctx.onDispose(cursor.listen());
}
