import { EVALUATORS, type CheckResult } from './evaluators.js';
import type { AssetFacts, FactsSnapshot, IncidentFacts } from './facts.js';
import { LONGEST_SIX_MONTHS_DAYS, daysBetween, monthsBefore } from './time.js';

// 2026-06-30 12:00 in Beijing
const NOW = '2026-06-30T04:00:00Z';

function asset(over: Partial<AssetFacts> = {}): AssetFacts {
  return {
    id: 'a1',
    name: '县政务服务门户',
    type: 'web_application',
    department: '数据局',
    contact: { name: '王工', phone: '13800000000' },
    securityContact: { name: '李工', email: 'li@example.gov.cn' },
    addresses: ['10.1.1.10'],
    zone: '政务外网',
    mlps: { level: 3, filingNumber: '11010099001-00001', filingDate: '2026-02-20', lastAssessmentDate: '2025-12-01' },
    cii: { designated: false },
    data: { categories: ['户籍'], level: 'important', personal: 'sensitive', subjects: 300_000 },
    storageLocation: 'in_china',
    criticality: 'high',
    lifecycle: 'active',
    tags: [],
    ...over,
  };
}

function facts(over: Partial<FactsSnapshot> = {}): FactsSnapshot {
  return {
    now: NOW,
    organisation: { id: 'org', name: '某县' },
    assets: [],
    settings: { retentionDays: 180, lockoutThreshold: 5, lockoutMinutes: 30 },
    events: { oldestEventAt: '2025-12-01T00:00:00Z', lastEventAtByAsset: {}, foreignConnectionsByAsset: {} },
    unregisteredHosts: [],
    incidents: [],
    auditChain: { ok: true, checked: 1200 },
    ...over,
  };
}

const ORG = { type: 'organisation', id: 'org', name: '某县' } as const;

/** Runs an evaluator the way a loaded control would: params through its own validation first. */
function run(name: string, rawParams: Record<string, unknown>, f: FactsSnapshot): CheckResult[] {
  const evaluator = EVALUATORS.get(name)!;
  const { params, errors } = evaluator.readParams(rawParams);
  expect(errors).toEqual([]);
  return evaluator.run(f, params, { assets: f.assets, subject: ORG });
}

/** The one result for one asset (or for the organisation). */
function one(name: string, rawParams: Record<string, unknown>, f: FactsSnapshot): CheckResult {
  const results = run(name, rawParams, f);
  expect(results).toHaveLength(1);
  return results[0];
}

const withAsset = (a: AssetFacts, over: Partial<FactsSnapshot> = {}) => facts({ assets: [a], ...over });

describe('retention_configured (CSL 2016 Art. 21(3): network logs kept at least six months)', () => {
  it.each([
    [184, 'pass'],
    [365, 'pass'],
    // 180 days falls short of six calendar months from July to December (184 days)
    [180, 'fail'],
    [90, 'fail'],
  ])('%i days kept → %s', (retentionDays, status) => {
    const r = one('retention_configured', {}, facts({ settings: { retentionDays, lockoutThreshold: 5, lockoutMinutes: 30 } }));
    expect(r).toMatchObject({ subject: ORG, status, evidence: { retentionDays, minDays: 184 } });
  });
});

describe('six calendar months (CSL 2016 Art. 21(3))', () => {
  it.each([
    ['2026-12-31T04:00:00Z', '2026-06-30', 184],
    ['2026-08-31T04:00:00Z', '2026-02-28', 184],
    ['2026-06-30T04:00:00Z', '2025-12-30', 182],
    ['2026-03-01T04:00:00Z', '2025-09-01', 181],
  ])('before %s: from %s, %i days', (now, from, days) => {
    expect(monthsBefore(now, 6)).toBe(from);
    expect(daysBetween(from, now)).toBe(days);
    expect(days).toBeLessThanOrEqual(LONGEST_SIX_MONTHS_DAYS);
  });
});

