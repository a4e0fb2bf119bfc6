import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t } from '../core/i18n.js';
import { can } from '../core/session.js';
import { errorBox, table } from '../core/ui.js';

interface ProgramRecognition {
  source: string;
  program: string;
  lines: number;
  recognised: number;
  share: number;
  shapes: { shape: string; count: number }[];
}

/** Programs shown: the least readable first, so the blind spots lead. */
const ROWS = 20;
const SHAPES = 3;
/** Below this share a program counts as a blind spot in the summary line. */
const BLIND = 0.5;

/**
 * The recognition panel of the Events page: per source and sending program, the share of the
 * last day's lines parsed to a known action, and the most frequent shapes of the others (personal
 * data already masked by the service). Closed by default; loaded when opened.
 */
export function recognitionPanel(): HTMLElement | null {
  if (!can(['admin', 'analyst', 'compliance'])) return null;
  const body = h('div');
  const summary = h('summary', null, t('recognition.title'));
  const panel = h('details', { class: 'recognition' }, summary, body);
  let loaded = false;
  panel.addEventListener('toggle', () => {
    if (!panel.open || loaded) return;
    loaded = true;
    void load(body);
  });
  return panel;
}

async function load(body: HTMLElement): Promise<void> {
  replace(body, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
  try {
    const report = await api<{ windowHours: number; programs: ProgramRecognition[] }>('GET', '/api/ingest/recognition');
    const rows = report.programs.filter((p) => p.lines > 0).sort((a, b) => a.share - b.share || b.lines - a.lines);
    if (!rows.length) {
      replace(body, h('p', { class: 'hint' }, t('recognition.none', { hours: report.windowHours })));
      return;
    }
    const blind = rows.filter((p) => p.share < BLIND).length;
    replace(
      body,
      h('p', { class: blind ? 'notice notice-warn' : 'hint' }, t('recognition.summary', { programs: rows.length, blind, hours: report.windowHours })),
      table(
        t('recognition.title'),
        [
          { label: t('recognition.source'), cell: (p) => h('span', { class: 'mono' }, p.source) },
          { label: t('recognition.program'), cell: (p) => h('span', { class: 'mono' }, p.program) },
          { label: t('recognition.lines'), numeric: true, cell: (p) => formatNumber(p.lines) },
          {
            label: t('recognition.share'),
            cell: (p) => {
              const percent = formatNumber(p.share * 100, 1);
              return h('div', { class: 'recognition-share' }, h('progress', { max: 1, value: p.share, 'aria-label': t('recognition.shareOf', { program: p.program, percent }) }), h('span', null, `${percent}%`));
            },
          },
          {
            label: t('recognition.shapes'),
            cell: (p) =>
              p.shapes.length
                ? h('ul', { class: 'recognition-shapes' }, ...p.shapes.slice(0, SHAPES).map((s) => h('li', null, h('code', null, s.shape), ' ', h('span', { class: 'hint' }, `× ${formatNumber(s.count)}`))))
                : '—',
          },
        ],
        rows.slice(0, ROWS),
      ),
      h('p', { class: 'hint' }, t('recognition.hint')),
    );
  } catch (error) {
    replace(body, errorBox(error));
  }
}
