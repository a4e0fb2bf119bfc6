import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { formatDateTime } from '../core/time.js';
import { button, emptyState, errorBox, field, input, loading, pageHeader, table } from '../core/ui.js';
import type { PageContext } from './page.js';

interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  sourceIp: string | null;
  before: unknown;
  after: unknown;
}

const PAGE_SIZE = 100;

export async function render(ctx: PageContext): Promise<void> {
  const actor = input({ name: 'actor', value: ctx.params.get('actor') ?? '' });
  const targetType = input({ name: 'targetType', value: ctx.params.get('targetType') ?? '' });
  const verdict = h('div', { 'aria-live': 'polite' });
  const list = h('div', null, loading());
  // Ids of the first record of each earlier page, for "newer".
  const newer: (string | undefined)[] = [];
  let beforeId: string | undefined;

  const load = async () => {
    try {
      const records = await api<AuditRecord[]>('GET', '/api/audit', { query: { actor: actor.value.trim(), targetType: targetType.value.trim(), beforeId, limit: PAGE_SIZE } });
      replace(
        list,
        records.length
          ? table(t('nav.audit'), [
              { label: '#', cell: (r) => r.id, numeric: true },
              { label: t('audit.at'), cell: (r) => formatDateTime(r.at) },
              { label: t('audit.actor'), cell: (r) => `${r.actor}${r.actorRole ? ` (${tv('role', r.actorRole)})` : ''}` },
              { label: t('audit.action'), cell: (r) => h('span', { class: 'mono' }, r.action) },
              { label: t('audit.target'), cell: (r) => (r.targetType ? h('span', { class: 'mono' }, `${r.targetType}${r.targetId ? ` ${r.targetId}` : ''}`) : '—') },
              { label: t('audit.outcome'), cell: (r) => tv('audit.outcomes', r.outcome) },
              { label: t('audit.sourceIp'), cell: (r) => r.sourceIp ?? '—' },
              { label: t('audit.change'), cell: (r) => (r.before || r.after ? h('details', null, h('summary', null, t('audit.show')), h('pre', { class: 'json' }, JSON.stringify({ before: r.before, after: r.after }, null, 2))) : '—') },
            ], records)
          : emptyState(t('audit.none'), t('audit.noneNext')),
        h(
          'nav',
          { class: 'pager', 'aria-label': t('common.pages') },
          button(t('audit.newer'), () => {
            beforeId = newer.pop();
            void load();
          }, { disabled: newer.length === 0 }),
          button(t('audit.older'), () => {
            newer.push(beforeId);
            beforeId = records[records.length - 1].id;
            void load();
          }, { disabled: records.length < PAGE_SIZE }),
        ),
      );
    } catch (error) {
      replace(list, errorBox(error));
    }
  };

  const verify = async () => {
    replace(verdict, loading());
    try {
      const r = await api<{ ok: boolean; checked: number; firstBroken?: { id: string; reason: string } }>('GET', '/api/audit/verify');
      replace(
        verdict,
        r.ok
          ? h('p', { class: 'notice notice-ok', role: 'status' }, t('audit.verified', { count: r.checked }))
          : h('p', { class: 'notice notice-error', role: 'alert' }, t('audit.broken', { id: r.firstBroken!.id, reason: r.firstBroken!.reason, count: r.checked })),
      );
    } catch (error) {
      replace(verdict, errorBox(error));
    }
  };

  const form = h('form', { class: 'filters', role: 'search' }, field(t('audit.actor'), actor), field(t('audit.targetType'), targetType, t('audit.targetTypeHint')), button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    beforeId = undefined;
    newer.length = 0;
    ctx.setParams(new URLSearchParams(Object.entries({ actor: actor.value.trim(), targetType: targetType.value.trim() }).filter(([, v]) => v)));
    void load();
  });
  await load();
  replace(ctx.root, pageHeader(t('nav.audit'), button(t('audit.verify'), () => void verify(), { kind: 'primary' })), h('p', { class: 'hint' }, t('audit.lead')), verdict, form, list);
}