describe('oldest_event_age', () => {
  it.each([
    ['held 211 days', '2025-12-01T00:00:00Z', undefined, 'pass', 211, 182],
    ['held 29 days', '2026-06-01T00:00:00Z', undefined, 'fail', 29, 182],
    // installed 40 days ago: forty days of history is all there can be
    ['young install, complete', '2026-05-21T00:00:00Z', '2026-05-21T00:00:00Z', 'pass', 40, 40],
    ['young install, gap', '2026-06-20T00:00:00Z', '2026-05-21T00:00:00Z', 'fail', 10, 40],
    // six calendar months before 30 June are 182 days; one day of tolerance
    ['within a day of tolerance', '2025-12-31T04:00:00Z', undefined, 'pass', 181, 182],
    ['180 days is short of six calendar months', '2026-01-01T04:00:00Z', undefined, 'fail', 180, 182],
  ])('%s', (_label, oldestEventAt, monitorInstalledAt, status, age, required) => {
    const f = facts({ monitorInstalledAt, events: { oldestEventAt, lastEventAtByAsset: {}, foreignConnectionsByAsset: {} } });
    expect(one('oldest_event_age', {}, f)).toMatchObject({ status, evidence: { oldestEventAgeDays: age, requiredDays: required } });
  });

  it('fails on an empty store', () => {
    const f = facts({ events: { oldestEventAt: null, lastEventAtByAsset: {}, foreignConnectionsByAsset: {} } });
    expect(one('oldest_event_age', {}, f)).toMatchObject({ status: 'fail', evidence: { oldestEventAgeDays: null, requiredDays: 182 } });
  });
});

describe('log_coverage_24h', () => {
  const at = (lastEventAt?: string): FactsSnapshot['events'] => ({ oldestEventAt: null, lastEventAtByAsset: lastEventAt ? { a1: lastEventAt } : {}, foreignConnectionsByAsset: {} });
  it.each([
    ['2026-06-30T01:30:00Z', 'pass', 2.5],
    ['2026-06-29T04:00:00Z', 'pass', 24],
    ['2026-06-29T03:00:00Z', 'fail', 25],
    [undefined, 'fail', null],
  ])('last event %s → %s', (last, status, hoursSince) => {
    expect(one('log_coverage_24h', { window_hours: 24 }, withAsset(asset(), { events: at(last) }))).toMatchObject({
      subject: { type: 'asset', id: 'a1', name: '县政务服务门户' },
      status,
      evidence: { hoursSinceLastEvent: hoursSince, windowHours: 24 },
    });
  });

  it('words a long silence in days', () => {
    expect(one('log_coverage_24h', { window_hours: 24 }, withAsset(asset(), { events: at('2026-06-29T03:00:00Z') })).message).toEqual({ 'zh-CN': '已有 25 小时未收到日志（上限 24 小时）。', en: 'No log for 25 h (limit 24 h).' });
    expect(one('log_coverage_24h', { window_hours: 24 }, withAsset(asset(), { events: at('2026-05-30T01:00:00Z') })).message).toEqual({ 'zh-CN': '已有 31 天未收到日志（上限 24 小时）。', en: 'No log for 31 days (limit 24 h).' });
  });

  it('does not expect logs from a system not yet in operation', () => {
    expect(one('log_coverage_24h', {}, withAsset(asset({ lifecycle: 'planned' }), { events: at() })).status).toBe('not_applicable');
  });
});

