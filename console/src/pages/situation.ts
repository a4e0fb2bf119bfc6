import { api } from '../core/api.js';
import { chart, LEVEL_COLORS, type ChartOption } from '../core/charts.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import { can } from '../core/session.js';
import { formatAxis, formatDateTime, formatTime, timeZone } from '../core/time.js';
import { badge, button, card, emptyState, errorBox, loading, pageHeader, select, table } from '../core/ui.js';
import { ALERT_LEVELS as LEVELS } from '../core/vocabulary.js';
import type { PageContext } from './page.js';
import { attentionBand } from './situation-attention.js';
import { SITUATION_SECTIONS } from './situation-sections.js';
import { nothingSeen } from './situation-silent.js';
import type { RunningClock } from './incident-common.js';

const RANGES = ['24h', '7d', '30d'] as const;
const REFRESH_MS = 60_000;

interface Reason {
  code: string;
  points: number;
  params: Record<string, string | number>;
}

interface Situation {
  generatedAt: string;
  department: string | null;
  posture: { score: number; band: string; reasons: Reason[] };
  alerts: { openByLevel: Record<string, number>; timeline: { bucketMs: number; starts: string[]; levels: Record<string, number[]> } };
  topAssets: { assetId: string; name: string; department: string; criticality: string; risk: number; openByLevel: Record<string, number> }[];
  unattributedOpenAlerts: number;
  unregisteredHosts: number | null;
  classificationFindings: number;
  ingest: null | {
    windowMinutes: number;
    window: { dropped: number; failed: number };
    collectors: { collector: string; received: number; parsed: number; raw: number; rejected: number; dropped: number; failed: number; series: { at: string; receivedPerMinute: number; droppedPerMinute: number }[] }[];
    writer: { queued: number; capacity: number; spooled: number; storeUp: boolean; journaled: number | null };
  };
  sections: Record<string, unknown>;
}

function reasonText(r: Reason): string {
  const params = { ...r.params, ...(typeof r.params.level === 'string' ? { level: tv('level', r.params.level) } : {}) };
  return tv('posture.reason', r.code, params);
}

function postureCard(s: Situation): HTMLElement {
  const p = s.posture;
  return card(
    t('situation.posture'),
    nothingSeen(s.sections.silentAssets)
      ? h('div', { class: 'posture' }, h('p', { class: 'score band-unknown' }, h('span', { class: 'score-value' }, t('situation.unknown'))), h('p', { class: 'band' }, t('situation.unknownWhy')))
      : h('div', { class: 'posture' }, h('p', { class: `score band-${p.band}` }, h('span', { class: 'score-value' }, String(p.score)), h('span', { class: 'score-max' }, '/100')), h('p', { class: 'band' }, tv('posture.band', p.band))),
    p.reasons.length
      ? h('ul', { class: 'reasons', 'aria-label': t('situation.reasons') }, ...p.reasons.map((r) => h('li', null, h('span', { class: 'points' }, `−${formatNumber(r.points, 1)}`), ' ', reasonText(r))))
      : nothingSeen(s.sections.silentAssets)
        ? null // "nothing wrong found" would read as safe while nothing was seen at all
        : h('p', { class: 'reasons-none' }, t('situation.noReasons')),
    h('details', { class: 'explain' }, h('summary', null, t('situation.howScored')), h('p', null, t('situation.howScoredText'))),
  );
}

function openAlertsCard(s: Situation): HTMLElement {
  const total = LEVELS.reduce((sum, l) => sum + (s.alerts.openByLevel[l] ?? 0), 0);
  return card(
    t('situation.openAlerts'),
    total === 0
      ? emptyState(t('situation.noOpenAlerts'), t('situation.noOpenAlertsNext'))
      : h('ul', { class: 'level-counts' }, ...LEVELS.map((l) => h('li', null, h('a', { href: href('/alerts', { status: 'unclosed', level: l }) }, badge('level', l), h('span', { class: 'count' }, formatNumber(s.alerts.openByLevel[l] ?? 0)))))),
  );
}

