import { api } from '../core/api.js';
import { chart, type ChartOption } from '../core/charts.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { dateToWallClock, formatAxis, formatDateTime, timeZone, wallClockToDate } from '../core/time.js';
import { EVENT_FILTER_FIELDS as FILTER_FIELDS } from '../core/vocabulary.js';
import { button, details, dialog, emptyState, errorBox, errorText, field, input, loading, pageHeader, select, table, toast } from '../core/ui.js';
import { recognitionPanel } from './events-recognition.js';
import type { PageContext } from './page.js';

const PRESETS: Record<string, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const PAGE_SIZE = 50;

type StoredEvent = Record<string, any> & { '@timestamp': string; event: { id: string; dataset: string; action: string; outcome?: string }; message?: string };

/** Dotted field of an event (source.ip), first value of an array. */
function fieldValue(e: StoredEvent, path: string): string {
  let v: any = e;
  for (const k of path.split('.')) v = v?.[k];
  if (Array.isArray(v)) v = v[0];
  return v === undefined || v === null ? '' : String(v);
}

async function showEvent(id: string): Promise<void> {
  const e = await api<StoredEvent>('GET', `/api/events/${encodeURIComponent(id)}`);
  const pii: string[] = e.taishi?.pii ?? [];
  dialog({
    title: t('events.detail'),
    wide: true,
    body: [
      details([
        [t('events.time'), formatDateTime(e['@timestamp'])],
        [t('events.dataset'), e.event.dataset],
        [t('events.action'), e.event.action],
        [t('events.outcome'), e.event.outcome ?? '—'],
        [t('assets.department'), e.taishi?.department ?? '—'],
        [t('events.id'), h('span', { class: 'mono' }, e.event.id)],
      ]),
      pii.length
        ? h('p', { class: 'notice' }, t('events.piiMasked', { types: pii.map((p) => tv('pii', p)).join('、') }))
        : h('p', { class: 'hint' }, t('events.piiNone')),
      h('pre', { class: 'json', tabindex: 0, 'aria-label': t('events.json') }, JSON.stringify(e, null, 2)),
    ],
  });
}