describe('logs_recognised', () => {
  const lines = (seen?: { lines: number; unrecognised: number }): FactsSnapshot['events'] => ({ oldestEventAt: null, lastEventAtByAsset: {}, foreignConnectionsByAsset: {}, ...(seen ? { linesByAsset: { a1: seen } } : {}) });
  const PARAMS = { min_lines: 100, max_unrecognised_percent: 50 };
  it.each([
    [{ lines: 100, unrecognised: 50 }, 'fail', 50],
    [{ lines: 4000, unrecognised: 3999 }, 'fail', 100],
    [{ lines: 100, unrecognised: 49 }, 'pass', 49],
    [{ lines: 99, unrecognised: 99 }, 'not_applicable', 100],
    [undefined, 'not_applicable', 0],
  ])('%j → %s', (seen, status, percent) => {
    expect(one('logs_recognised', PARAMS, withAsset(asset(), { events: lines(seen) }))).toMatchObject({ subject: { type: 'asset', id: 'a1' }, status, evidence: { unrecognisedPercent: percent, minLines: 100 } });
  });

  it('says in both languages that the monitor cannot read the system', () => {
    const r = one('logs_recognised', PARAMS, withAsset(asset(), { events: lines({ lines: 200, unrecognised: 150 }) }));
    expect(r.message).toEqual({ 'zh-CN': '最近 24 小时 200 行日志中 75% 无法解析为已知动作，该系统处于监测盲区。', en: '75% of its 200 log lines in the last 24 hours parse to no known action: the monitor cannot read this system.' });
  });
});

describe('asset_has_owner_contact_and_mlps', () => {
  it.each([
    ['complete', {}, true, 'pass', []],
    ['contact without a way to reach them', { contact: { name: '王工' } }, true, 'fail', ['contact']],
    ['no security contact, no level', { securityContact: null, mlps: null }, true, 'fail', ['securityContact', 'mlps.level']],
    ['no security contact, not required', { securityContact: null }, false, 'pass', []],
    ['blank department', { department: ' ' }, true, 'fail', ['department']],
  ] as const)('%s', (_label, over, requireSecurityContact, status, missing) => {
    const r = one('asset_has_owner_contact_and_mlps', { require_security_contact: requireSecurityContact }, withAsset(asset(over as Partial<AssetFacts>)));
    expect(r).toMatchObject({ status, evidence: { missing, missingCount: missing.length } });
  });

  it('names what is missing as the asset form does, not by field name', () => {
    expect(one('asset_has_owner_contact_and_mlps', {}, withAsset(asset({ department: '', contact: null, securityContact: null, mlps: null }))).message).toEqual({
      'zh-CN': '登记信息缺少：责任部门、联系人、安全负责人、网络安全等级保护级别。',
      en: 'Registration lacks: responsible department, contact, security contact, MLPS level.',
    });
  });

  it('judges systems, not devices: a camera or switch inherits its system\'s MLPS level and people (CSL 2016 Art. 21)', () => {
    for (const type of ['camera', 'network_device', 'iot_sensor'] as const) {
      expect(one('asset_has_owner_contact_and_mlps', {}, withAsset(asset({ type, mlps: null, contact: null })))).toMatchObject({ status: 'not_applicable', evidence: { type } });
    }
    expect(one('asset_has_owner_contact_and_mlps', {}, withAsset(asset({ type: 'web_application', mlps: null }))).status).toBe('fail');
  });
});

describe('data_classified and cii_designation_recorded', () => {
  it('requires declared data categories', () => {
    expect(one('data_classified', {}, withAsset(asset())).evidence).toEqual({ categoryCount: 1, level: 'important', personal: 'sensitive' });
    expect(one('data_classified', {}, withAsset(asset({ data: { categories: [], level: 'general', personal: 'none' } }))).status).toBe('fail');
  });

  it('requires the designation notice reference', () => {
    expect(one('cii_designation_recorded', {}, withAsset(asset({ cii: { designated: true, designationRef: '公网安〔2025〕12号' } })))).toMatchObject({
      status: 'pass',
      evidence: { designationRef: '公网安〔2025〕12号' },
    });
    expect(one('cii_designation_recorded', {}, withAsset(asset({ cii: { designated: true, designationRef: '' } }))).status).toBe('fail');
  });
});