function timelineCard(s: Situation, onDispose: PageContext['onDispose']): HTMLElement {
  const { starts, levels, bucketMs } = s.alerts.timeline;
  const any = LEVELS.some((l) => (levels[l] ?? []).some((n) => n > 0));
  const option: ChartOption = {
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: starts.map((x) => formatAxis(x, bucketMs)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: LEVELS.map((l) => ({ name: tv('level', l), type: 'bar', stack: 'alerts', color: LEVEL_COLORS[l], data: levels[l] ?? [] })),
  };
  return card(t('situation.alertsOverTime'), any ? chart(t('situation.alertsOverTime'), option, onDispose) : emptyState(t('situation.noAlertsInRange'), t('situation.noAlertsInRangeNext')));
}

function assetsCard(s: Situation): HTMLElement {
  const body = s.topAssets.length
    ? table(
        t('situation.topAssets'),
        [
          { label: t('assets.name'), cell: (a) => h('a', { href: href('/assets', { id: a.assetId }) }, a.name) },
          { label: t('assets.department'), cell: (a) => a.department },
          { label: t('assets.criticality'), cell: (a) => tv('criticality', a.criticality) },
          { label: t('situation.openByLevel'), cell: (a) => h('span', { class: 'inline-badges' }, ...LEVELS.filter((l) => a.openByLevel[l]).map((l) => h('span', null, badge('level', l), ` ${a.openByLevel[l]}`))) },
          { label: t('situation.risk'), cell: (a) => formatNumber(a.risk, 1), numeric: true },
        ],
        s.topAssets,
      )
    : emptyState(t('situation.noAssetsAtRisk'), t('situation.noAssetsAtRiskNext'));
  return card(
    t('situation.topAssets'),
    body,
    s.unattributedOpenAlerts ? h('p', { class: 'hint' }, t('situation.unattributed', { count: s.unattributedOpenAlerts })) : null,
    h('p', { class: 'hint' }, t('situation.riskExplained')),
  );
}

function ingestCard(s: Situation, onDispose: PageContext['onDispose']): HTMLElement | null {
  const ingest = s.ingest;
  if (!ingest) return null;
  const writer = ingest.writer;
  const status = h(
    'ul',
    { class: 'writer' },
    h('li', null, t('situation.store'), ': ', h('strong', { class: writer.storeUp ? 'ok' : 'bad' }, writer.storeUp ? t('situation.storeUp') : t('situation.storeDown'))),
    h('li', null, t('situation.queue', { queued: formatNumber(writer.queued), capacity: formatNumber(writer.capacity) })),
    h('li', null, t('situation.spool', { count: formatNumber(writer.spooled) })),
    writer.journaled !== null ? h('li', null, t('situation.journal', { count: formatNumber(writer.journaled) })) : null,
    s.unregisteredHosts !== null ? h('li', null, h('a', { href: href('/assets', { tab: 'unregistered' }) }, t('situation.unregisteredHosts', { count: s.unregisteredHosts }))) : null,
  );
  if (!ingest.collectors.length) return card(t('situation.ingest'), status, emptyState(t('situation.noIngest'), t('situation.noIngestNext')));
  const times = [...new Set(ingest.collectors.flatMap((c) => c.series.map((p) => p.at)))].sort();
  const seriesOf = (c: (typeof ingest.collectors)[number], field: 'receivedPerMinute' | 'droppedPerMinute') => times.map((at) => c.series.find((p) => p.at === at)?.[field] ?? 0);
  const option: ChartOption = {
    legend: { top: 0, type: 'scroll' },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: times.map((x) => formatTime(x)) },
    yAxis: { type: 'value', name: t('situation.perMinute') },
    series: ingest.collectors.flatMap((c) => [
      { name: t('situation.receivedBy', { collector: c.collector }), type: 'line', showSymbol: times.length < 3, data: seriesOf(c, 'receivedPerMinute') },
      ...(c.dropped ? [{ name: t('situation.droppedBy', { collector: c.collector }), type: 'line' as const, lineStyle: { type: 'dashed' as const }, data: seriesOf(c, 'droppedPerMinute') }] : []),
    ]),
  };
  return card(
    t('situation.ingest'),
    chart(t('situation.ingestChart'), option, onDispose),
    table(
      t('situation.collectors'),
      [
        { label: t('situation.collector'), cell: (c) => c.collector },
        { label: t('situation.received'), cell: (c) => formatNumber(c.received), numeric: true },
        { label: t('situation.parsed'), cell: (c) => formatNumber(c.parsed), numeric: true },
        { label: t('situation.raw'), cell: (c) => formatNumber(c.raw), numeric: true },
        { label: t('situation.rejected'), cell: (c) => formatNumber(c.rejected), numeric: true },
        { label: t('situation.dropped'), cell: (c) => h('span', { class: c.dropped ? 'bad' : undefined }, formatNumber(c.dropped)), numeric: true },
        { label: t('situation.failed'), cell: (c) => h('span', { class: c.failed ? 'bad' : undefined }, formatNumber(c.failed)), numeric: true },
      ],
      ingest.collectors,
    ),
    h('p', { class: 'hint' }, ingest.windowMinutes >= 1 ? t('situation.sinceStart', { minutes: ingest.windowMinutes }) : t('situation.sinceStartJust')),
    status,
  );
}

