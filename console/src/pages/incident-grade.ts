import { api } from '../core/api.js';
import { h } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { can } from '../core/session.js';
import { badge, button, card, checkbox, dialog, errorText, field, input, select, textarea, toast, vocabulary } from '../core/ui.js';
import { GRADES } from '../core/vocabulary.js';
import { local, WORK, type IncidentRow } from './incident-common.js';

const nonNegative = (value: string): number | undefined => (value.trim() === '' ? undefined : Math.max(0, Math.round(Number(value))));

/** The analyst's grade, departing from the proposal: the reason is kept with it. */
function overrideDialog(d: IncidentRow, after: () => Promise<void>): void {
  const grade = select(vocabulary('grade', [...GRADES, 'unrated']), d.grade, { name: 'grade' });
  const reason = textarea({ name: 'reason', rows: 3, required: true });
  dialog({
    title: t('grading.overrideTitle', { key: d.key }),
    body: [field(t('incidents.grade'), grade), field(t('grading.reason'), reason, t('grading.reasonHint'))],
    submitLabel: t('grading.overrideSubmit'),
    onSubmit: async () => {
      await api('POST', `/api/incidents/${encodeURIComponent(d.key)}/grade`, { body: { grade: grade.value, reason: reason.value.trim() } });
      await after();
      toast(t('grading.set', { key: d.key, grade: tv('grade', grade.value) }));
    },
  });
}

/** Facts the proposal grades on; a field left empty stays unknown, never zero. */
function factsDialog(d: IncidentRow, after: () => Promise<void>): void {
  const f = d.gradingFacts ?? {};
  const compromised = checkbox(f.dataCompromised === true, 'dataCompromised');
  const number = (name: string, value: number | undefined) => input({ name, type: 'number', min: '0', value: value === undefined ? '' : String(value) });
  const exposed = number('personalDataExposed', f.personalDataExposed);
  const withoutServices = number('peopleWithoutServices', f.peopleWithoutServices);
  const loss = number('directLossYuan', f.directLossYuan);
  dialog({
    title: t('grading.factsTitle', { key: d.key }),
    body: [
      h('p', { class: 'hint' }, t('grading.factsLead')),
      field(t('gradingFact.dataCompromised'), compromised),
      field(t('gradingFact.personalDataExposed'), exposed),
      field(t('gradingFact.peopleWithoutServices'), withoutServices),
      field(t('gradingFact.directLossYuan'), loss),
    ],
    onSubmit: async () => {
      const facts = {
        ...(f.dataCompromised !== undefined || compromised.checked ? { dataCompromised: compromised.checked } : {}),
        ...Object.fromEntries(
          ([['personalDataExposed', exposed], ['peopleWithoutServices', withoutServices], ['directLossYuan', loss]] as const).flatMap(([k, el]) => (nonNegative(el.value) === undefined ? [] : [[k, nonNegative(el.value)]])),
        ),
      };
      await api('PATCH', `/api/incidents/${encodeURIComponent(d.key)}`, { body: { gradingFacts: facts } });
      await after();
      toast(t('grading.factsSaved'));
    },
  });
}

/** The grade, where it came from, and every rule behind the proposal so the analyst can check each one. */
export function gradeCard(d: IncidentRow, after: () => Promise<void>): HTMLElement {
  const proposal = d.proposal;
  const source = d.gradeSource === 'analyst' ? t('grading.byAnalyst', { reason: d.gradeReason ?? '' }) : t('grading.byProposal');
  return card(
    t('grading.title'),
    h('p', { class: 'grade-line' }, badge('grade', d.grade), ' ', source),
    proposal
      ? [
          h('h3', null, t('grading.proposal', { grade: tv('grade', proposal.grade) })),
          proposal.rationale.length
            ? h(
                'ul',
                { class: 'rationale', 'aria-label': t('grading.rationale') },
                ...proposal.rationale.map((r) => h('li', null, badge('grade', r.grade), ' ', h('strong', null, tv('gradingRule', r.rule)), ' — ', local(r.detail), h('span', { class: 'hint' }, ` ${t('grading.basis', { basis: tv('basis', r.basis) })}`))),
              )
            : h('p', { class: 'hint' }, t('grading.noRationale')),
          proposal.unknown.length ? h('p', { class: 'hint' }, t('grading.unknown', { facts: proposal.unknown.map((u) => tv('gradingFact', u)).join(t('incidents.listSeparator')) })) : null,
        ]
      : h('p', { class: 'hint' }, t('grading.noProposal')),
    h('p', { class: 'hint' }, t('grading.advice')),
    can(WORK)
      ? h(
          'div',
          { class: 'toolbar' },
          button(t('grading.override'), () => overrideDialog(d, after)),
          button(t('grading.facts'), () => factsDialog(d, after)),
          d.gradeSource === 'analyst'
            ? button(t('grading.followProposal'), async () => {
                try {
                  await api('POST', `/api/incidents/${encodeURIComponent(d.key)}/grade/proposal`);
                  await after();
                  toast(t('grading.followed'));
                } catch (error) {
                  toast(errorText(error), 'error');
                }
              })
            : null,
        )
      : null,
  );
}