describe('mlps_filed_within_30_days', () => {
  const mlps = (filingNumber: string | null, filingDate: string | null, level = 2) => ({ level, filingNumber, filingDate });
  it.each([
    ['filed 19 days after go-live', { mlps: mlps('F-1', '2026-02-20'), gradedDate: '2026-01-10', goLiveDate: '2026-02-01' }, 'pass', { daysToFile: 19, daysLate: 0, deadlineStart: '2026-02-01' }],
    // already running when graded: the clock starts at grading
    ['filed 45 days after grading', { mlps: mlps('F-1', '2026-04-15'), gradedDate: '2026-03-01', goLiveDate: '2024-05-01' }, 'fail', { daysToFile: 45, daysLate: 15 }],
    ['not filed, 10 days left', { mlps: mlps(null, null), goLiveDate: '2026-06-10' }, 'pass', { daysRemaining: 10 }],
    ['not filed, overdue', { mlps: mlps(null, null), goLiveDate: '2026-05-01' }, 'fail', { daysOverdue: 30 }],
    ['not filed, no dates', { mlps: mlps(null, null) }, 'fail', { deadlineStart: null }],
    ['filed, timing unknown', { mlps: mlps('F-1', null) }, 'pass', { daysToFile: null }],
    ['level 1', { mlps: mlps(null, null, 1) }, 'not_applicable', { mlpsLevel: 1 }],
    ['planned system', { mlps: mlps(null, null), gradedDate: '2026-01-01', lifecycle: 'planned' }, 'not_applicable', {}],
  ] as const)('%s → %s', (_label, over, status, evidence) => {
    expect(one('mlps_filed_within_30_days', { within_days: 30 }, withAsset(asset(over as Partial<AssetFacts>)))).toMatchObject({ status, evidence });
  });
});

describe('assessment_within_period', () => {
  const table = { assessment: 'mlps_testing', period_days_by_mlps_level: { '3': 365, '4': 182 } };
  it.each([
    ['level 3 tested 211 days ago', 3, '2025-12-01', 'pass', { daysSinceAssessment: 211, periodDays: 365, daysOverdue: 0 }],
    ['level 4 tested 211 days ago', 4, '2025-12-01', 'fail', { daysSinceAssessment: 211, periodDays: 182, daysOverdue: 29 }],
    ['level 3 never tested', 3, null, 'fail', { daysSinceAssessment: null, periodDays: 365 }],
    ['level 5 has no period here', 5, '2025-12-01', 'not_applicable', { periodDays: null }],
  ] as const)('%s → %s', (_label, level, lastAssessmentDate, status, evidence) => {
    const a = asset({ mlps: { level, lastAssessmentDate } });
    expect(one('assessment_within_period', table, withAsset(a))).toMatchObject({ status, evidence });
  });

  it('reads the CII and important-data assessment dates', () => {
    const a = asset({ riskAssessments: { cii: '2025-05-01', importantData: '2026-01-15' } });
    expect(one('assessment_within_period', { assessment: 'cii_risk', period_days: 365 }, withAsset(a))).toMatchObject({
      status: 'fail',
      evidence: { lastAssessmentDate: '2025-05-01', daysSinceAssessment: 425, daysOverdue: 60 },
    });
    expect(one('assessment_within_period', { assessment: 'important_data_risk', period_days: 365 }, withAsset(a))).toMatchObject({
      status: 'pass',
      evidence: { lastAssessmentDate: '2026-01-15', daysSinceAssessment: 166 },
    });
  });
});

describe('cii_emergency_plan', () => {
  it.each([
    ['fresh', { version: 'v3', reviewedAt: '2026-03-01', drilledAt: '2025-11-20' }, 'pass', [], 121, 222],
    ['drill stale', { version: 'v3', reviewedAt: '2026-03-01', drilledAt: '2025-05-01' }, 'fail', ['drill_stale'], 121, 425],
    ['never reviewed nor drilled', { version: 'v1' }, 'fail', ['review_stale', 'drill_stale'], null, null],
    ['no plan', undefined, 'fail', ['no_plan'], null, null],
  ] as const)('%s → %s', (_label, emergencyPlan, status, problems, daysSinceReview, daysSinceDrill) => {
    const r = one('cii_emergency_plan', { review_within_days: 365, drill_within_days: 365 }, withAsset(asset({ emergencyPlan })));
    expect(r).toMatchObject({ status, evidence: { problems, daysSinceReview, daysSinceDrill } });
  });

  it('says what is stale', () => {
    const r = one('cii_emergency_plan', {}, withAsset(asset({ emergencyPlan: { version: 'v1' } })));
    expect(r.message.en).toBe('Emergency plan not reviewed within 365 days and not drilled within 365 days.');
    expect(r.message['zh-CN']).toBe('应急预案未在 365 天内评审，且未在 365 天内演练。');
  });
});

