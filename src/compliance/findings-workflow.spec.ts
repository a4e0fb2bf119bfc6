import { acceptanceHolds, allowedMoves, beijingDate, reconcile, transitionProblems } from './findings-workflow.js';

const NOW = new Date('2026-03-10T04:00:00Z'); // 12:00 in Beijing

describe('finding transitions', () => {
  it('allows the documented moves only', () => {
    expect(allowedMoves('open')).toEqual(['in_remediation', 'risk_accepted', 'resolved']);
    expect(allowedMoves('risk_accepted')).toEqual(['open']);
    expect(transitionProblems('resolved', { to: 'in_remediation' }, NOW)).toEqual([{ field: 'to', constraint: 'isIn', message: 'cannot move from resolved to in_remediation' }]);
    expect(transitionProblems('open', { to: 'in_remediation', reason: '已派单' }, NOW)).toEqual([]);
  });

  it('requires approver, reason and an expiry within a year for a risk acceptance', () => {
    expect(transitionProblems('open', { to: 'risk_accepted' }, NOW).map((p) => p.field)).toEqual(['approver', 'reason', 'expiresAt']);
    expect(transitionProblems('open', { to: 'risk_accepted', approver: '王局长', reason: '系统年底下线', expiresAt: '2026-03-09' }, NOW)).toEqual([{ field: 'expiresAt', constraint: 'notPast', message: 'must not be in the past' }]);
    expect(transitionProblems('open', { to: 'risk_accepted', approver: '王局长', reason: '系统年底下线', expiresAt: '2027-03-11' }, NOW)).toEqual([{ field: 'expiresAt', constraint: 'max', message: 'at most 365 days ahead' }]);
    expect(transitionProblems('in_remediation', { to: 'risk_accepted', approver: '王局长', reason: '系统年底下线', expiresAt: '2026-03-10' }, NOW)).toEqual([]);
    expect(transitionProblems('open', { to: 'resolved', approver: '王局长' }, NOW)).toEqual([{ field: 'approver', constraint: 'notApplicable', message: 'only for risk_accepted' }]);
  });

  it('counts an acceptance through the whole Beijing day it expires on', () => {
    expect(beijingDate(new Date('2026-03-09T16:30:00Z'))).toBe('2026-03-10');
    expect(acceptanceHolds('2026-03-10', new Date('2026-03-10T15:59:59Z'))).toBe(true);
    expect(acceptanceHolds('2026-03-10', new Date('2026-03-10T16:00:00Z'))).toBe(false);
  });
});

describe('reconciling findings with audit results', () => {
  it('opens on a first failure, keeps it on later ones, reopens resolved findings', () => {
    expect(reconcile(undefined, 'fail', NOW)).toEqual({ action: 'create', status: 'open' });
    expect(reconcile({ status: 'in_remediation', expiresAt: null }, 'fail', NOW)).toEqual({ action: 'update', status: 'in_remediation' });
    expect(reconcile({ status: 'resolved', expiresAt: null }, 'fail', NOW)).toEqual({ action: 'reopen', status: 'open' });
  });

  it('keeps an accepted risk until its expiry, then reopens it', () => {
    expect(reconcile({ status: 'risk_accepted', expiresAt: '2026-03-10' }, 'fail', NOW)).toEqual({ action: 'update', status: 'risk_accepted', riskAcceptedUntil: '2026-03-10' });
    expect(reconcile({ status: 'risk_accepted', expiresAt: '2026-03-09' }, 'fail', NOW)).toEqual({ action: 'reopen', status: 'open' });
  });

  it('resolves a finding whose control no longer fails, and leaves passes without findings alone', () => {
    expect(reconcile({ status: 'open', expiresAt: null }, 'pass', NOW)).toEqual({ action: 'resolve', status: 'resolved' });
    expect(reconcile({ status: 'risk_accepted', expiresAt: '2026-12-31' }, 'not_applicable', NOW)).toEqual({ action: 'resolve', status: 'resolved' });
    expect(reconcile({ status: 'resolved', expiresAt: null }, 'pass', NOW)).toEqual({ action: 'none' });
    expect(reconcile(undefined, 'needs_attestation', NOW)).toEqual({ action: 'none' });
  });
});
