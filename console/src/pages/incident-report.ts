import { api } from '../core/api.js';
import { h, replace, type Child } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { can } from '../core/session.js';
import { dateToWallClock, formatDateTime, timeZone, wallClockToDate } from '../core/time.js';
import { button, card, checkbox, details, errorBox, field, input, select, textarea, toast } from '../core/ui.js';
import { local, REPORTS, timeLeft, type IncidentRow, type Localised } from './incident-common.js';
import { organisationNotice } from './organisation.js';

interface ReportContent {
  unit?: string;
  systems?: string[];
  discoveredAt?: string;
  discoveryPlace?: string;
  impact?: string;
  measuresTaken?: string;
  measuresEffect?: string;
  ransomware?: { amount?: string; paymentMethod?: string; date?: string };
  furtherHarm?: string;
  preliminaryCause?: string;
  leads?: { attacker?: string; path?: string; vulnerabilities?: string };
  plannedMeasures?: string;
  helpRequested?: string;
  sceneProtection?: string;
  otherMatters?: string;
}

interface PiplRecord {
  content: { piTypes?: string[]; cause?: string; possibleHarm?: string; remedies?: string; individualSteps?: string; contact?: string };
  authority?: { name: string; notifiedAt: string };
  individuals?: { notified: true; notifiedAt: string; channel: string } | { notified: false; harmAvoidedBy: string };
}

export interface ReportView {
  reportRequired: boolean;
  reporterType: string;
  status: 'draft' | 'initial_submitted' | 'supplementary' | 'final';
  initialSubmittedAt: string | null;
  finalAt: string | null;
  deadline: null | { dueAt: string; hours: number; recipients: Localised[]; met: boolean | null };
  draft: { content: ReportContent; items: { id: string; label: Localised; complete: boolean; missingFields: string[] }[]; missing: string[] };
  summary: { content: Record<string, string | undefined>; missing: string[]; dueAt: string | null };
  pipl: null | { record: PiplRecord | null; missing: string[] };
  updatedBy: string | null;
  updatedAt: string | null;
}

const NEXT_STATUS: Record<ReportView['status'], ReportView['status'][]> = { draft: ['initial_submitted'], initial_submitted: ['supplementary', 'final'], supplementary: ['supplementary', 'final'], final: [] };
const SUMMARY_ITEMS = ['cause', 'measures', 'harm', 'accountability', 'remediation', 'lessons'] as const;
const TEXT_ITEMS = ['discoveryPlace', 'impact', 'measuresTaken', 'measuresEffect', 'furtherHarm', 'preliminaryCause', 'plannedMeasures', 'helpRequested', 'sceneProtection', 'otherMatters'] as const;

const trimmed = (el: HTMLInputElement | HTMLTextAreaElement) => el.value.trim();
const wallClock = (iso: string | undefined) => (iso ? dateToWallClock(new Date(iso)) : '');
const instant = (el: HTMLInputElement) => (el.value ? wallClockToDate(el.value)?.toISOString() : undefined);