describe('important_data_security_lead', () => {
  it.each([
    [{ name: '张局长', fromManagement: true }, true, 'pass'],
    [{ name: '张工' }, true, 'fail'],
    [{ name: '张工' }, false, 'pass'],
    [undefined, false, 'fail'],
  ] as const)('lead %j (management required: %s) → %s', (dataSecurityLead, requireManagement, status) => {
    const r = one('important_data_security_lead', { require_management: requireManagement }, withAsset(asset({ dataSecurityLead })));
    expect(r).toMatchObject({ status, evidence: { lead: dataSecurityLead?.name ?? null } });
  });
});

describe('personal_data_masking_and_pia', () => {
  it.each([
    [true, 'PIA-2026-01', 'pass', []],
    [false, 'PIA-2026-01', 'fail', ['masking']],
    [undefined, undefined, 'fail', ['masking', 'pia']],
  ] as const)('masking %s, PIA %s → %s', (maskingEnabled, piaReference, status, missing) => {
    expect(one('personal_data_masking_and_pia', {}, withAsset(asset({ maskingEnabled, piaReference })))).toMatchObject({ status, evidence: { missing } });
  });
});

describe('foreign_connections', () => {
  const seen = (count: number, examples: string[]) => ({ oldestEventAt: null, lastEventAtByAsset: {}, foreignConnectionsByAsset: { a1: { count, examples } } });
  const many = ['8.8.8.8', '1.1.1.1', '9.9.9.9', '208.67.222.222', '4.2.2.2', '64.6.64.6', '185.228.168.9'];

  it('passes data kept in China with no connections abroad', () => {
    expect(one('foreign_connections', {}, withAsset(asset()))).toMatchObject({ status: 'pass', evidence: { connections: 0, examples: [] } });
  });

  it('fails connections abroad with counts and capped examples', () => {
    const r = one('foreign_connections', { max_examples: 5 }, withAsset(asset(), { events: seen(37, many) }));
    expect(r).toMatchObject({ status: 'fail', evidence: { connections: 37, examples: many.slice(0, 5), exportAssessmentRef: null } });
    expect(r.message.en).toBe('37 connections abroad, with no export assessment on file.');
  });

  it('fails storage abroad even without connections', () => {
    expect(one('foreign_connections', {}, withAsset(asset({ storageLocation: 'abroad' })))).toMatchObject({ status: 'fail', evidence: { storageLocation: 'abroad', connections: 0 } });
  });

  it('asks a person to confirm when an export assessment is on file', () => {
    const a = asset({ exportAssessmentRef: 'CAC-EXP-2026-7' });
    expect(one('foreign_connections', {}, withAsset(a, { events: seen(3, many.slice(0, 3)) })).status).toBe('needs_attestation');
    expect(one('foreign_connections', { allow_with_assessment: false }, withAsset(a, { events: seen(3, many.slice(0, 3)) })).status).toBe('fail');
  });
});

describe('unregistered_assets', () => {
  const hosts = [
    { address: '10.1.9.9', eventCount: 3 },
    { address: '10.1.9.7', eventCount: 120 },
    { address: '10.1.9.8', eventCount: 1 },
  ];
  it('fails with the count and the busiest hosts first', () => {
    expect(one('unregistered_assets', { min_events: 2, max_examples: 1 }, facts({ unregisteredHosts: hosts }))).toMatchObject({
      subject: ORG,
      status: 'fail',
      evidence: { count: 2, events: 123, examples: ['10.1.9.7'] },
    });
  });
  it('passes when every host is registered', () => {
    expect(one('unregistered_assets', {}, facts())).toMatchObject({ status: 'pass', evidence: { count: 0, events: 0, examples: [] } });
  });
});

