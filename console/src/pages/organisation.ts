import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t } from '../core/i18n.js';

/**
 * Reports carry the organisation's name; while TAISHI_ORGANISATION_NAME was never set they say
 * 本单位 ("this organisation"). The notice fills itself in once the service has answered, so the
 * pages that show it (compliance, the incident report) need not wait for it.
 */
export function organisationNotice(): HTMLElement {
  const el = h('div', { class: 'organisation-notice' });
  api<{ name: string; named: boolean }>('GET', '/api/compliance/organisation')
    .then((o) => {
      if (!o.named) replace(el, h('p', { class: 'notice notice-warn', role: 'status' }, t('organisation.unset', { name: o.name })));
    })
    // The page around it shows the service's errors; a missing warning is not worth a second one.
    .catch(() => undefined);
  return el;
}
