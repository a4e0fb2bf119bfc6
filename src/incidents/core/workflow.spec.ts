import { INCIDENT_STATES, PROTECT_STATES, nextStates, phaseOf, transition, type PostIncidentReview, type TransitionInput, type WorkflowState } from './workflow.js';

const REVIEW: PostIncidentReview = {
  rootCause: '运维口令为默认口令',
  lessons: 'Factory passwords survived commissioning',
  protectiveActions: ['change every factory password before go-live'],
};
const REASON = { reason: '同一来源再次出现' };
const DUP = { duplicateOf: 'INC-2025-0042' };

// Every legal step: from, to, what it needs, the phase it enters (null when the phase stays).
const LEGAL: [WorkflowState, WorkflowState, TransitionInput, string | null][] = [
  ['new', 'acknowledged', {}, null],
  ['new', 'false_positive', REASON, 'closed'],
  ['new', 'benign', REASON, 'closed'],
  ['new', 'duplicate', DUP, 'closed'],
  ['acknowledged', 'confirmed', {}, null],
  ['acknowledged', 'false_positive', REASON, 'closed'],
  ['acknowledged', 'benign', REASON, 'closed'],
  ['acknowledged', 'duplicate', DUP, 'closed'],
  ['confirmed', 'containment', {}, 'respond'],
  ['confirmed', 'duplicate', DUP, 'closed'],
  ['containment', 'eradication', {}, null],
  ['containment', 'recovery', {}, 'recover'],
  ['eradication', 'recovery', {}, 'recover'],
  ['eradication', 'containment', REASON, null],
  ['recovery', 'verification', {}, null],
  ['verification', 'closed', { review: REVIEW }, 'closed'],
  ['verification', 'recovery', REASON, null],
  ['closed', 'acknowledged', REASON, 'detect'],
  ['closed', 'containment', REASON, 'respond'],
  ['false_positive', 'acknowledged', REASON, 'detect'],
  ['benign', 'acknowledged', REASON, 'detect'],
  ['duplicate', 'acknowledged', REASON, 'detect'],
  ['open', 'in_progress', {}, null],
  ['open', 'cancelled', REASON, null],
  ['in_progress', 'done', {}, null],
  ['in_progress', 'cancelled', REASON, null],
  ['done', 'open', REASON, null],
  ['cancelled', 'open', REASON, null],
];

describe('transition', () => {
  it.each(LEGAL)('%s → %s', (from, to, input, enteredPhase) => {
    expect(transition(from, to, input)).toEqual({ ok: true, next: to, phase: phaseOf(to), enteredPhase });
  });

  it('knows no legal step beyond the table above', () => {
    const all = [...INCIDENT_STATES, ...PROTECT_STATES];
    const legal = all.flatMap((from) => nextStates(from).map((n) => `${from}→${n.state}`));
    expect(legal.sort()).toEqual(LEGAL.map(([from, to]) => `${from}→${to}`).sort());
  });

  it.each([
    ['new', 'closed', ['acknowledged', 'false_positive', 'benign', 'duplicate']],
    ['new', 'containment', ['acknowledged', 'false_positive', 'benign', 'duplicate']],
    ['acknowledged', 'new', ['confirmed', 'false_positive', 'benign', 'duplicate']],
    ['confirmed', 'false_positive', ['containment', 'duplicate']],
    ['containment', 'closed', ['eradication', 'recovery']],
    ['eradication', 'verification', ['recovery', 'containment']],
    ['recovery', 'closed', ['verification']],
    ['verification', 'new', ['closed', 'recovery']],
    ['closed', 'recovery', ['acknowledged', 'containment']],
    ['duplicate', 'closed', ['acknowledged']],
    ['open', 'done', ['in_progress', 'cancelled']],
    ['done', 'cancelled', ['open']],
    // The two flows never mix.
    ['open', 'acknowledged', ['in_progress', 'cancelled']],
    ['new', 'in_progress', ['acknowledged', 'false_positive', 'benign', 'duplicate']],
  ] as const)('refuses %s → %s and lists what is allowed', (from, to, allowed) => {
    const r = transition(from, to, { reason: 'x', review: REVIEW, duplicateOf: 'y' });
    expect(r).toMatchObject({ ok: false, allowed, reason: 'illegal_transition' });
    if (!r.ok) expect(r.message.en).toBe(`Cannot go from ${from} to ${to}; allowed: ${allowed.join(', ')}.`);
  });

  it.each([
    ['new', 'false_positive', {}],
    ['acknowledged', 'benign', { reason: '   ' }],
    ['eradication', 'containment', {}],
    ['verification', 'recovery', {}],
    ['closed', 'acknowledged', {}],
    ['benign', 'acknowledged', {}],
    ['open', 'cancelled', {}],
    ['done', 'open', {}],
  ] as const)('needs a reason for %s → %s', (from, to, input) => {
    expect(transition(from, to, input)).toMatchObject({ ok: false, reason: 'reason_required', allowed: nextStates(from).map((n) => n.state) });
  });

  it('needs the incident a duplicate repeats', () => {
    expect(transition('new', 'duplicate', { reason: 'same alert' })).toMatchObject({ ok: false, reason: 'duplicate_of_required' });
  });

  it.each([
    ['no review', {}],
    ['no root cause', { review: { ...REVIEW, rootCause: '' } }],
    ['no lessons', { review: { ...REVIEW, lessons: ' ' } }],
    ['no protective action', { review: { ...REVIEW, protectiveActions: [] } }],
    ['only blank protective actions', { review: { ...REVIEW, protectiveActions: ['', '  '] } }],
  ] as const)('refuses to close with %s', (_, input) => {
    const r = transition('verification', 'closed', input);
    expect(r).toMatchObject({ ok: false, reason: 'review_incomplete', allowed: ['closed', 'recovery'] });
    if (!r.ok) expect(r.message['zh-CN']).toContain('事后复盘');
  });
});

describe('phaseOf', () => {
  it('places every state in its phase', () => {
    const byPhase = (phase: string) => [...INCIDENT_STATES, ...PROTECT_STATES].filter((s) => phaseOf(s) === phase);
    expect(byPhase('protect')).toEqual(['open', 'in_progress', 'done', 'cancelled']);
    expect(byPhase('detect')).toEqual(['new', 'acknowledged', 'confirmed']);
    expect(byPhase('respond')).toEqual(['containment', 'eradication']);
    expect(byPhase('recover')).toEqual(['recovery', 'verification']);
    expect(byPhase('closed')).toEqual(['closed', 'false_positive', 'benign', 'duplicate']);
  });
});