export async function render(ctx: PageContext): Promise<void> {
  const p = ctx.params;
  const preset = select([...Object.keys(PRESETS).map((k) => ({ value: k, label: tv('events.preset', k) })), { value: 'custom', label: t('events.custom') }], p.get('range') ?? '24h', { name: 'range' });
  const now = new Date();
  const from = input({ name: 'from', type: 'datetime-local', value: p.get('from') ?? dateToWallClock(new Date(now.getTime() - 86_400_000)) });
  const to = input({ name: 'to', type: 'datetime-local', value: p.get('to') ?? dateToWallClock(now) });
  const custom = h('div', { class: 'custom-range' }, field(t('events.from', { zone: timeZone() }), from), field(t('events.to', { zone: timeZone() }), to));
  const q = input({ name: 'q', type: 'search', value: p.get('q') ?? '', placeholder: t('events.queryPlaceholder') });
  const filterField = select(FILTER_FIELDS.map((f) => ({ value: f, label: f })), FILTER_FIELDS[0], { name: 'field' });
  const filterValue = input({ name: 'value' });
  const filters: string[] = p.getAll('filter');
  const chips = h('ul', { class: 'chips', 'aria-label': t('events.activeFilters') });
  const histogram = h('div');
  const results = h('div', null, loading());
  // Cursors of the pages before this one, for "previous".
  const cursors: (string | undefined)[] = [];
  let cursor: string | undefined;
  let disposeChart: (() => void)[] = [];
  ctx.onDispose(() => disposeChart.forEach((d) => d()));

  const showCustom = () => (custom.hidden = preset.value !== 'custom');
  const timeWindow = (): { from?: string; to?: string } => {
    if (preset.value !== 'custom') return { from: new Date(Date.now() - PRESETS[preset.value]).toISOString() };
    return { from: wallClockToDate(from.value)?.toISOString(), to: wallClockToDate(to.value)?.toISOString() };
  };
  const renderChips = () =>
    replace(
      chips,
      ...filters.map((f, i) =>
        h('li', null, h('span', { class: 'mono' }, f), button('×', () => {
          filters.splice(i, 1);
          renderChips();
          void search(true);
        }, { kind: 'link', title: t('events.removeFilter', { filter: f }) })),
      ),
    );
  // Buttons inside chips carry the filter in their accessible name.
  const labelChips = () => chips.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-label', t('events.removeFilter', { filter: filters[i] })));

  async function search(fromStart: boolean): Promise<void> {
    if (fromStart) {
      cursor = undefined;
      cursors.length = 0;
    }
    labelChips();
    const range = timeWindow();
    const params = new URLSearchParams();
    params.set('range', preset.value);
    if (preset.value === 'custom') {
      params.set('from', from.value);
      params.set('to', to.value);
    }
    if (q.value.trim()) params.set('q', q.value.trim());
    for (const f of filters) params.append('filter', f);
    ctx.setParams(params);
    const query = { ...range, q: q.value.trim(), filter: filters };
    replace(results, loading());
    try {
      const bucket = preset.value === '15m' || preset.value === '1h' ? 'minute' : preset.value === '24h' ? 'hour' : 'day';
      const [page, hist] = await Promise.all([
        api<{ events: StoredEvent[]; next?: string }>('GET', '/api/events', { query: { ...query, limit: PAGE_SIZE, after: cursor } }),
        fromStart || !histogram.firstChild ? api<{ buckets: { start: string; count: number }[] }>('GET', '/api/events/histogram', { query: { ...query, bucket } }) : Promise.resolve(undefined),
      ]);
      if (hist) {
        disposeChart.forEach((d) => d());
        disposeChart = [];
        const bucketMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[bucket];
        const total = hist.buckets.reduce((s, b) => s + b.count, 0);
        const option: ChartOption = {
          grid: { left: 48, right: 16, top: 16, bottom: 28 },
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'category', data: hist.buckets.map((b) => formatAxis(b.start, bucketMs)) },
          yAxis: { type: 'value', minInterval: 1 },
          series: [{ name: t('events.count'), type: 'bar', color: '#1d4ed8', data: hist.buckets.map((b) => b.count) }],
        };
        replace(histogram, total ? [h('p', { class: 'hint' }, t('events.total', { count: formatNumber(total) })), chart(t('events.histogram'), option, (d) => disposeChart.push(d))] : []);
      }
      if (!page.events.length) {
        replace(results, emptyState(t('events.none'), t('events.noneNext')));
        return;
      }
      replace(
        results,
        table(
          t('nav.events'),
          [
            { label: t('events.time'), cell: (e) => formatDateTime(e['@timestamp']) },
            { label: t('events.dataset'), cell: (e) => e.event.dataset },
            { label: t('events.action'), cell: (e) => e.event.action },
            { label: 'source.ip', cell: (e) => fieldValue(e, 'source.ip') },
            { label: 'user.name', cell: (e) => fieldValue(e, 'user.name') },
            { label: 'host.name', cell: (e) => fieldValue(e, 'host.name') },
            { label: t('events.message'), cell: (e) => h('span', { class: 'message' }, e.message ?? '') },
            { label: t('events.detailColumn'), cell: (e) => button(t('events.open'), () => void showEvent(e.event.id).catch((err: unknown) => toast(errorText(err), 'error')), { kind: 'link', title: t('events.openTitle', { time: formatDateTime(e['@timestamp']) }) }) },
          ],
          page.events,
        ),
        h(
          'nav',
          { class: 'pager', 'aria-label': t('common.pages') },
          button(t('common.previous'), () => {
            cursor = cursors.pop();
            void search(false);
          }, { disabled: cursors.length === 0 }),
          button(t('common.next'), () => {
            cursors.push(cursor);
            cursor = page.next;
            void search(false);
          }, { disabled: !page.next }),
        ),
      );
    } catch (error) {
      replace(results, errorBox(error));
    }
  }

  const addFilter = button(t('events.addFilter'), () => {
    const value = filterValue.value.trim();
    if (!value) return filterValue.focus();
    filters.push(`${filterField.value}:${value}`);
    filterValue.value = '';
    renderChips();
    void search(true);
  });
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    field(t('events.range'), preset),
    custom,
    field(t('events.query'), q, t('events.queryHint')),
    button(t('events.search'), () => undefined, { type: 'submit', kind: 'primary' }),
  );
  const filterRow = h('div', { class: 'filters' }, field(t('events.field'), filterField), field(t('events.value'), filterValue), addFilter);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void search(true);
  });
  preset.addEventListener('change', showCustom);
  showCustom();
  renderChips();
  await search(true);
  replace(ctx.root, pageHeader(t('nav.events')), recognitionPanel(), form, filterRow, chips, histogram, results);
  const open = p.get('id');
  if (open) void showEvent(open).catch((e: unknown) => toast(errorText(e), 'error'));
}