const DEADLINES = { deadline_hours: { cii_operator: 1, central_organ: 2, other_operator: 4 }, reporter: 'other_operator' };
const incident = (over: Partial<IncidentFacts>): IncidentFacts => ({ id: 'INC-1', grade: 'III', discoveredAt: '2026-06-30T00:00:00Z', ...over });

describe('incident_reported_in_time', () => {
  const cii = asset({ id: 'cii-1', cii: { designated: true } });
  it.each([
    ['other operator, 3 h', {}, '2026-06-30T03:00:00Z', 'pass', { reporterType: 'other_operator', deadlineHours: 4, hoursToReport: 3, hoursLate: 0 }],
    ['other operator, 5 h', {}, '2026-06-30T05:00:00Z', 'fail', { deadlineHours: 4, hoursToReport: 5, hoursLate: 1 }],
    // the same 90 minutes is late once a CII system is involved
    ['CII involved, 1.5 h', { assetIds: ['cii-1'] }, '2026-06-30T01:30:00Z', 'fail', { reporterType: 'cii_operator', deadlineHours: 1, hoursLate: 0.5 }],
    ['central organ, 1.5 h', { reporter: 'central_organ' }, '2026-06-30T01:30:00Z', 'pass', { reporterType: 'central_organ', deadlineHours: 2 }],
  ] as const)('%s → %s', (_label, over, reportedAt, status, evidence) => {
    const { reporter, ...incidentOver } = { reporter: 'other_operator', ...over };
    const f = facts({ assets: [cii], incidents: [incident({ ...incidentOver, assetIds: 'assetIds' in incidentOver ? [...incidentOver.assetIds] : undefined, reportedAt })] });
    expect(one('incident_reported_in_time', { ...DEADLINES, reporter }, f)).toMatchObject({ subject: { type: 'incident', id: 'INC-1' }, status, evidence });
  });

  it('takes the reporter from TAISHI_ORGANISATION_TYPE unless the control names one (reporting measures Art. 4)', () => {
    const reported = incident({ reportedAt: '2026-06-30T03:00:00Z' });
    const as = (organisationType: 'central_organ' | 'other_operator') => facts({ incidents: [reported], settings: { retentionDays: 184, lockoutThreshold: 5, lockoutMinutes: 30, organisationType } });
    const { reporter: _named, ...bySettings } = DEADLINES;
    expect(one('incident_reported_in_time', bySettings, as('central_organ'))).toMatchObject({ status: 'fail', evidence: { reporterType: 'central_organ', deadlineHours: 2 } });
    expect(one('incident_reported_in_time', bySettings, as('other_operator'))).toMatchObject({ status: 'pass', evidence: { reporterType: 'other_operator', deadlineHours: 4 } });
  });

  it('counts down an unreported incident, then fails it', () => {
    // NOW is 4 h after discovery
    const pending = one('incident_reported_in_time', DEADLINES, facts({ incidents: [incident({ discoveredAt: '2026-06-30T01:00:00Z' })] }));
    expect(pending).toMatchObject({ status: 'pass', evidence: { hoursRemaining: 1, reportedAt: null } });
    // the deadline hour itself is still in time
    const atDeadline = one('incident_reported_in_time', DEADLINES, facts({ incidents: [incident({})] }));
    expect(atDeadline).toMatchObject({ status: 'pass', evidence: { hoursRemaining: 0 } });
    const longOverdue = one('incident_reported_in_time', DEADLINES, facts({ incidents: [incident({ discoveredAt: '2026-06-29T20:00:00Z' })] }));
    expect(longOverdue).toMatchObject({ status: 'fail', evidence: { hoursOverdue: 4 } });
  });

  it('leaves 一般 incidents out, and says so when nothing is reportable', () => {
    const results = run('incident_reported_in_time', DEADLINES, facts({ incidents: [incident({ id: 'I-IV', grade: 'IV' }), incident({ id: 'I-II', grade: 'II', reportedAt: '2026-06-30T00:30:00Z' })] }));
    expect(results.map((r) => [r.subject.id, r.status])).toEqual([['I-II', 'pass']]);
    expect(one('incident_reported_in_time', DEADLINES, facts({ incidents: [incident({ grade: 'IV' })] }))).toMatchObject({
      subject: ORG,
      status: 'not_applicable',
      evidence: { incidents: 0 },
    });
  });
});

