import { h, replace } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { href } from '../core/router.js';
import { can, user } from '../core/session.js';
import { errorBox, loading, pageHeader } from '../core/ui.js';
import { READ } from './compliance-common.js';
import { organisationNotice } from './organisation.js';
import type { PageContext } from './page.js';

/** Each view of the compliance page lives in its own module, loaded when it is opened. */
const TABS = [
  { id: 'runs', label: 'compliance.tab.runs', show: () => true, load: () => import('./compliance-runs.js') },
  { id: 'results', label: 'compliance.tab.results', show: () => true, load: () => import('./compliance-results.js') },
  { id: 'findings', label: 'compliance.tab.findings', show: () => true, load: () => import('./compliance-findings.js') },
  { id: 'controls', label: 'compliance.tab.controls', show: () => true, load: () => import('./compliance-controls.js') },
  { id: 'attestations', label: 'compliance.tab.attestations', show: () => can(READ), load: () => import('./compliance-attestations.js') },
] as const;

export async function render(ctx: PageContext): Promise<void> {
  const tabs = TABS.filter((x) => x.show());
  const active = tabs.find((x) => x.id === ctx.params.get('tab')) ?? tabs[0];
  const area = h('div', null, loading());
  const nav = h('nav', { class: 'tabs', 'aria-label': t('compliance.views') }, ...tabs.map((x) => h('a', { href: href('/compliance', x.id === 'runs' ? {} : { tab: x.id }), 'aria-current': x.id === active.id ? 'page' : undefined }, t(x.label))));
  try {
    await (await active.load()).render(ctx, area);
  } catch (error) {
    replace(area, errorBox(error));
  }
  replace(ctx.root, pageHeader(t('nav.compliance')), organisationNotice(), user().role === 'owner' ? h('p', { class: 'hint' }, t('compliance.ownerScope', { department: user().department ?? '' })) : null, nav, area);
}
