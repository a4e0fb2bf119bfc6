import { h, type Child } from '../core/dom.js';
import { formatNumber, t } from '../core/i18n.js';
import { href } from '../core/router.js';
import { formatDateTime, formatInterval } from '../core/time.js';
import { emptyState, table } from '../core/ui.js';

export interface SilentAssets {
  defaultIntervalMinutes: number;
  registered: number;
  total: number;
  items: { id: string; name: string; department: string; lastEventAt: string | null; intervalMinutes: number; intervalSource: 'asset' | 'default' }[];
  error?: string;
}

/** Every registered, running asset in view is silent: the score would only say that nothing was seen. */
export function nothingSeen(raw: unknown): boolean {
  const s = raw as SilentAssets | undefined;
  return !!s && !s.error && s.registered > 0 && s.total === s.registered;
}

/** Registered assets with no events in their expected interval: "no data", never "safe". */
export function silentAssetsSection(raw: unknown): Child {
  const s = raw as SilentAssets;
  if (s.error) return h('p', { class: 'notice notice-warn' }, t('situation.sectionUnavailable'));
  if (!s.total) return emptyState(t('situation.noSilentAssets', { every: formatInterval(s.defaultIntervalMinutes) }), t('situation.noSilentAssetsNext'));
  return [
    h('p', { class: 'notice notice-warn' }, t('situation.silentLead', { count: formatNumber(s.total), registered: formatNumber(s.registered) })),
    table(t('situation.silentAssets'), [
      { label: t('assets.name'), cell: (a: SilentAssets['items'][number]) => h('a', { href: href('/assets', { id: a.id }) }, a.name) },
      { label: t('assets.department'), cell: (a) => a.department },
      { label: t('situation.lastEvent'), cell: (a) => (a.lastEventAt ? formatDateTime(a.lastEventAt) : t('situation.noData')) },
      { label: t('situation.expectedInterval'), cell: (a) => t(a.intervalSource === 'default' ? 'situation.expectedEveryDefault' : 'situation.expectedEvery', { every: formatInterval(a.intervalMinutes) }) },
    ], s.items),
    s.total > s.items.length ? h('p', { class: 'hint' }, t('situation.silentMore', { count: formatNumber(s.total - s.items.length) })) : null,
  ];
}