describe('summary_within_30_days (reporting measures Art. 8: thirty days after handling ends)', () => {
  it.each([
    ['summary after 20 days', { handlingEndedAt: '2026-05-01', summaryAt: '2026-05-21' }, 'pass', { daysToSummary: 20 }],
    ['summary after 41 days', { handlingEndedAt: '2026-04-01', summaryAt: '2026-05-12' }, 'fail', { daysToSummary: 41 }],
    ['no summary, 10 days left', { handlingEndedAt: '2026-06-10' }, 'pass', { daysRemaining: 10 }],
    ['no summary, overdue', { handlingEndedAt: '2026-05-01' }, 'fail', { daysOverdue: 30 }],
    // the ticket closed weeks after handling ended: the clock still ran from the end of handling
    ['closed late, counted from handling', { handlingEndedAt: '2026-05-01', closedAt: '2026-06-20' }, 'fail', { daysOverdue: 30 }],
    ['still open', {}, 'not_applicable', { handlingEndedAt: null }],
  ] as const)('%s → %s', (_label, over, status, evidence) => {
    expect(one('summary_within_30_days', {}, facts({ incidents: [incident(over)] }))).toMatchObject({ status, evidence: { withinDays: 30, ...evidence } });
  });
});

describe('closed_incidents_reviewed', () => {
  it('fails a closed incident without review, one result per incident', () => {
    const incidents = [
      incident({ id: 'A', grade: 'IV', closedAt: '2026-06-01', review: { completedAt: '2026-06-05' } }),
      incident({ id: 'B', grade: 'IV', closedAt: '2026-06-01' }),
      incident({ id: 'C', grade: 'III' }),
    ];
    const results = run('closed_incidents_reviewed', {}, facts({ incidents }));
    expect(results.map((r) => [r.subject.id, r.status, r.evidence.reviewedAt])).toEqual([
      ['A', 'pass', '2026-06-05'],
      ['B', 'fail', null],
      ['C', 'not_applicable', null],
    ]);
  });
});

describe('monitor_lockout_configured', () => {
  it.each([
    [5, 30, 'pass'],
    [0, 30, 'fail'],
    [10, 30, 'fail'],
    [5, 5, 'fail'],
  ])('threshold %i, %i min → %s', (lockoutThreshold, lockoutMinutes, status) => {
    const r = one('monitor_lockout_configured', { max_threshold: 5, min_minutes: 10 }, facts({ settings: { retentionDays: 180, lockoutThreshold, lockoutMinutes } }));
    expect(r).toMatchObject({ status, evidence: { lockoutThreshold, lockoutMinutes, maxThreshold: 5, minMinutes: 10 } });
  });
});

describe('audit_chain_intact', () => {
  it.each([
    [{ ok: true, checked: 1200 }, 'pass'],
    [{ ok: false, checked: 1200, firstBrokenId: 'rec-77' }, 'fail'],
    [{ ok: true, checked: 0 }, 'fail'],
  ] as const)('%j → %s', (auditChain, status) => {
    expect(one('audit_chain_intact', { min_checked: 1 }, facts({ auditChain }))).toMatchObject({ status, evidence: { checked: auditChain.checked } });
  });
  it('names the first broken record', () => {
    expect(one('audit_chain_intact', {}, facts({ auditChain: { ok: false, checked: 9, firstBrokenId: 'rec-77' } })).message.en).toBe('The audit chain breaks at record rec-77.');
  });
});

