import { INITIAL_REPORT_ITEMS, advanceReport, draftInitialReport, piplNoticeGaps, submissionCheck, summaryGaps, type ClosingSummary, type InitialReportInput, type PiplNotice } from './report.js';

const COMPLETE: InitialReportInput = {
  unit: '某县大数据中心',
  systems: ['政务服务网'],
  discoveredAt: new Date('2025-11-03T02:00:00Z'),
  discoveryPlace: '县政务云机房',
  category: 'malware',
  grade: 'relatively_major',
  impact: '政务服务网中断 3 小时',
  measuresTaken: '隔离受感染主机',
  measuresEffect: '加密未再扩散',
  furtherHarm: '备份可能已被加密',
  preliminaryCause: '远程桌面弱口令',
  leads: { path: '互联网 → 3389 端口' },
  plannedMeasures: '从离线备份恢复',
  helpRequested: '无',
  sceneProtection: '已保全受感染主机内存镜像和日志',
};

describe('draftInitialReport', () => {
  it('finds nothing missing in a complete report, and leaves the ransomware item out when it is not one', () => {
    const draft = draftInitialReport(COMPLETE);
    expect([draft.status, draft.missing]).toEqual(['draft', []]);
    expect(draft.items.map((i) => i.id)).toEqual(INITIAL_REPORT_ITEMS.map((i) => i.id).filter((id) => id !== 'ransomware'));
    expect(draft.content).toBe(COMPLETE);
  });

  it('asks for the ransom details of a ransomware incident', () => {
    const draft = draftInitialReport({ ...COMPLETE, ransomware: { amount: '2 BTC', date: '2025-11-03' } });
    expect(draft.missing).toEqual(['ransomware']);
    expect(draft.items.find((i) => i.id === 'ransomware')).toEqual({
      id: 'ransomware',
      art7: 2,
      mandatory: true,
      label: { 'zh-CN': '勒索金额、支付方式和日期', en: 'Ransom amount, payment method and date' },
      complete: false,
      missingFields: ['ransomware.paymentMethod'],
    });
  });

  it('flags every incomplete item of an early report, with the fields still empty', () => {
    const draft = draftInitialReport({ unit: '某县大数据中心', systems: [' '], grade: 'unrated', discoveredAt: new Date('2025-11-03T02:00:00Z'), measuresTaken: '断网' });
    expect(draft.missing).toEqual([
      'unit_and_systems',
      'discovery',
      'type_grade_impact',
      'measures_and_effect',
      'further_harm',
      'preliminary_cause',
      'investigation_leads',
      'planned_measures_and_help',
      'scene_protection',
    ]);
    // Items (1) and (2) of Art. 7 go first when the rest is not known yet.
    expect(draft.first).toEqual({ items: ['unit_and_systems', 'discovery', 'type_grade_impact', 'measures_and_effect'], complete: false });
    expect(Object.fromEntries(draft.items.map((i) => [i.id, i.missingFields]))).toEqual({
      unit_and_systems: ['systems'],
      discovery: ['discoveryPlace'],
      type_grade_impact: ['category', 'grade', 'impact'],
      measures_and_effect: ['measuresEffect'],
      further_harm: ['furtherHarm'],
      preliminary_cause: ['preliminaryCause'],
      investigation_leads: ['leads'],
      planned_measures_and_help: ['plannedMeasures', 'helpRequested'],
      scene_protection: ['sceneProtection'],
      other: [],
    });
  });

  it('has Art. 7 items (7) 现场保护情况 and (8) 其他, the latter optional', () => {
    const draft = draftInitialReport({ ...COMPLETE, sceneProtection: undefined });
    expect(draft.items.slice(-2).map((i) => [i.id, i.art7, i.mandatory, i.label['zh-CN']])).toEqual([
      ['scene_protection', 7, true, '现场保护情况'],
      ['other', 8, false, '其他需要报告的情况'],
    ]);
    expect(draft.missing).toEqual(['scene_protection']);
  });
});

