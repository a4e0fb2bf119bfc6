import { api, ApiError } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { can, type Role } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { badge, button, card, checkbox, emptyState, errorBox, errorText, field, input, loading, pageHeader, select, table, textarea, toast } from '../core/ui.js';
import type { PageContext } from './page.js';

const TUNE: Role[] = ['admin', 'analyst'];

interface Rule {
  id: string;
  title: string;
  level: string;
  kind: string;
  file: string;
  enabled: boolean;
  /** Why a dormant rule cannot run yet. */
  reason?: { kind: string; logsource?: string; fields?: string[]; placeholders?: string[]; rules?: string[] };
  evaluations: number;
  matches: number;
  meanMicros: number;
}

function dormancy(reason: NonNullable<Rule['reason']>): HTMLElement {
  const list = (names?: string[], wrap = (n: string) => n) => (names ?? []).map(wrap).join(', ');
  const text = tv('dormancy', reason.kind, { logsource: reason.logsource ?? '', fields: list(reason.fields), placeholders: list(reason.placeholders, (n) => `%${n}%`), rules: list(reason.rules) });
  return h('small', { class: 'notice-warn' }, text);
}

interface TestResult {
  rules: { id: string; title: string; level: string; kind: string }[];
  events: { index: number; timestamp: string; dataset: string; action: string; message: string | null; matchedBy: string[] }[];
  firings: { ruleId: string; title: string; level: string; kind: string; groupKey: string; eventIndex: number | null; at: string }[];
}

const SAMPLE_EVENT = 'Mar 10 13:30:01 gw-01 sshd[4242]: Failed password for root from 203.0.113.7 port 52100 ssh2';

function ruleTable(rules: Rule[], reload: () => void): HTMLElement {
  return table(
    t('nav.rules'),
    [
      {
        label: t('rules.enabled'),
        cell: (r) => {
          const box = checkbox(r.enabled);
          box.setAttribute('aria-label', t('rules.enableOne', { title: r.title }));
          box.disabled = !can(TUNE);
          box.addEventListener('change', async () => {
            box.disabled = true;
            try {
              await api('PATCH', `/api/rules/${encodeURIComponent(r.id)}`, { body: { enabled: box.checked } });
              toast(t(box.checked ? 'rules.enabledNow' : 'rules.disabledNow', { title: r.title }));
              reload();
            } catch (error) {
              box.checked = !box.checked;
              toast(errorText(error), 'error');
            } finally {
              box.disabled = !can(TUNE);
            }
          });
          return box;
        },
      },
      { label: t('rules.title'), cell: (r) => h('span', null, r.title, h('br'), h('small', { class: 'mono' }, r.id), ...(r.reason ? [h('br'), dormancy(r.reason)] : [])) },
      { label: t('alerts.level'), cell: (r) => badge('level', r.level) },
      { label: t('rules.kind'), cell: (r) => tv('ruleKind', r.kind) },
      { label: t('rules.file'), cell: (r) => h('small', { class: 'mono' }, r.file) },
      { label: t('rules.matches'), cell: (r) => formatNumber(r.matches), numeric: true },
      { label: t('rules.meanMicros'), cell: (r) => formatNumber(r.meanMicros, 1), numeric: true },
    ],
    rules,
  );
}