describe('automotive_data_in_china_and_anonymised', () => {
  const car = (automotive: AssetFacts['automotive'], over: Partial<AssetFacts> = {}) => asset({ type: 'camera', automotive, ...over });
  const runAt = (now: string, a: AssetFacts, over: Partial<FactsSnapshot> = {}) => one('automotive_data_in_china_and_anonymised', {}, facts({ now, assets: [a], ...over }));

  it.each([
    // before this year's due date, last December's report is the one that counts
    ['June, report last December', NOW, '2025-12-10', 'pass', [], '2025-12-15'],
    ['June, report the December before', NOW, '2024-12-10', 'fail', ['annual_report_missing'], '2025-12-15'],
    // made after last December's due date: this year's report, early
    ['June, report after last due date', NOW, '2025-12-20', 'pass', [], '2025-12-15'],
    // 15 December counts in full, in Beijing time
    ['due day, evening in Beijing', '2026-12-15T12:00:00Z', '2026-12-15T11:00:00Z', 'pass', [], '2025-12-15'],
    ['day after due, this year\'s report', '2026-12-16T01:00:00Z', '2026-12-01', 'pass', [], '2026-12-15'],
    ['day after due, only last year\'s', '2026-12-16T01:00:00Z', '2025-12-10', 'fail', ['annual_report_missing'], '2026-12-15'],
  ] as const)('%s → %s', (_label, now, annualReportRecordedAt, status, problems, lastReportDue) => {
    expect(runAt(now, car({ anonymisationRecorded: true, annualReportRecordedAt }))).toMatchObject({ status, evidence: { problems, lastReportDue } });
  });

  it('lists every problem: storage abroad, connections abroad, no anonymisation', () => {
    const events = { oldestEventAt: null, lastEventAtByAsset: {}, foreignConnectionsByAsset: { a1: { count: 4, examples: ['8.8.8.8'] } } };
    const r = runAt(NOW, car({ annualReportRecordedAt: '2025-12-01' }, { storageLocation: 'abroad' }), { events });
    expect(r).toMatchObject({ status: 'fail', evidence: { foreignConnections: 4, anonymisationRecorded: false, problems: ['stored_abroad', 'foreign_connections', 'anonymisation_not_recorded'] } });
    expect(r.message.en).toBe('data stored abroad; 4 connections abroad; anonymisation of people outside vehicles not recorded.');
  });
});

describe('public_cameras_signage_and_purpose', () => {
  it.each([
    [{ publicPlace: true, signage: true, purpose: 'public_security' }, 'pass', []],
    [{ publicPlace: true, signage: false, purpose: 'public_security' }, 'fail', ['signage']],
    [{ publicPlace: true, signage: true, purpose: 'marketing' }, 'fail', ['purpose']],
    [undefined, 'fail', ['signage', 'purpose']],
  ] as const)('%j → %s', (camera, status, problems) => {
    const r = one('public_cameras_signage_and_purpose', { allowed_purposes: ['public_security'] }, withAsset(asset({ type: 'camera', camera })));
    expect(r).toMatchObject({ status, evidence: { problems, signage: camera?.signage ?? null } });
  });
});

describe('evaluator parameters', () => {
  it('fills defaults taken from the reference', () => {
    expect(EVALUATORS.get('retention_configured')!.readParams({}).params).toEqual({ minDays: 184 });
    expect(EVALUATORS.get('mlps_filed_within_30_days')!.readParams({}).params).toEqual({ withinDays: 30 });
    expect(EVALUATORS.get('automotive_data_in_china_and_anonymised')!.readParams({}).params).toEqual({ reportDueMonth: 12, reportDueDay: 15, maxConnections: 0 });
  });
  it('demands parameters that are policy choices rather than law', () => {
    expect(EVALUATORS.get('monitor_lockout_configured')!.readParams({}).errors).toEqual(['max_threshold: required', 'min_minutes: required']);
    expect(EVALUATORS.get('automotive_data_in_china_and_anonymised')!.readParams({ report_due_month: 2, report_due_day: 30 }).errors).toEqual([
      'report_due_day: not a day of report_due_month',
    ]);
  });
});
