import { api } from '../core/api.js';
import { h, replace, type Child } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import { formatDateTime } from '../core/time.js';
import { button, card, details, dialog, emptyState, errorBox, field, input, loading, select, table, vocabulary, scrollable, textWidth } from '../core/ui.js';
import { CHECK_STATUSES, LAWS } from '../core/vocabulary.js';
import { checkBadge, citation, evidenceList, passRate, reportLinks, type CheckStatus, type Control, type ResultView, type RunView, type Subject } from './compliance-common.js';
import { local } from './incident-common.js';
import type { PageContext } from './page.js';

interface RunDiff {
  previous: { id: string; startedAt: string } | null;
  changed: { controlId: string; subject: Subject; from: CheckStatus; to: CheckStatus }[];
  added: { controlId: string; subject: Subject; status: CheckStatus }[];
  removed: { controlId: string; subject: Subject; status: CheckStatus }[];
  unchanged: number;
}

const SUBJECT_ORDER: Subject['type'][] = ['organisation', 'asset', 'incident'];
const subjectKey = (s: Subject) => `${s.type}|${s.id}`;
const emptyCounts = (): Record<CheckStatus, number> => ({ pass: 0, fail: 0, not_applicable: 0, needs_attestation: 0 });

/** One result with everything behind it: the law, the check's words, the evidence frozen with the run. */
function resultDialog(r: ResultView, control: Control | undefined): void {
  dialog({
    title: t('compliance.resultTitle', { control: r.controlId, subject: r.subject.name }),
    wide: true,
    body: [
      details([
        [t('compliance.control'), control ? `${r.controlId} ${local(control.title)}` : r.controlId],
        [t('compliance.law'), citation(control)],
        [t('compliance.subject'), t('compliance.subjectWithType', { name: r.subject.name, type: tv('subjectType', r.subject.type) })],
        [t('assets.department'), r.department ?? '—'],
        [t('compliance.status'), checkBadge(r.status)],
        [t('compliance.message'), local(r.message)],
        [t('compliance.riskAcceptedUntil'), r.riskAcceptedUntil ?? '—'],
        [t('compliance.finding'), r.findingId ? h('a', { href: href('/compliance', { tab: 'findings', status: 'all' }) }, t('compliance.openFindings')) : '—'],
      ]),
      control ? h('h3', null, t('compliance.requirement')) : null,
      control ? h('p', null, local(control.requirement)) : null,
      r.status === 'fail' && control ? [h('h3', null, t('compliance.remediation')), h('p', null, local(control.remediation))] : null,
      h('h3', null, t('compliance.evidence')),
      evidenceList(r.evidenceWords),
    ],
  });
}

/** Pass rate per law: what passed out of what could pass (not applicable left out). */
function byLaw(results: ResultView[], controls: Map<string, Control>): HTMLElement {
  const laws = new Map<string, { controls: Set<string>; counts: Record<CheckStatus, number> }>();
  for (const r of results) {
    const law = controls.get(r.controlId)?.source ?? 'unknown';
    const entry = laws.get(law) ?? { controls: new Set(), counts: emptyCounts() };
    entry.controls.add(r.controlId);
    entry.counts[r.status]++;
    laws.set(law, entry);
  }
  const rows = [...laws].sort(([a], [b]) => LAWS.indexOf(a as (typeof LAWS)[number]) - LAWS.indexOf(b as (typeof LAWS)[number]));
  return table(
    t('compliance.byLaw'),
    [
      { label: t('compliance.law'), cell: ([law]) => tv('law', law) },
      { label: t('compliance.controls'), cell: ([, e]) => formatNumber(e.controls.size), numeric: true },
      ...CHECK_STATUSES.map((s) => ({ label: tv('checkStatus', s), cell: ([, e]: (typeof rows)[number]) => formatNumber(e.counts[s]), numeric: true })),
      { label: t('compliance.passRate'), cell: ([, e]) => (passRate(e.counts) === null ? '—' : `${formatNumber(passRate(e.counts)!, 1)}%`), numeric: true },
    ],
    rows,
  );
}

/**
 * Controls down, subjects across (the organisation, then assets, then incidents): each cell a
 * button naming its control, subject and result, opening the evidence.
 */
/** A subject's name cut to about six Chinese characters (twelve Latin ones), so columns stay narrow; the header's title gives it whole. */
function abbreviate(name: string, width = 12): string {
  if (textWidth(name) <= width) return name;
  const chars = [...name];
  let n = chars.length;
  while (n > 1 && textWidth(chars.slice(0, n).join('')) > width - 1) n--;
  return `${chars.slice(0, n).join('')}…`;
}