/** Validate a pasted rule file, test a loaded or pasted rule on pasted events, or save it as a new rule. */
function workbench(rules: Rule[], reload: () => void): HTMLElement {
  const source = select([{ value: '', label: t('rules.pastedRule') }, ...rules.map((r) => ({ value: r.id, label: `${r.title} (${r.id})` }))], '', { name: 'ruleId' });
  const yaml = textarea({ name: 'yaml', rows: 10, placeholder: 'title: …\nlogsource: …\ndetection: …' });
  const events = textarea({ name: 'events', rows: 6, value: SAMPLE_EVENT });
  const out = h('div', { 'aria-live': 'polite' });
  const yamlField = field(t('rules.yaml'), yaml, t('rules.yamlHint'));
  source.addEventListener('change', () => (yamlField.hidden = source.value !== ''));
  const validate = async () => {
    if (!yaml.value.trim()) return yaml.focus();
    try {
      const r = await api<{ valid: boolean; rules: number; correlations: number; errors: string[] }>('POST', '/api/rules/validate', { raw: { content: yaml.value, type: 'application/yaml' } });
      replace(out, r.valid ? h('p', { class: 'notice' }, t('rules.valid', { rules: r.rules, correlations: r.correlations })) : h('div', { class: 'notice notice-error', role: 'alert' }, t('rules.invalid'), h('ul', null, ...r.errors.map((e) => h('li', { class: 'mono' }, e)))));
    } catch (error) {
      replace(out, errorBox(error));
    }
  };
  const test = async () => {
    if (!source.value && !yaml.value.trim()) return yaml.focus();
    if (!events.value.trim()) return events.focus();
    replace(out, loading());
    try {
      const r = await api<TestResult>('POST', '/api/rules/test', { body: { ...(source.value ? { ruleId: source.value } : { yaml: yaml.value }), events: events.value } });
      const matched = r.events.filter((e) => e.matchedBy.length).length;
      replace(
        out,
        h('p', { class: matched ? 'notice' : 'notice notice-warn' }, t('rules.testSummary', { events: r.events.length, matched, firings: r.firings.length })),
        table(t('rules.testEvents'), [
          { label: '#', cell: (e) => String(e.index + 1), numeric: true },
          { label: t('events.time'), cell: (e) => formatDateTime(e.timestamp) },
          { label: t('events.dataset'), cell: (e) => e.dataset },
          { label: t('events.action'), cell: (e) => e.action },
          { label: t('events.message'), cell: (e) => h('span', { class: 'message' }, e.message ?? '') },
          { label: t('rules.matchedBy'), cell: (e) => (e.matchedBy.length ? h('strong', { class: 'match' }, e.matchedBy.join(', ')) : t('rules.noMatch')) },
        ], r.events),
        r.firings.length
          ? table(t('rules.firings'), [
              { label: t('rules.title'), cell: (f) => f.title },
              { label: t('alerts.level'), cell: (f) => badge('level', f.level) },
              { label: t('alerts.group'), cell: (f) => h('span', { class: 'mono' }, f.groupKey) },
              { label: '#', cell: (f) => (f.eventIndex === null ? '—' : String(f.eventIndex + 1)), numeric: true },
            ], r.firings)
          : null,
      );
    } catch (error) {
      const details = error instanceof ApiError && Array.isArray(error.details) ? error.details : [];
      replace(out, errorBox(error), details.length ? h('ul', null, ...details.map((d) => h('li', { class: 'mono' }, String(d)))) : null);
    }
  };
  const save = async () => {
    if (!yaml.value.trim()) return yaml.focus();
    try {
      const r = await api<{ file: string; rules: number; correlations: number }>('POST', '/api/rules', { raw: { content: yaml.value, type: 'application/yaml' } });
      toast(t('rules.saved', { file: r.file }));
      reload();
    } catch (error) {
      const details = error instanceof ApiError && Array.isArray(error.details) ? error.details : [];
      replace(out, errorBox(error), details.length ? h('ul', null, ...details.map((d) => h('li', { class: 'mono' }, String(d)))) : null);
    }
  };
  return card(
    t('rules.workbench'),
    h('p', { class: 'hint' }, t('rules.workbenchLead')),
    field(t('rules.testWhich'), source),
    yamlField,
    field(t('rules.events'), events, t('rules.eventsHint')),
    h('div', { class: 'toolbar' }, button(t('rules.test'), () => void test(), { kind: 'primary' }), button(t('rules.validate'), () => void validate()), button(t('rules.save'), () => void save())),
    out,
  );
}

export async function render(ctx: PageContext): Promise<void> {
  const filter = input({ name: 'q', type: 'search', value: ctx.params.get('q') ?? '' });
  const list = h('div');
  const problems = h('div');
  const bench = h('div');
  const stamp = h('span', { class: 'hint' });
  let rules: Rule[] = [];
  const show = () => {
    const needle = filter.value.trim().toLowerCase();
    const shown = rules.filter((r) => !needle || `${r.title} ${r.id} ${r.file}`.toLowerCase().includes(needle));
    replace(list, shown.length ? ruleTable(shown, () => void load()) : emptyState(needle ? t('rules.noneFound') : t('rules.none'), needle ? t('rules.noneFoundNext') : t('rules.noneNext')));
  };
  const load = async () => {
    try {
      const status = await api<{ loadedAt: string | null; rules: Rule[]; errors: string[] }>('GET', '/api/rules');
      rules = status.rules;
      replace(stamp, t('rules.loadedAt', { time: formatDateTime(status.loadedAt), count: rules.length }));
      replace(problems, status.errors.length ? h('div', { class: 'notice notice-warn', role: 'alert' }, t('rules.problems', { count: status.errors.length }), h('ul', null, ...status.errors.map((e) => h('li', { class: 'mono' }, e)))) : null);
      if (can(TUNE) && !bench.firstChild) replace(bench, workbench(rules, () => void load()));
      show();
    } catch (error) {
      replace(list, errorBox(error));
    }
  };
  filter.addEventListener('input', () => {
    ctx.setParams(new URLSearchParams(filter.value ? { q: filter.value } : {}));
    show();
  });
  const reloadButton = can(TUNE)
    ? button(t('rules.reload'), async () => {
        try {
          const r = await api<{ rules: number; errors: string[] }>('POST', '/api/rules/reload');
          toast(t('rules.reloaded', { count: r.rules }));
          await load();
        } catch (error) {
          toast(errorText(error), 'error');
        }
      })
    : null;
  await load();
  replace(ctx.root, pageHeader(t('nav.rules'), stamp, reloadButton), problems, bench, h('div', { class: 'filters', role: 'search' }, field(t('rules.filter'), filter)), list);
}