describe('submissionCheck (Art. 7: what is known goes in, a gap needs a reason)', () => {
  it('refuses a report with mandatory items missing and no reason, and accepts it with one', () => {
    const early = draftInitialReport({ ...COMPLETE, preliminaryCause: undefined });
    expect(submissionCheck(early, undefined)).toEqual({ ok: false, missing: ['preliminary_cause'] });
    expect(submissionCheck(early, '  ')).toEqual({ ok: false, missing: ['preliminary_cause'] });
    expect(submissionCheck(early, '原因仍在分析，先报第（一）（二）项')).toEqual({ ok: true });
    expect(submissionCheck(draftInitialReport(COMPLETE), undefined)).toEqual({ ok: true });
  });
});

describe('advanceReport', () => {
  const SUMMARY: ClosingSummary = { cause: 'c', measures: 'm', harm: 'h', accountability: 'a', remediation: 'r', lessons: 'l' };

  it.each([
    ['draft', 'initial_submitted'],
    ['initial_submitted', 'supplementary'],
    ['initial_submitted', 'final'],
    ['supplementary', 'supplementary'],
    ['supplementary', 'final'],
  ] as const)('moves %s → %s', (from, to) => {
    expect(advanceReport(from, to, SUMMARY)).toEqual({ ok: true, next: to });
  });

  it.each([
    ['draft', 'final', ['initial_submitted']],
    ['draft', 'supplementary', ['initial_submitted']],
    ['initial_submitted', 'draft', ['supplementary', 'final']],
    ['final', 'supplementary', []],
  ] as const)('refuses %s → %s', (from, to, allowed) => {
    expect(advanceReport(from, to, SUMMARY)).toEqual({ ok: false, allowed, reason: 'illegal_transition' });
  });

  it('refuses the final report until the closing summary is complete', () => {
    expect(advanceReport('supplementary', 'final', { ...SUMMARY, accountability: ' ', lessons: undefined })).toEqual({
      ok: false,
      allowed: ['supplementary', 'final'],
      reason: 'summary_incomplete',
      missing: ['accountability', 'lessons'],
    });
    expect(summaryGaps({})).toEqual(['cause', 'measures', 'harm', 'accountability', 'remediation', 'lessons']);
  });
});

describe('piplNoticeGaps', () => {
  const CONTENT: PiplNotice['content'] = {
    piTypes: ['姓名', '身份证号'],
    cause: '接口未鉴权',
    possibleHarm: '冒用身份',
    remedies: '已关闭接口',
    individualSteps: '留意冒名贷款',
    contact: '0000-12345678',
  };
  const authority = { name: '市网信办', notifiedAt: new Date('2025-11-04T01:00:00Z') };

  it('is satisfied when the authority and the individuals were told everything', () => {
    expect(piplNoticeGaps({ content: CONTENT, authority, individuals: { notified: true, notifiedAt: new Date('2025-11-05T01:00:00Z'), channel: '短信' } })).toEqual([]);
  });

  it('accepts not notifying individuals only with the measures that avoided harm', () => {
    expect(piplNoticeGaps({ content: CONTENT, authority, individuals: { notified: false, harmAvoidedBy: '泄露副本已在扩散前删除' } })).toEqual([]);
    expect(piplNoticeGaps({ content: CONTENT, authority, individuals: { notified: false, harmAvoidedBy: '' } })).toEqual(['harm_avoided_by']);
  });

  it('lists what is missing', () => {
    expect(piplNoticeGaps({ content: { piTypes: [''], cause: '接口未鉴权' } })).toEqual([
      'pi_types',
      'possible_harm',
      'remedies',
      'individual_steps',
      'contact',
      'authority_notified',
      'individuals_decision',
    ]);
    expect(piplNoticeGaps({ content: CONTENT, authority, individuals: { notified: true, notifiedAt: new Date(), channel: ' ' } })).toEqual(['individuals_channel']);
  });
});
