import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { badge, button, details, dialog, emptyState, field, input, select, table, vocabulary } from '../core/ui.js';
import { LAWS } from '../core/vocabulary.js';
import { citation, type Control } from './compliance-common.js';
import { local } from './incident-common.js';
import type { PageContext } from './page.js';

function controlDialog(c: Control): void {
  dialog({
    title: `${c.id} ${local(c.title)}`,
    wide: true,
    body: [
      details([
        [t('compliance.law'), citation(c)],
        ...(c.article2016 ? ([[t('compliance.article2016'), c.article2016]] as [string, string][]) : []),
        ...(c.article2026 ? ([[t('compliance.article2026'), c.article2026]] as [string, string][]) : []),
        [t('compliance.verification'), tv('verification', c.verification)],
        [t('compliance.appliesTo'), tv('selector', c.appliesTo)],
        [t('compliance.checkKind'), c.check.kind === 'automatic' ? t('compliance.automatic', { evaluator: c.check.evaluator }) : t('compliance.manual', { days: c.check.validityDays })],
        [t('compliance.severity'), badge('severity', c.severity)],
      ]),
      h('h3', null, t('compliance.requirement')),
      h('p', null, local(c.requirement)),
      c.check.kind === 'manual' ? [h('h3', null, t('compliance.evidenceNeeded')), h('p', null, local(c.check.evidence))] : null,
      h('h3', null, t('compliance.remediation')),
      h('p', null, local(c.remediation)),
    ],
  });
}

/** The control catalogue as loaded now: what each control asks, under which law, and how it is checked. */
export async function render(ctx: PageContext, area: HTMLElement): Promise<void> {
  const controls = await api<Control[]>('GET', '/api/compliance/controls');
  const law = select(vocabulary('law', LAWS, 'common.all'), ctx.params.get('law') ?? '', { name: 'law' });
  const kind = select(vocabulary('checkKind', ['automatic', 'manual'], 'common.all'), ctx.params.get('kind') ?? '', { name: 'kind' });
  const q = input({ name: 'q', type: 'search', value: ctx.params.get('q') ?? '' });
  const list = h('div');
  const show = () => {
    ctx.setParams(new URLSearchParams(Object.entries({ tab: 'controls', law: law.value, kind: kind.value, q: q.value.trim() }).filter(([, v]) => v)));
    const needle = q.value.trim().toLowerCase();
    const shown = controls.filter(
      (c) =>
        (!law.value || c.source === law.value) &&
        (!kind.value || c.check.kind === kind.value) &&
        (!needle || [c.id, c.title['zh-CN'], c.title.en, c.requirement['zh-CN'], c.requirement.en].some((s) => s.toLowerCase().includes(needle))),
    );
    replace(
      list,
      h('p', { class: 'hint' }, t('compliance.controlsCount', { shown: shown.length, total: controls.length })),
      shown.length
        ? table(
            t('compliance.tab.controls'),
            [
              { label: t('compliance.controlId'), cell: (c) => h('span', { class: 'mono' }, c.id) },
              { label: t('compliance.controlTitle'), cell: (c) => button(local(c.title), () => controlDialog(c), { kind: 'link', title: t('compliance.showControl', { id: c.id }) }) },
              { label: t('compliance.law'), cell: (c) => citation(c) },
              { label: t('compliance.appliesTo'), cell: (c) => tv('selector', c.appliesTo) },
              { label: t('compliance.checkKind'), cell: (c) => tv('checkKind', c.check.kind) },
              { label: t('compliance.severity'), cell: (c) => badge('severity', c.severity) },
              { label: t('compliance.verification'), cell: (c) => tv('verification', c.verification) },
            ],
            shown,
          )
        : emptyState(t('compliance.noControls'), t('compliance.noControlsNext')),
    );
  };
  const filters = h('form', { class: 'filters', role: 'search' }, field(t('compliance.law'), law), field(t('compliance.checkKind'), kind), field(t('compliance.searchControls'), q), button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    show();
  });
  for (const s of [law, kind]) s.addEventListener('change', show);
  show();
  replace(area, h('p', { class: 'hint' }, t('compliance.controlsLead')), filters, list);
}
