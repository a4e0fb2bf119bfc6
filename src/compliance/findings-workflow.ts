import type { CheckStatus } from './catalogue/index.js';
import { DAY_MS, instant } from './catalogue/time.js';

export const FINDING_STATUSES = ['open', 'in_remediation', 'resolved', 'risk_accepted'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Moves a person may make; the audit runs themselves open, reopen and resolve findings. */
const MOVES: Record<FindingStatus, readonly FindingStatus[]> = {
  open: ['in_remediation', 'risk_accepted', 'resolved'],
  in_remediation: ['open', 'risk_accepted', 'resolved'],
  risk_accepted: ['open'],
  resolved: ['open'],
};

/** A risk may be accepted for a year at most: then someone must look at it again. */
export const MAX_ACCEPTANCE_DAYS = 365;

export function allowedMoves(from: FindingStatus): readonly FindingStatus[] {
  return MOVES[from];
}

export interface TransitionInput {
  to: FindingStatus;
  approver?: string;
  reason?: string;
  /** YYYY-MM-DD, a Beijing calendar day; the acceptance holds through that day. */
  expiresAt?: string;
}

/** One field's problem: the constraint it breaks (for clients to word) and its English text. */
export interface FieldIssue {
  field: string;
  constraint: string;
  message: string;
}

/** Problems with a requested move, field by field; empty when it may be made. */
export function transitionProblems(from: FindingStatus, input: TransitionInput, now: Date): FieldIssue[] {
  if (!MOVES[from].includes(input.to)) return [{ field: 'to', constraint: 'isIn', message: `cannot move from ${from} to ${input.to}` }];
  const problems: FieldIssue[] = [];
  if (input.to === 'risk_accepted') {
    if (!input.approver?.trim()) problems.push({ field: 'approver', constraint: 'isDefined', message: 'required: who accepted the risk' });
    if (!input.reason?.trim()) problems.push({ field: 'reason', constraint: 'isDefined', message: 'required: why the risk is accepted' });
    if (!input.expiresAt) problems.push({ field: 'expiresAt', constraint: 'isDefined', message: 'required: until when (YYYY-MM-DD)' });
    else {
      const days = Math.floor((instant(input.expiresAt) - instant(beijingDate(now))) / DAY_MS);
      if (days < 0) problems.push({ field: 'expiresAt', constraint: 'notPast', message: 'must not be in the past' });
      else if (days > MAX_ACCEPTANCE_DAYS) problems.push({ field: 'expiresAt', constraint: 'max', message: `at most ${MAX_ACCEPTANCE_DAYS} days ahead` });
    }
  } else {
    for (const field of ['approver', 'expiresAt'] as const) if (input[field] !== undefined) problems.push({ field, constraint: 'notApplicable', message: 'only for risk_accepted' });
  }
  return problems;
}

/** The Beijing calendar day of an instant, as YYYY-MM-DD. */
export function beijingDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** Whether a risk acceptance running through `expiresAt` still holds at `now`. */
export function acceptanceHolds(expiresAt: string, now: Date): boolean {
  return now.getTime() < instant(expiresAt) + DAY_MS;
}

/**
 * What an audit result does to the finding of its control and subject: a failure opens one (or
 * reopens a resolved one, or one whose risk acceptance ran out); anything else resolves an open one.
 */
export function reconcile(
  current: { status: FindingStatus; expiresAt: string | null } | undefined,
  result: CheckStatus,
  now: Date,
): { action: 'create' | 'reopen' | 'resolve' | 'update' | 'none'; status?: FindingStatus; riskAcceptedUntil?: string } {
  if (result === 'fail') {
    if (current === undefined) return { action: 'create', status: 'open' };
    if (current.status === 'resolved') return { action: 'reopen', status: 'open' };
    if (current.status === 'risk_accepted') {
      return acceptanceHolds(current.expiresAt!, now) ? { action: 'update', status: 'risk_accepted', riskAcceptedUntil: current.expiresAt! } : { action: 'reopen', status: 'open' };
    }
    return { action: 'update', status: current.status };
  }
  if (current !== undefined && current.status !== 'resolved') return { action: 'resolve', status: 'resolved' };
  return { action: 'none' };
}