/** A part of the report with its own save button, so one part's mistake never loses another's text. */
function part(legend: string, body: Child[], submitLabel: string, save: () => Promise<void>): HTMLFormElement {
  const status = h('div', { 'aria-live': 'polite' });
  const submit = button(submitLabel, () => undefined, { type: 'submit', kind: 'primary' });
  const form = h('form', { class: 'report-part', novalidate: true }, h('fieldset', null, h('legend', null, legend), ...body), status, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    replace(status);
    try {
      await save();
    } catch (error) {
      replace(status, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function initialReport(key: string, r: ReportView, after: () => Promise<void>): Child[] {
  const c = r.draft.content;
  const path = `/api/incidents/${encodeURIComponent(key)}/report`;
  const deadline = r.deadline!;
  const deadlineText =
    r.initialSubmittedAt !== null
      ? t(deadline.met ? 'report.metDeadline' : 'report.missedDeadline', { at: formatDateTime(r.initialSubmittedAt) })
      : timeLeft(deadline.dueAt);
  const unit = input({ name: 'unit', value: c.unit ?? '' });
  const systems = textarea({ name: 'systems', rows: 2, value: (c.systems ?? []).join('\n') });
  const texts = Object.fromEntries(TEXT_ITEMS.map((k) => [k, textarea({ name: k, rows: 2, value: c[k] ?? '' })])) as Record<(typeof TEXT_ITEMS)[number], HTMLTextAreaElement>;
  const leads = { attacker: textarea({ name: 'leadsAttacker', rows: 2, value: c.leads?.attacker ?? '' }), path: textarea({ name: 'leadsPath', rows: 2, value: c.leads?.path ?? '' }), vulnerabilities: textarea({ name: 'leadsVulnerabilities', rows: 2, value: c.leads?.vulnerabilities ?? '' }) };
  const ransom = checkbox(c.ransomware !== undefined, 'ransomware');
  const ransomFields = { amount: input({ name: 'ransomAmount', value: c.ransomware?.amount ?? '' }), paymentMethod: input({ name: 'ransomPayment', value: c.ransomware?.paymentMethod ?? '' }), date: input({ name: 'ransomDate', value: c.ransomware?.date ?? '' }) };
  const ransomSet = h('fieldset', { hidden: c.ransomware === undefined }, h('legend', null, t('reportField.ransomware')), field(t('reportField.ransomAmount'), ransomFields.amount), field(t('reportField.ransomPayment'), ransomFields.paymentMethod), field(t('reportField.ransomDate'), ransomFields.date));
  ransom.addEventListener('change', () => (ransomSet.hidden = !ransom.checked));
  const form = part(
    t('report.initialForm'),
    [
      organisationNotice(),
      h('div', { class: 'form-grid' }, field(t('reportField.unit'), unit), field(t('reportField.systems'), systems, t('report.oneLine'))),
      h('div', { class: 'form-grid' }, ...TEXT_ITEMS.map((k) => field(tv('reportField', k), texts[k]))),
      h('fieldset', null, h('legend', null, t('reportField.leads')), h('div', { class: 'form-grid' }, field(t('reportField.leadsAttacker'), leads.attacker), field(t('reportField.leadsPath'), leads.path), field(t('reportField.leadsVulnerabilities'), leads.vulnerabilities))),
      field(t('reportField.isRansomware'), ransom),
      ransomSet,
    ],
    t('report.saveDraft'),
    async () => {
      await api('PATCH', path, {
        body: {
          content: {
            unit: trimmed(unit),
            systems: systems.value.split('\n').map((s) => s.trim()).filter(Boolean),
            ...Object.fromEntries(TEXT_ITEMS.map((k) => [k, trimmed(texts[k])])),
            leads: { attacker: trimmed(leads.attacker), path: trimmed(leads.path), vulnerabilities: trimmed(leads.vulnerabilities) },
            ...(ransom.checked ? { ransomware: { amount: trimmed(ransomFields.amount), paymentMethod: trimmed(ransomFields.paymentMethod), date: trimmed(ransomFields.date) } } : {}),
          },
        },
      });
      await after();
      toast(t('report.saved'));
    },
  );
  // Art. 7: a report may go with mandatory items missing only with the reason stated.
  const missingReason = textarea({ name: 'missingReason', rows: 2 });
  const advance = NEXT_STATUS[r.status].map((s) =>
    button(tv('report.to', s), async () => {
      try {
        const reason = s !== 'final' ? trimmed(missingReason) : undefined;
        await api('PATCH', path, { body: { status: s, ...(reason ? { missingReason: reason } : {}) } });
        await after();
        toast(t('report.statusChanged', { status: tv('reportStatus', s) }));
      } catch (error) {
        replace(advanceStatus, errorBox(error));
      }
    }),
  );
  const advanceStatus = h('div', { 'aria-live': 'polite' });
  return [
    details([
      [t('report.deadline'), t('report.deadlineText', { hours: deadline.hours, due: formatDateTime(deadline.dueAt), recipients: deadline.recipients.map(local).join(t('incidents.listSeparator')) })],
      [t('report.deadlineState'), h('strong', { class: deadline.met === false || (r.initialSubmittedAt === null && Date.parse(deadline.dueAt) < Date.now()) ? 'bad' : undefined }, deadlineText)],
      [t('report.reporterType'), tv('reporterType', r.reporterType)],
      [t('report.status'), tv('reportStatus', r.status)],
      [t('report.initialSubmittedAt'), formatDateTime(r.initialSubmittedAt)],
      [t('report.finalAt'), formatDateTime(r.finalAt)],
    ]),
    h('h3', null, t('report.items')),
    h(
      'ul',
      { class: 'checklist', 'aria-label': t('report.items') },
      ...r.draft.items.map((i) =>
        h('li', { class: i.complete ? 'done' : 'missing' }, h('span', { class: 'mark' }, i.complete ? t('report.itemComplete') : t('report.itemMissing')), ' ', local(i.label), i.missingFields.length ? h('span', { class: 'hint' }, ` ${t('report.missingFields', { fields: i.missingFields.map((f) => tv('reportField', f)).join(t('incidents.listSeparator')) })}`) : null),
      ),
    ),
    h('p', { class: 'hint' }, t('report.incompleteAllowed')),
    can(REPORTS) ? form : null,
    advance.length && r.draft.missing.length && r.status !== 'final' ? field(t('report.missingReason'), missingReason, t('report.missingReasonHint')) : null,
    advance.length ? h('div', { class: 'toolbar' }, h('span', null, t('report.advanceLead')), ...advance) : null,
    advanceStatus,
  ];
}

function closingSummary(key: string, r: ReportView, after: () => Promise<void>): Child[] {
  const fields = Object.fromEntries(SUMMARY_ITEMS.map((k) => [k, textarea({ name: `summary-${k}`, rows: 2, value: r.summary.content[k] ?? '' })])) as Record<(typeof SUMMARY_ITEMS)[number], HTMLTextAreaElement>;
  return [
    h('h3', null, t('report.summary')),
    h('p', { class: 'hint' }, r.summary.dueAt ? t('report.summaryDue', { due: formatDateTime(r.summary.dueAt), left: timeLeft(r.summary.dueAt) }) : t('report.summaryAfterClose')),
    r.summary.missing.length ? h('p', { class: 'hint' }, t('report.summaryMissing', { items: r.summary.missing.map((m) => tv('summaryItem', m)).join(t('incidents.listSeparator')) })) : null,
    part(t('report.summary'), [h('div', { class: 'form-grid' }, ...SUMMARY_ITEMS.map((k) => field(tv('summaryItem', k), fields[k])))], t('report.saveSummary'), async () => {
      await api('PATCH', `/api/incidents/${encodeURIComponent(key)}/report`, { body: { summary: Object.fromEntries(SUMMARY_ITEMS.map((k) => [k, trimmed(fields[k])])) } });
      await after();
      toast(t('report.saved'));
    }),
  ];
}

/** PIPL Art. 57: what was told to the authority and to the people whose information leaked. */
function piplRecord(key: string, pipl: NonNullable<ReportView['pipl']>, after: () => Promise<void>): Child[] {
  const rec = pipl.record;
  const c = rec?.content ?? {};
  const piTypes = input({ name: 'piTypes', value: (c.piTypes ?? []).join(', ') });
  const text = (name: keyof PiplRecord['content'], value: string | undefined) => textarea({ name: `pipl-${name}`, rows: 2, value: value ?? '' });
  const cause = text('cause', c.cause);
  const harm = text('possibleHarm', c.possibleHarm);
  const remedies = text('remedies', c.remedies);
  const steps = text('individualSteps', c.individualSteps);
  const contact = input({ name: 'pipl-contact', value: c.contact ?? '' });
  const authority = input({ name: 'authorityName', value: rec?.authority?.name ?? '' });
  const authorityAt = input({ name: 'authorityAt', type: 'datetime-local', value: wallClock(rec?.authority?.notifiedAt) });
  const ind = rec?.individuals;
  const decision = select(
    [
      { value: '', label: t('pipl.undecided') },
      { value: 'yes', label: t('pipl.notified') },
      { value: 'no', label: t('pipl.notNotified') },
    ],
    ind === undefined ? '' : ind.notified ? 'yes' : 'no',
    { name: 'individuals' },
  );
  const notifiedAt = input({ name: 'individualsAt', type: 'datetime-local', value: ind?.notified ? wallClock(ind.notifiedAt) : '' });
  const channel = input({ name: 'channel', value: ind?.notified ? ind.channel : '' });
  const avoided = textarea({ name: 'harmAvoidedBy', rows: 2, value: ind && !ind.notified ? ind.harmAvoidedBy : '' });
  const yes = h('div', { class: 'form-grid' }, field(t('pipl.notifiedAt', { zone: timeZone() }), notifiedAt), field(t('pipl.channel'), channel));
  const no = field(t('pipl.harmAvoidedBy'), avoided, t('pipl.harmAvoidedByHint'));
  const show = () => {
    yes.hidden = decision.value !== 'yes';
    no.hidden = decision.value !== 'no';
  };
  decision.addEventListener('change', show);
  show();
  return [
    h('h3', null, t('pipl.title')),
    h('p', { class: 'hint' }, pipl.missing.length ? t('pipl.missing', { items: pipl.missing.map((m) => tv('piplGap', m)).join(t('incidents.listSeparator')) }) : t('pipl.complete')),
    part(
      t('pipl.title'),
      [
        // Art. 57 asks for three items; the form follows them so nothing reads as a fourth or fifth duty.
        h('h4', null, t('pipl.item1')),
        h('div', { class: 'form-grid' }, field(t('pipl.piTypes'), piTypes, t('pipl.piTypesHint')), field(t('pipl.cause'), cause), field(t('pipl.possibleHarm'), harm)),
        h('h4', null, t('pipl.item2')),
        h('div', { class: 'form-grid' }, field(t('pipl.remedies'), remedies), field(t('pipl.individualSteps'), steps)),
        h('h4', null, t('pipl.item3')),
        h('div', { class: 'form-grid' }, field(t('pipl.contact'), contact)),
        h('div', { class: 'form-grid' }, field(t('pipl.authority'), authority), field(t('pipl.authorityAt', { zone: timeZone() }), authorityAt)),
        field(t('pipl.individuals'), decision),
        yes,
        no,
      ],
      t('pipl.save'),
      async () => {
        const authorityAtIso = instant(authorityAt);
        const body: PiplRecord = {
          content: { piTypes: piTypes.value.split(/[,，、]/).map((s) => s.trim()).filter(Boolean), cause: trimmed(cause), possibleHarm: trimmed(harm), remedies: trimmed(remedies), individualSteps: trimmed(steps), contact: trimmed(contact) },
          ...(trimmed(authority) && authorityAtIso ? { authority: { name: trimmed(authority), notifiedAt: authorityAtIso } } : {}),
          ...(decision.value === 'yes' ? { individuals: { notified: true as const, notifiedAt: instant(notifiedAt) ?? '', channel: trimmed(channel) } } : {}),
          ...(decision.value === 'no' ? { individuals: { notified: false as const, harmAvoidedBy: trimmed(avoided) } } : {}),
        };
        await api('PATCH', `/api/incidents/${encodeURIComponent(key)}/report`, { body: { pipl: body } });
        await after();
        toast(t('report.saved'));
      },
    ),
  ];
}

/** The reports to the authorities: the initial report against its clock, the closing summary and the PIPL record. */
export function reportCard(d: Pick<IncidentRow, 'key' | 'grade'>, report: unknown, after: () => Promise<void>): HTMLElement {
  const r = report as ReportView;
  return card(
    t('report.title'),
    r.reportRequired
      ? [...initialReport(d.key, r, after), ...closingSummary(d.key, r, after)]
      : h('p', { class: 'notice' }, t(d.grade === 'unrated' ? 'report.notRequiredUnrated' : 'report.notRequired')),
    r.pipl ? piplRecord(d.key, r.pipl, after) : null,
    r.updatedBy ? h('p', { class: 'hint' }, t('report.updatedBy', { who: r.updatedBy, at: formatDateTime(r.updatedAt) })) : null,
  );
}