export async function render(ctx: PageContext): Promise<void> {
  const range = RANGES.includes(ctx.params.get('range') as (typeof RANGES)[number]) ? (ctx.params.get('range') as string) : '24h';
  const rangeSelect = select(RANGES.map((r) => ({ value: r, label: tv('situation.range', r) })), range, { name: 'range' });
  rangeSelect.setAttribute('aria-label', t('situation.rangeLabel'));
  const stamp = h('span', { class: 'hint', 'aria-live': 'polite' });
  const top = h('div');
  const body = h('div', { class: 'grid' }, loading());
  let chartDisposers: (() => void)[] = [];
  ctx.onDispose(() => chartDisposers.forEach((d) => d()));

  const load = async () => {
    try {
      const s = await api<Situation>('GET', '/api/situation', { query: { range: rangeSelect.value, tz: timeZone() } });
      chartDisposers.forEach((d) => d());
      chartDisposers = [];
      const onDispose = (fn: () => void) => chartDisposers.push(fn);
      const clocks = s.sections.clocks as { total: number; items: RunningClock[]; error?: string } | undefined;
      const band = await attentionBand(clocks && !clocks.error ? clocks : undefined, onDispose);
      // With the band on top, its clocks are not repeated below.
      const sections = SITUATION_SECTIONS.filter((sec) => (!sec.roles || can(sec.roles)) && !(band && sec.key === 'clocks')).map((sec) =>
        card(t(sec.title), sec.key in s.sections && sec.render ? sec.render(s.sections[sec.key], onDispose) : emptyState(t(sec.empty.title), t(sec.empty.next))),
      );
      replace(top, band);
      replace(body, postureCard(s), openAlertsCard(s), timelineCard(s, onDispose), assetsCard(s), ingestCard(s, onDispose), ...sections);
      replace(stamp, t('situation.updated', { time: formatDateTime(s.generatedAt) }));
    } catch (error) {
      replace(body, errorBox(error));
    }
  };
  rangeSelect.addEventListener('change', () => {
    ctx.setParams(new URLSearchParams({ range: rangeSelect.value }));
    void load();
  });
  const timer = window.setInterval(() => void load(), REFRESH_MS);
  ctx.onDispose(() => window.clearInterval(timer));
  await load();
  replace(ctx.root, pageHeader(t('nav.situation'), stamp, rangeSelect, button(t('common.refresh'), () => void load())), top, body);
}
