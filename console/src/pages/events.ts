import { api } from '../core/api.js';
import { chart, type ChartOption } from '../core/charts.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { currentRoute, href } from '../core/router.js';
import { dateToWallClock, formatAxis, formatDateTime, timeZone, wallClockToDate } from '../core/time.js';
import { EVENT_FILTER_FIELDS as FILTER_FIELDS } from '../core/vocabulary.js';
import { button, dialog, emptyState, errorBox, errorText, field, input, loading, pageHeader, select, table, toast } from '../core/ui.js';
import { recognitionPanel } from './events-recognition.js';
import type { PageContext } from './page.js';

const PRESETS: Record<string, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const PAGE_SIZE = 50;

type StoredEvent = Record<string, any> & { '@timestamp': string; event: { id: string; dataset: string; action: string; outcome?: string }; message?: string };

/** Dotted field of an event (source.ip), first value of an array. */
function firstValue(e: StoredEvent, path: string): string {
  let v: any = e;
  for (const k of path.split('.')) v = v?.[k];
  if (Array.isArray(v)) v = v[0];
  return v === undefined || v === null ? '' : String(v);
}

/** The fields people look at first; the rest follow by name. A prefix ending in "." takes the whole object. */
const FIRST_FIELDS = ['@timestamp', 'host.', 'source.', 'event.action', 'message'];
const fieldRank = (path: string) => {
  const i = FIRST_FIELDS.findIndex((f) => (f.endsWith('.') ? path.startsWith(f) : path === f));
  return i < 0 ? FIRST_FIELDS.length : i;
};
type Scalar = string | number | boolean | null;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The event as dotted paths: objects opened, arrays of plain values kept as lists, anything else as JSON text. */
function eventFields(e: StoredEvent): [string, Scalar[]][] {
  const out: [string, Scalar[]][] = [];
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
    } else if (Array.isArray(v)) {
      out.push([path, v.every((x) => x === null || typeof x !== 'object') ? (v as Scalar[]) : [JSON.stringify(v)]]);
    } else {
      out.push([path, [v as Scalar]]);
    }
  };
  walk(e, '');
  return out.sort(([a], [b]) => fieldRank(a) - fieldRank(b) || a.localeCompare(b));
}

/**
 * Where a value of the event leads: the list narrowed to it, as a shareable address. Indexed fields
 * add a field filter, the message becomes the text query, the time a ten-minute window around it;
 * other fields are not indexed by the stores, so they lead nowhere.
 */
function narrowTo(path: string, value: Scalar): URLSearchParams | undefined {
  if (value === null || value === '') return undefined;
  const params = new URLSearchParams(currentRoute().params);
  params.delete('id');
  if ((FILTER_FIELDS as readonly string[]).includes(path)) {
    const filter = `${path}:${String(value)}`;
    if (!params.getAll('filter').includes(filter)) params.append('filter', filter);
  } else if (path === 'message') {
    params.set('q', String(value));
  } else if (path === '@timestamp') {
    const at = new Date(String(value)).getTime();
    params.set('range', 'custom');
    params.set('from', dateToWallClock(new Date(at - 5 * 60_000)));
    params.set('to', dateToWallClock(new Date(at + 5 * 60_000)));
  } else {
    return undefined;
  }
  return params;
}

function fieldValue(path: string, value: Scalar): HTMLElement {
  // Instants (the event's time, when it was created or ingested) read in the user's zone; the raw value is in the JSON.
  const text = value === null ? '—' : typeof value === 'string' && INSTANT.test(value) ? formatDateTime(value) : String(value);
  const params = narrowTo(path, value);
  if (!params) return h('span', { class: 'mono' }, text);
  const title = path === '@timestamp' ? t('events.narrowTime') : path === 'message' ? t('events.narrowText') : t('events.narrowField', { field: `${path} = ${String(value)}` });
  return h('a', { href: href('/events', params), class: 'mono', title }, text);
}

function fieldTable(e: StoredEvent): HTMLElement {
  return table(
    t('events.fields'),
    [
      { label: t('events.field'), cell: ([path]) => h('span', { class: 'mono' }, path) },
      { label: t('events.value'), cell: ([path, values]) => h('span', { class: 'field-values' }, ...values.flatMap((v, i) => (i ? [', ', fieldValue(path, v)] : [fieldValue(path, v)]))) },
    ],
    eventFields(e),
  );
}

async function showEvent(id: string): Promise<void> {
  const e = await api<StoredEvent>('GET', `/api/events/${encodeURIComponent(id)}`);
  const pii: string[] = e.taishi?.pii ?? [];
  const el = dialog({
    title: t('events.detail'),
    wide: true,
    body: [
      pii.length
        ? h('p', { class: 'notice' }, t('events.piiMasked', { types: pii.map((p) => tv('pii', p)).join('、') }))
        : h('p', { class: 'hint' }, t('events.piiNone')),
      h('p', { class: 'hint' }, t('events.fieldsHint')),
      fieldTable(e),
      h('details', { class: 'raw-json' }, h('summary', null, t('events.json')), h('pre', { class: 'json', tabindex: 0, 'aria-label': t('events.json') }, JSON.stringify(e, null, 2))),
    ],
  });
  // A value's link changes the address under the dialog; the narrowed list is what the user asked to see.
  el.addEventListener('click', (event) => {
    if ((event.target as Element).closest('a[href^="#/events"]')) el.close();
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
            { label: 'source.ip', cell: (e) => firstValue(e, 'source.ip') },
            { label: 'user.name', cell: (e) => firstValue(e, 'user.name') },
            { label: 'host.name', cell: (e) => firstValue(e, 'host.name') },
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
