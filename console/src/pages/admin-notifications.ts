import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { can, user } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { button, card, checkbox, emptyState, errorBox, errorText, field, input, loading, pageHeader, pager, table, toast } from '../core/ui.js';
import type { PageContext } from './page.js';

interface Preferences {
  onDuty: boolean;
  kinds: Record<string, boolean>;
  email: string | null;
  language: string;
}

interface OutboxRow {
  id: string;
  kind: string;
  status: string;
  username?: string | null;
  address?: string | null;
  subject?: string;
  attempts?: number;
  /** Why the row was not sent, as a code; transport errors come as the mail server's text in lastError. */
  reason?: { code: string; params?: Record<string, string> } | null;
  lastError?: string | null;
  createdAt: string;
  sentAt?: string | null;
}

async function preferencesCard(): Promise<HTMLElement> {
  const prefs = await api<Preferences>('GET', '/api/notifications/preferences');
  const onDuty = checkbox(prefs.onDuty, 'onDuty');
  const kinds = Object.entries(prefs.kinds).map(([kind, on]) => ({ kind, box: checkbox(on, kind) }));
  const form = h(
    'form',
    null,
    prefs.email ? h('p', { class: 'hint' }, t('notify.address', { email: prefs.email })) : h('p', { class: 'notice notice-warn' }, t('notify.noAddress')),
    ['admin', 'analyst'].includes(user().role) ? field(t('notify.onDuty'), onDuty, t('notify.onDutyHint')) : null,
    h('fieldset', null, h('legend', null, t('notify.kinds')), ...kinds.map((k) => field(tv('notify.kind', k.kind), k.box))),
    button(t('common.save'), () => undefined, { type: 'submit', kind: 'primary' }),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('PUT', '/api/notifications/preferences', { body: { ...(['admin', 'analyst'].includes(user().role) ? { onDuty: onDuty.checked } : {}), kinds: Object.fromEntries(kinds.map((k) => [k.kind, k.box.checked])) } });
      toast(t('notify.saved'));
    } catch (error) {
      toast(errorText(error), 'error');
    }
  });
  return card(t('notify.mine'), form);
}

async function outboxCard(): Promise<HTMLElement> {
  const area = h('div', null, loading());
  let offset = 0;
  const load = async () => {
    try {
      const r = await api<{ smtp: unknown; counts: Record<string, number>; total: number; items: OutboxRow[] }>('GET', '/api/notifications/outbox', { query: { limit: 50, offset } });
      replace(
        area,
        h('p', { class: 'hint' }, Object.entries(r.counts).map(([s, n]) => `${tv('notify.status', s)}: ${n}`).join(' · ')),
        r.items.length
          ? table(t('notify.outbox'), [
              { label: t('notify.created'), cell: (o) => formatDateTime(o.createdAt) },
              { label: t('notify.kindColumn'), cell: (o) => tv('notify.kind', o.kind) },
              { label: t('notify.to'), cell: (o) => [o.username, o.address].filter(Boolean).join(' · ') || '—' },
              { label: t('notify.subject'), cell: (o) => o.subject ?? '—' },
              { label: t('notify.statusColumn'), cell: (o) => tv('notify.status', o.status) + (o.reason ? ` — ${tv('notify.reason', o.reason.code, { username: o.username ?? '' })}` : o.lastError ? ` — ${o.lastError}` : '') },
              {
                label: t('common.actions'),
                cell: (o) =>
                  !['failed', 'held', 'skipped'].includes(o.status)
                    ? '—'
                    : button(t('notify.retry'), async () => {
                        try {
                          await api('POST', `/api/notifications/outbox/${o.id}/retry`);
                          await load();
                        } catch (error) {
                          toast(errorText(error), 'error');
                        }
                      }, { kind: 'link' }),
              },
            ], r.items)
          : emptyState(t('notify.outboxEmpty'), t('notify.outboxEmptyNext')),
        pager(offset, 50, r.total, (o) => {
          offset = o;
          void load();
        }),
      );
    } catch (error) {
      replace(area, errorBox(error));
    }
  };
  const to = input({ name: 'to', type: 'email' });
  const testMail = h('form', { class: 'filters' }, field(t('notify.testTo'), to, t('notify.testToHint')), button(t('notify.sendTest'), () => undefined, { type: 'submit' }));
  testMail.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/api/notifications/test', { body: to.value.trim() ? { to: to.value.trim() } : {} });
      toast(t('notify.testSent'));
    } catch (error) {
      toast(errorText(error), 'error');
    }
  });
  await load();
  return card(t('notify.outbox'), testMail, area);
}

export async function render(ctx: PageContext): Promise<void> {
  const parts: HTMLElement[] = [];
  for (const part of [preferencesCard, ...(can(['admin']) ? [outboxCard] : [])]) {
    try {
      parts.push(await part());
    } catch (error) {
      parts.push(errorBox(error));
    }
  }
  replace(ctx.root, pageHeader(t('nav.notifications')), ...parts);
}
