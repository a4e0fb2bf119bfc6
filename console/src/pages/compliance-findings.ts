import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { can } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { badge, button, dialog, emptyState, errorBox, errorText, field, input, loading, pager, select, table, textarea, toast, vocabulary } from '../core/ui.js';
import { FINDING_MOVES, FINDING_STATUSES } from '../core/vocabulary.js';
import { evidenceList, WRITE, type Control, type EvidenceWords, type FindingStatus } from './compliance-common.js';
import { incidentLink, local, type Localised } from './incident-common.js';
import type { PageContext } from './page.js';

interface Finding {
  id: string;
  controlId: string;
  subject: { type: string; id: string; name: string };
  department: string | null;
  severity: string;
  status: FindingStatus;
  message: Localised;
  evidenceWords: EvidenceWords;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  riskAcceptance: { approver: string; reason: string; expiresAt: string } | null;
  protectTicket: { id: string; key: string } | null;
  updatedBy: string;
  updatedAt: string;
}

const PAGE_SIZE = 50;
/** A Beijing calendar day, as the server takes risk-acceptance expiry. */
const beijingDay = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);

/** One move of a finding; accepting a risk needs who approved it, why, and until when (at most a year). */
function moveDialog(f: Finding, to: FindingStatus, after: () => Promise<void>): void {
  const accept = to === 'risk_accepted';
  const approver = input({ name: 'approver', required: true });
  const reason = textarea({ name: 'reason', rows: 3, required: accept });
  const expires = input({ name: 'expiresAt', type: 'date', required: true, min: beijingDay(Date.now()), max: beijingDay(Date.now() + 365 * 86_400_000) });
  dialog({
    title: t('findings.moveTitle', { control: f.controlId, subject: f.subject.name, to: tv('findingStatus', to) }),
    body: [
      accept ? h('p', { class: 'hint' }, t('findings.acceptLead')) : null,
      accept ? field(t('findings.approver'), approver) : null,
      field(accept ? t('findings.acceptReason') : t('findings.note'), reason),
      accept ? field(t('findings.expiresAt'), expires, t('findings.expiresAtHint')) : null,
    ],
    submitLabel: t('findings.moveSubmit', { to: tv('findingStatus', to) }),
    onSubmit: async () => {
      await api('POST', `/api/compliance/findings/${f.id}/transitions`, {
        body: { to, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}), ...(accept ? { approver: approver.value.trim(), expiresAt: expires.value } : {}) },
      });
      await after();
      toast(t('findings.moved', { control: f.controlId, to: tv('findingStatus', to) }));
    },
  });
}

export async function render(ctx: PageContext, area: HTMLElement): Promise<void> {
  const controls = new Map((await api<Control[]>('GET', '/api/compliance/controls')).map((c) => [c.id, c]));
  const status = select([...vocabulary('findingStatus', FINDING_STATUSES), { value: 'all', label: t('common.all') }], ctx.params.get('status') ?? 'open', { name: 'status' });
  const department = input({ name: 'department', value: ctx.params.get('department') ?? '' });
  const results = h('div', null, loading());
  let offset = 0;

  const load = async (): Promise<void> => {
    ctx.setParams(new URLSearchParams(Object.entries({ tab: 'findings', status: status.value, department: department.value.trim() }).filter(([, v]) => v)));
    try {
      const page = await api<{ items: Finding[]; total: number }>('GET', '/api/compliance/findings', {
        query: { status: status.value === 'all' ? undefined : status.value, department: department.value.trim(), limit: PAGE_SIZE, offset },
      });
      if (!page.items.length) {
        replace(results, emptyState(t('findings.none'), status.value === 'open' ? t('findings.noneOpenNext') : t('findings.noneNext')));
        return;
      }
      const actions = (f: Finding) => {
        if (!can(WRITE)) return f.protectTicket ? incidentLink(f.protectTicket) : '—';
        return h(
          'span',
          { class: 'row-actions' },
          ...FINDING_MOVES[f.status].map((to) => button(tv('findings.to', to), () => moveDialog(f, to, load), { kind: 'link', title: t('findings.moveTitle', { control: f.controlId, subject: f.subject.name, to: tv('findingStatus', to) }) })),
          f.protectTicket
            ? incidentLink(f.protectTicket)
            : f.status !== 'resolved'
              ? button(
                  t('findings.protectTicket'),
                  async () => {
                    try {
                      const updated = await api<Finding>('POST', `/api/compliance/findings/${f.id}/protect-ticket`);
                      await load();
                      toast(t('findings.ticketOpened', { key: updated.protectTicket?.key ?? '' }));
                    } catch (error) {
                      toast(errorText(error), 'error');
                    }
                  },
                  { kind: 'link', title: t('findings.protectTicketTitle', { control: f.controlId, subject: f.subject.name }) },
                )
              : null,
        );
      };
      replace(
        results,
        table(
          t('compliance.tab.findings'),
          [
            { label: t('compliance.control'), cell: (f) => h('span', null, h('span', { class: 'mono' }, f.controlId), h('span', { class: 'control-title' }, local(controls.get(f.controlId)?.title))) },
            { label: t('compliance.subject'), cell: (f) => t('compliance.subjectWithType', { name: f.subject.name, type: tv('subjectType', f.subject.type) }) },
            { label: t('assets.department'), cell: (f) => f.department ?? '—' },
            { label: t('compliance.severity'), cell: (f) => badge('severity', f.severity) },
            { label: t('findings.status'), cell: (f) => tv('findingStatus', f.status) + (f.riskAcceptance ? ` · ${t('findings.acceptedUntil', { date: f.riskAcceptance.expiresAt, approver: f.riskAcceptance.approver })}` : '') },
            {
              label: t('compliance.message'),
              cell: (f) => h('div', null, h('span', { class: 'message' }, local(f.message)), h('details', { class: 'evidence' }, h('summary', null, t('findings.evidence')), evidenceList(f.evidenceWords))),
            },
            { label: t('findings.lastSeen'), cell: (f) => formatDateTime(f.lastSeenAt) },
            { label: t('common.actions'), cell: actions },
          ],
          page.items,
        ),
        pager(offset, PAGE_SIZE, page.total, (o) => {
          offset = o;
          void load();
        }),
      );
    } catch (error) {
      replace(results, errorBox(error));
    }
  };
  const filters = h('form', { class: 'filters', role: 'search' }, field(t('findings.status'), status), field(t('assets.department'), department), button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    offset = 0;
    void load();
  });
  status.addEventListener('change', () => ((offset = 0), void load()));
  await load();
  replace(area, h('p', { class: 'hint' }, t('findings.lead')), filters, results);
}
