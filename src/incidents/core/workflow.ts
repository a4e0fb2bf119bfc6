import type { Localised } from '../../shared/index.js';

/**
 * The life of an incident and of a protect ticket as state machines. Incidents go through the
 * phases detect → respond → recover → closed; triage may close them early as false positive,
 * benign or duplicate. Protect tickets (hardening work, often opened from compliance findings)
 * have a flow of their own. Steps backwards and reopening carry a reason, so the timeline always
 * explains why work went round again; closing carries the post-incident review.
 */

export const INCIDENT_STATES = [
  'new',
  'acknowledged',
  'confirmed',
  'containment',
  'eradication',
  'recovery',
  'verification',
  'closed',
  'false_positive',
  'benign',
  'duplicate',
] as const;
export const PROTECT_STATES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export type ProtectState = (typeof PROTECT_STATES)[number];
export type WorkflowState = IncidentState | ProtectState;

export const PHASES = ['protect', 'detect', 'respond', 'recover', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

const PHASE_OF: Record<WorkflowState, Phase> = {
  new: 'detect',
  acknowledged: 'detect',
  confirmed: 'detect',
  containment: 'respond',
  eradication: 'respond',
  recovery: 'recover',
  verification: 'recover',
  closed: 'closed',
  false_positive: 'closed',
  benign: 'closed',
  duplicate: 'closed',
  open: 'protect',
  in_progress: 'protect',
  done: 'protect',
  cancelled: 'protect',
};
export const phaseOf = (state: WorkflowState): Phase => PHASE_OF[state];

/** Incident states still being worked: every state before the closed phase. */
export const OPEN_INCIDENT_STATES: readonly IncidentState[] = INCIDENT_STATES.filter((s) => PHASE_OF[s] !== 'closed');
/** Protect ticket states still being worked. */
export const OPEN_PROTECT_STATES: readonly ProtectState[] = ['open', 'in_progress'];

type Requirement = 'reason' | 'review' | 'duplicate_of';

// Every legal step, with what it needs. Anything not listed is refused.
const FLOW: Record<WorkflowState, Partial<Record<WorkflowState, readonly Requirement[]>>> = {
  new: { acknowledged: [], false_positive: ['reason'], benign: ['reason'], duplicate: ['duplicate_of'] },
  acknowledged: { confirmed: [], false_positive: ['reason'], benign: ['reason'], duplicate: ['duplicate_of'] },
  // A confirmed incident is real; it can still turn out to be one already being worked.
  confirmed: { containment: [], duplicate: ['duplicate_of'] },
  // Outages and failures have nothing to eradicate, so containment may lead straight to recovery.
  containment: { eradication: [], recovery: [] },
  eradication: { recovery: [], containment: ['reason'] },
  recovery: { verification: [] },
  verification: { closed: ['review'], recovery: ['reason'] },
  // Reopening: dismissed incidents go back to triage; a closed one may also come back in containment.
  closed: { acknowledged: ['reason'], containment: ['reason'] },
  false_positive: { acknowledged: ['reason'] },
  benign: { acknowledged: ['reason'] },
  duplicate: { acknowledged: ['reason'] },
  open: { in_progress: [], cancelled: ['reason'] },
  in_progress: { done: [], cancelled: ['reason'] },
  done: { open: ['reason'] },
  cancelled: { open: ['reason'] },
};

/** Root cause, lessons and what protects against a repeat; all three are needed to close. */
export interface PostIncidentReview {
  rootCause: string;
  lessons: string;
  protectiveActions: readonly string[];
}

export interface TransitionInput {
  reason?: string;
  review?: PostIncidentReview;
  /** The id of the incident this one duplicates. */
  duplicateOf?: string;
}

export type TransitionRefusal = 'illegal_transition' | 'reason_required' | 'review_incomplete' | 'duplicate_of_required';

export type TransitionResult =
  | {
      ok: true;
      next: WorkflowState;
      phase: Phase;
      /** Set when the step enters another phase, so that phase's playbook tasks can be added. */
      enteredPhase: Phase | null;
    }
  | { ok: false; allowed: WorkflowState[]; reason: TransitionRefusal; message: Localised };

/** The states reachable from `state` in one step, with what each step needs. */
export function nextStates(state: WorkflowState): { state: WorkflowState; requires: readonly Requirement[] }[] {
  return Object.entries(FLOW[state]).map(([next, requires]) => ({ state: next as WorkflowState, requires: requires! }));
}

const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

const MESSAGES: Record<Exclude<TransitionRefusal, 'illegal_transition'>, Localised> = {
  reason_required: { 'zh-CN': '此操作需要填写原因。', en: 'This step needs a reason.' },
  review_incomplete: {
    'zh-CN': '关闭前须完成事后复盘：根本原因、经验教训和至少一项防护措施。',
    en: 'Closing needs the post-incident review: root cause, lessons and at least one protective action.',
  },
  duplicate_of_required: { 'zh-CN': '请指明与哪个事件重复。', en: 'Name the incident this one duplicates.' },
};

function unmet(requirement: Requirement, input: TransitionInput): Exclude<TransitionRefusal, 'illegal_transition'> | undefined {
  switch (requirement) {
    case 'reason':
      return blank(input.reason) ? 'reason_required' : undefined;
    case 'duplicate_of':
      return blank(input.duplicateOf) ? 'duplicate_of_required' : undefined;
    case 'review': {
      const r = input.review;
      const complete = r !== undefined && !blank(r.rootCause) && !blank(r.lessons) && r.protectiveActions.some((a) => !blank(a));
      return complete ? undefined : 'review_incomplete';
    }
  }
}

/** Checks one step; a refusal lists the states that are allowed from `current`. */
export function transition(current: WorkflowState, target: WorkflowState, input: TransitionInput = {}): TransitionResult {
  const allowed = Object.keys(FLOW[current]) as WorkflowState[];
  const requires = FLOW[current][target];
  if (requires === undefined)
    return {
      ok: false,
      allowed,
      reason: 'illegal_transition',
      message: {
        'zh-CN': `不能从「${current}」转到「${target}」；可转到：${allowed.join('、') || '无'}。`,
        en: `Cannot go from ${current} to ${target}; allowed: ${allowed.join(', ') || 'none'}.`,
      },
    };
  for (const requirement of requires) {
    const refusal = unmet(requirement, input);
    if (refusal) return { ok: false, allowed, reason: refusal, message: MESSAGES[refusal] };
  }
  const phase = PHASE_OF[target];
  return { ok: true, next: target, phase, enteredPhase: phase === PHASE_OF[current] ? null : phase };
}
