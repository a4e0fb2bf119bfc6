import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { formatDateTime } from '../core/time.js';
import { button, confirmDialog, dialog, emptyState, errorBox, field, input, loading, pageHeader, table, toast } from '../core/ui.js';
import type { PageContext } from './page.js';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function createKey(after: () => void): void {
  const name = input({ name: 'name', required: true, placeholder: 'syslog-relay-1' });
  dialog({
    title: t('keys.createTitle'),
    body: [h('p', null, t('keys.createLead')), field(t('keys.name'), name, t('keys.nameHint'))],
    submitLabel: t('keys.create'),
    onSubmit: async () => {
      const created = await api<ApiKey & { key: string }>('POST', '/api/api-keys', { body: { name: name.value.trim(), scopes: ['ingest'] } });
      after();
      // The key is shown this once; only its hash is kept.
      const value = h('input', { type: 'text', readonly: true, value: created.key, class: 'mono', 'aria-label': t('keys.value') });
      dialog({
        title: t('keys.createdTitle', { name: created.name }),
        body: [
          h('p', { class: 'notice notice-warn' }, t('keys.showOnce')),
          value,
          button(t('keys.copy'), () => {
            value.select();
            void navigator.clipboard?.writeText(created.key).then(() => toast(t('keys.copied')));
          }),
          h('p', { class: 'hint' }, t('keys.usage')),
        ],
      });
    },
  });
}

export async function render(ctx: PageContext): Promise<void> {
  const list = h('div', null, loading());
  const load = async () => {
    try {
      const keys = await api<ApiKey[]>('GET', '/api/api-keys');
      replace(
        list,
        keys.length
          ? table(t('nav.apiKeys'), [
              { label: t('keys.name'), cell: (k) => k.name },
              { label: t('keys.prefix'), cell: (k) => h('span', { class: 'mono' }, `${k.prefix}…`) },
              { label: t('keys.scopes'), cell: (k) => k.scopes.join(', ') },
              { label: t('keys.created'), cell: (k) => formatDateTime(k.createdAt) },
              { label: t('keys.lastUsed'), cell: (k) => formatDateTime(k.lastUsedAt) },
              { label: t('keys.state'), cell: (k) => (k.revokedAt ? t('keys.revokedAt', { time: formatDateTime(k.revokedAt) }) : t('keys.active')) },
              {
                label: t('common.actions'),
                cell: (k) =>
                  k.revokedAt
                    ? '—'
                    : button(t('keys.revoke'), () => confirmDialog(t('keys.revoke'), t('keys.revokeConfirm', { name: k.name }), t('keys.revoke'), async () => {
                        await api('DELETE', `/api/api-keys/${k.id}`);
                        toast(t('keys.revoked', { name: k.name }));
                        await load();
                      }), { kind: 'link', title: `${t('keys.revoke')} ${k.name}` }),
              },
            ], keys)
          : emptyState(t('keys.none'), t('keys.noneNext'), button(t('keys.create'), () => createKey(load), { kind: 'primary' })),
      );
    } catch (error) {
      replace(list, errorBox(error));
    }
  };
  await load();
  replace(ctx.root, pageHeader(t('nav.apiKeys'), button(t('keys.create'), () => createKey(load), { kind: 'primary' })), list);
}