function matrix(results: ResultView[], controls: Map<string, Control>): HTMLElement {
  const subjects = [...new Map(results.map((r) => [subjectKey(r.subject), r.subject])).values()].sort(
    (a, b) => SUBJECT_ORDER.indexOf(a.type) - SUBJECT_ORDER.indexOf(b.type) || a.name.localeCompare(b.name, 'zh-CN'),
  );
  const controlIds = [...new Set(results.map((r) => r.controlId))].sort((a, b) => {
    const la = LAWS.indexOf(controls.get(a)?.source as (typeof LAWS)[number]);
    const lb = LAWS.indexOf(controls.get(b)?.source as (typeof LAWS)[number]);
    return la - lb || a.localeCompare(b);
  });
  const cell = new Map(results.map((r) => [`${r.controlId}|${subjectKey(r.subject)}`, r]));
  const head = h(
    'tr',
    null,
    h('th', { scope: 'col' }, t('compliance.control')),
    ...subjects.map((s) => h('th', { scope: 'col', class: `subject subject-${s.type}`, title: s.name }, h('span', { 'aria-hidden': 'true' }, abbreviate(s.name)), h('span', { class: 'visually-hidden' }, s.name), h('span', { class: 'hint' }, tv('subjectType', s.type)))),
  );
  const rows = controlIds.map((id) => {
    const control = controls.get(id);
    return h(
      'tr',
      null,
      h('th', { scope: 'row' }, h('span', { class: 'mono' }, id), control ? h('span', { class: 'control-title' }, local(control.title)) : null),
      ...subjects.map((s) => {
        const r = cell.get(`${id}|${subjectKey(s)}`);
        if (!r) return h('td', { class: 'matrix-empty' });
        const label = t('compliance.cellLabel', { control: id, subject: s.name, status: tv('checkStatus', r.status) });
        return h('td', null, h('button', { type: 'button', class: `cell cell-${r.status}`, 'aria-label': label, title: label, onclick: () => resultDialog(r, control) }, tv('checkStatus', r.status)));
      }),
    );
  });
  return scrollable(
    h('div', { class: 'table-wrap matrix-wrap' }, h('table', { class: 'matrix' }, h('caption', { class: 'visually-hidden' }, t('compliance.matrix')), h('thead', null, head), h('tbody', null, ...rows))),
    t('compliance.matrix'),
  );
}

function diffCard(diff: RunDiff, controls: Map<string, Control>): HTMLElement {
  if (!diff.previous) return card(t('compliance.diff'), h('p', { class: 'hint' }, t('compliance.noPrevious')));
  const rows: { controlId: string; subject: Subject; from: CheckStatus | null; to: CheckStatus | null }[] = [
    ...diff.changed,
    ...diff.added.map((a) => ({ ...a, from: null, to: a.status })),
    ...diff.removed.map((r) => ({ ...r, from: r.status, to: null })),
  ];
  return card(
    t('compliance.diff'),
    h('p', null, t('compliance.diffSummary', { since: formatDateTime(diff.previous.startedAt), changed: diff.changed.length, added: diff.added.length, removed: diff.removed.length, unchanged: diff.unchanged })),
    rows.length
      ? table(
          t('compliance.diff'),
          [
            { label: t('compliance.control'), cell: (r) => `${r.controlId} ${local(controls.get(r.controlId)?.title)}` },
            { label: t('compliance.subject'), cell: (r) => r.subject.name },
            { label: t('compliance.before'), cell: (r) => (r.from ? checkBadge(r.from) : t('compliance.notEvaluated')) },
            { label: t('compliance.after'), cell: (r) => (r.to ? checkBadge(r.to) : t('compliance.notEvaluated')) },
          ],
          rows,
        )
      : null,
  );
}

export async function render(ctx: PageContext, area: HTMLElement): Promise<void> {
  const [runs, catalogue] = await Promise.all([api<RunView[]>('GET', '/api/compliance/runs', { query: { limit: 50 } }), api<Control[]>('GET', '/api/compliance/controls')]);
  const completed = runs.filter((r) => r.status === 'completed');
  if (!completed.length) {
    replace(area, emptyState(t('compliance.noResults'), t('compliance.noResultsNext'), h('a', { class: 'btn btn-primary', href: href('/compliance') }, t('compliance.tab.runs'))));
    return;
  }
  const controls = new Map(catalogue.map((c) => [c.id, c]));
  const run = select(
    completed.map((r) => ({ value: r.id, label: t('compliance.runOption', { profile: r.profileName, at: formatDateTime(r.finishedAt) }) })),
    completed.some((r) => r.id === ctx.params.get('run')) ? ctx.params.get('run')! : completed[0].id,
    { name: 'run' },
  );
  const status = select(vocabulary('checkStatus', CHECK_STATUSES, 'common.all'), ctx.params.get('status') ?? '', { name: 'status' });
  const law = select(vocabulary('law', LAWS, 'common.all'), ctx.params.get('law') ?? '', { name: 'law' });
  const department = input({ name: 'department', value: ctx.params.get('department') ?? '' });
  const body = h('div', { class: 'stack' }, loading());

  const load = async () => {
    ctx.setParams(new URLSearchParams(Object.entries({ tab: 'results', run: run.value, status: status.value, law: law.value, department: department.value.trim() }).filter(([, v]) => v)));
    replace(body, loading());
    try {
      const [all, diff] = await Promise.all([
        api<ResultView[]>('GET', `/api/compliance/runs/${run.value}/results`, { query: { department: department.value.trim() } }),
        api<RunDiff>('GET', `/api/compliance/runs/${run.value}/diff`),
      ]);
      const inLaw = law.value ? all.filter((r) => controls.get(r.controlId)?.source === law.value) : all;
      const shown = status.value ? inLaw.filter((r) => r.status === status.value) : inLaw;
      const summaryParts: Child[] = [
        h('p', { class: 'toolbar' }, h('span', null, t('compliance.resultsOf', { count: all.length })), reportLinks(run.value)),
        card(t('compliance.byLaw'), byLaw(inLaw, controls)),
      ];
      replace(
        body,
        ...summaryParts,
        card(
          t('compliance.matrix'),
          h('p', { class: 'hint' }, t('compliance.matrixHint')),
          shown.length ? matrix(shown, controls) : emptyState(t('compliance.noneMatch'), t('compliance.noneMatchNext')),
        ),
        diffCard(diff, controls),
      );
    } catch (error) {
      replace(body, errorBox(error));
    }
  };
  const filters = h(
    'form',
    { class: 'filters', role: 'search' },
    field(t('compliance.run'), run),
    field(t('compliance.status'), status),
    field(t('compliance.law'), law),
    field(t('assets.department'), department),
    button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }),
  );
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  for (const s of [run, status, law]) s.addEventListener('change', () => void load());
  await load();
  replace(area, filters, body);
}
