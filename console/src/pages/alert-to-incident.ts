import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { href } from '../core/router.js';
import { dialog, field, input, select, vocabulary } from '../core/ui.js';
import { INCIDENT_CATEGORIES } from '../core/vocabulary.js';
import type { AlertAction, AlertRow } from './alert-actions.js';
import { localisedError, WORK, type IncidentRow } from './incident-common.js';

/**
 * "Send to an incident" on the alerts page: the first alert goes through POST /api/alerts/:id/incident
 * (opening a new incident or joining the one named), the others are linked to the same incident.
 * The alerts page reloads as soon as the incident holds them; the dialog then offers the way there.
 */
export const SEND_TO_INCIDENT: AlertAction = {
  label: 'alerts.toIncident',
  roles: WORK,
  run: (alerts: AlertRow[]) =>
    new Promise<void>((resolve) => {
      const target = select(
        [
          { value: 'new', label: t('toIncident.new') },
          { value: 'existing', label: t('toIncident.existing') },
        ],
        'new',
        { name: 'target' },
      );
      const title = input({ name: 'title', value: alerts.length === 1 ? alerts[0].ruleTitle : '' });
      const category = select(vocabulary('category', INCIDENT_CATEGORIES, 'toIncident.categoryFromRule'), '', { name: 'category' });
      const existing = input({ name: 'incident', placeholder: 'INC-2026-0001' });
      const open = h('datalist', { id: 'open-incidents' });
      existing.setAttribute('list', 'open-incidents');
      const forNew = h('div', null, field(t('toIncident.title'), title, t('toIncident.titleHint')), field(t('incidents.category'), category));
      const forExisting = h('div', { hidden: true }, field(t('toIncident.key'), existing, t('toIncident.keyHint')), open);
      const outcome = h('div', { 'aria-live': 'polite' });
      target.addEventListener('change', () => {
        forNew.hidden = target.value !== 'new';
        forExisting.hidden = target.value === 'new';
        existing.required = target.value !== 'new';
      });
      // The open incidents as suggestions; typing any key works as well.
      void api<{ items: IncidentRow[] }>('GET', '/api/incidents', { query: { kind: 'incident', open: 'true', limit: 100 } }).then(
        (page) => replace(open, ...page.items.map((i) => h('option', { value: i.key }, `${i.key} ${i.title}`))),
        () => undefined,
      );
      let done = false;
      const finish = () => {
        if (!done) resolve();
        done = true;
      };
      const dlg = dialog({
        title: t('toIncident.dialogTitle', { count: alerts.length }),
        body: [h('p', { class: 'hint' }, t('toIncident.lead')), field(t('toIncident.target'), target), forNew, forExisting, outcome],
        submitLabel: t('toIncident.submit'),
        onSubmit: async (form) => {
          const [first, ...rest] = alerts;
          let incident: IncidentRow;
          try {
            const body = target.value === 'new' ? { ...(title.value.trim() ? { title: title.value.trim() } : {}), ...(category.value ? { category: category.value } : {}) } : { incidentId: existing.value.trim() };
            incident = await api<IncidentRow>('POST', `/api/alerts/${first.id}/incident`, { body });
            if (rest.length) incident = await api<IncidentRow>('POST', `/api/incidents/${encodeURIComponent(incident.key)}/alerts`, { body: { alertIds: rest.map((a) => a.id) } });
          } catch (error) {
            throw localisedError(error);
          }
          // Done: show where the alerts went, with the way there, and let the alerts page reload meanwhile.
          const go = h('a', { class: 'btn btn-primary', href: href('/incidents', { id: incident.key }), onclick: () => dlg.close() }, t('toIncident.open', { key: incident.key }));
          replace(outcome, h('div', { class: 'notice notice-ok', role: 'status' }, t('toIncident.done', { count: alerts.length, key: incident.key, title: incident.title })), go);
          for (const el of [forNew, forExisting, target.closest('.field') as HTMLElement]) el.hidden = true;
          (form.querySelector('button[type="submit"]') as HTMLButtonElement).hidden = true;
          form.querySelector('.dialog-actions button:not([type="submit"])')!.textContent = t('common.close');
          go.focus();
          finish();
          return false;
        },
      });
      dlg.addEventListener('close', finish);
    }),
};
