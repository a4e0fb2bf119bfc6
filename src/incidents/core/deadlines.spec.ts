import { assessmentOf, clockState, closingSummaryDue, escalationStep, legalClockRuns, reporterTypeFor, reportingDeadline, type ReporterType } from './deadlines.js';
import type { GradeOrUnrated } from './grading.js';

// 10:00 Beijing time.
const discoveredAt = new Date('2025-11-03T02:00:00Z');
const at = (iso: string) => new Date(iso);

describe('reportingDeadline', () => {
  const PROTECTION = { 'zh-CN': '保护工作部门', en: 'the CII protection department' };
  const POLICE = { 'zh-CN': '公安机关', en: 'public security' };
  const OWN_OFFICE = { 'zh-CN': '本部门网信工作机构', en: "the department's own cyberspace office" };
  const PROVINCIAL_CAC = { 'zh-CN': '所在地省级网信部门', en: 'the provincial cyberspace administration where the operator is located' };

  const CII = [PROTECTION, POLICE];
  const rows: [ReporterType, GradeOrUnrated, string | null, number | null, object[] | null][] = [
    ['cii_operator', 'especially_major', '2025-11-03T03:00:00.000Z', 1, CII],
    ['cii_operator', 'major', '2025-11-03T03:00:00.000Z', 1, CII],
    ['cii_operator', 'relatively_major', '2025-11-03T03:00:00.000Z', 1, CII],
    ['cii_operator', 'general', null, null, null],
    ['cii_operator', 'unrated', null, null, null],
    ['central_organ', 'especially_major', '2025-11-03T04:00:00.000Z', 2, [OWN_OFFICE]],
    ['central_organ', 'major', '2025-11-03T04:00:00.000Z', 2, [OWN_OFFICE]],
    ['central_organ', 'relatively_major', '2025-11-03T04:00:00.000Z', 2, [OWN_OFFICE]],
    ['central_organ', 'general', null, null, null],
    ['central_organ', 'unrated', null, null, null],
    ['other_operator', 'especially_major', '2025-11-03T06:00:00.000Z', 4, [PROVINCIAL_CAC]],
    ['other_operator', 'major', '2025-11-03T06:00:00.000Z', 4, [PROVINCIAL_CAC]],
    ['other_operator', 'relatively_major', '2025-11-03T06:00:00.000Z', 4, [PROVINCIAL_CAC]],
    ['other_operator', 'general', null, null, null],
    ['other_operator', 'unrated', null, null, null],
  ];

  it.each(rows)('%s, grade %s → due %s (%s h)', (reporterType, grade, dueAt, hours, recipients) => {
    const d = reportingDeadline({ grade, reporterType, discoveredAt });
    expect(d === null ? null : [d.startsAt, d.dueAt.toISOString(), d.hours, d.recipients]).toEqual(dueAt === null ? null : [discoveredAt, dueAt, hours, recipients]);
  });
});

describe('reporterTypeFor', () => {
  it('makes any organisation a CII operator when a CII asset is involved', () => {
    expect(reporterTypeFor('other_operator', [{ cii: false }, { cii: true }])).toBe('cii_operator');
    expect(reporterTypeFor('central_organ', [{ cii: true }])).toBe('cii_operator');
  });

  it("otherwise uses the organisation's own type", () => {
    expect(reporterTypeFor('central_organ', [{ cii: false }])).toBe('central_organ');
    expect(reporterTypeFor('other_operator', [])).toBe('other_operator');
  });
});

describe('closingSummaryDue', () => {
  it('runs 30 days from the end of handling, across a month end', () => {
    expect(closingSummaryDue(at('2025-11-20T08:30:00Z'))).toEqual({ startsAt: at('2025-11-20T08:30:00Z'), dueAt: at('2025-12-20T08:30:00Z') });
  });
});

describe('clockState', () => {
  // A 4-hour clock from 02:00 to 06:00 UTC.
  const clock = reportingDeadline({ grade: 'major', reporterType: 'other_operator', discoveredAt })!;

  it.each([
    ['2025-11-03T01:59:00Z', 0, null],
    ['2025-11-03T02:00:00Z', 0, null],
    ['2025-11-03T03:59:59.999Z', (2 * 3_600_000 - 1) / (4 * 3_600_000), null],
    ['2025-11-03T04:00:00Z', 0.5, '50%'],
    ['2025-11-03T05:12:00Z', 0.8, '80%'],
    ['2025-11-03T06:00:00Z', 1, '80%'],
    ['2025-11-03T06:00:00.001Z', (4 * 3_600_000 + 1) / (4 * 3_600_000), 'overdue'],
    ['2025-11-03T10:00:00Z', 2, 'overdue'],
  ])('at %s the clock is at %f with notice %s', (now, fraction, notify) => {
    const s = clockState(clock, at(now));
    expect(s.fraction).toBeCloseTo(fraction, 12);
    expect(s.notify).toBe(notify);
  });

  it('works the same on the 30-day summary clock', () => {
    const summary = closingSummaryDue(at('2025-11-01T00:00:00Z'));
    expect(clockState(summary, at('2025-11-16T00:00:00Z'))).toEqual({ fraction: 0.5, notify: '50%' });
    expect(clockState(summary, at('2025-12-01T00:00:01Z')).notify).toBe('overdue');
  });
});

describe('assessment before the legal clock (issue 14 item 2; measures Art. 4)', () => {
  const discoveredAt = new Date('2026-03-01T08:00:00Z');
  const base = { reporterType: 'cii_operator' as const, discoveredAt, slaMs: 30 * 60_000 };

  it('a proposal of 较大 waits for the assessment, with the deadline that would apply counted from discovery', () => {
    const a = assessmentOf({ ...base, gradeSource: 'proposal', grade: 'general', proposed: 'relatively_major', now: new Date('2026-03-01T08:40:00Z') });
    expect(a).toMatchObject({ status: 'pending', proposed: 'relatively_major', dueAt: new Date('2026-03-01T08:30:00Z'), overdue: true });
    expect(a.status === 'pending' && a.wouldBeDeadline.dueAt).toEqual(new Date('2026-03-01T09:00:00Z'));
    expect(legalClockRuns({ gradeSource: 'proposal', grade: 'relatively_major' })).toBe(false);
  });

  it('the legal clock starts only on a confirmed 较大 or above', () => {
    expect(assessmentOf({ ...base, gradeSource: 'analyst', grade: 'relatively_major', proposed: 'relatively_major', now: discoveredAt })).toEqual({ status: 'confirmed', grade: 'relatively_major' });
    expect(legalClockRuns({ gradeSource: 'analyst', grade: 'relatively_major' })).toBe(true);
    expect(legalClockRuns({ gradeSource: 'analyst', grade: 'general' })).toBe(false);
    expect(assessmentOf({ ...base, gradeSource: 'proposal', grade: 'general', proposed: 'general', now: discoveredAt })).toEqual({ status: 'not_needed' });
  });

  it('shows the protection department its 30-minute step for 重大 and 特别重大 on CII (Art. 4)', () => {
    expect(escalationStep('major', 'cii_operator')).toMatchObject({ withinMinutes: 30 });
    expect(escalationStep('relatively_major', 'cii_operator')).toBeNull();
    expect(escalationStep('especially_major', 'other_operator')).toBeNull();
  });
});
