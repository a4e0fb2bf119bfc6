import { describeEvidence, EVIDENCE_LABELS, evidenceWords, formatInstant, humaniseKey } from './evidence-labels.js';

describe('evidence in words', () => {
  it('says hours since the last event as a span of time, in both languages', () => {
    const evidence = { lastEventAt: '2026-12-05T08:00:00.000Z', hoursSinceLastEvent: 1, windowHours: 24 };
    expect(describeEvidence(evidence, 'zh-CN')).toEqual([
      { key: 'lastEventAt', label: '最近一条日志', value: '2026-12-05 16:00 (UTC+8)', at: '2026-12-05T08:00:00.000Z' },
      { key: 'hoursSinceLastEvent', label: '距最近一条日志', value: '1 小时' },
      { key: 'windowHours', label: '允许的最长间隔', value: '24 小时' },
    ]);
    expect(describeEvidence(evidence, 'en').map((l) => `${l.value} ${l.label.toLowerCase()}`)).toEqual(['2026-12-05 16:00 (UTC+8) last event', '1 hour since the last event', '24 hours longest gap allowed']);
  });

  it('says none for null, joins arrays, and answers yes/no', () => {
    const evidence = { reportedAt: null, missing: ['contact', 'mlps.level'], examples: [], ok: false, maskingEnabled: true };
    expect(describeEvidence(evidence, 'zh-CN').map((l) => l.value)).toEqual(['无', 'contact、mlps.level', '无', '否', '是']);
    expect(describeEvidence(evidence, 'en').map((l) => l.value)).toEqual(['none', 'contact, mlps.level', 'none', 'no', 'yes']);
  });

  it('counts things with their measure word and plural', () => {
    const evidence = { lines: 1, unrecognised: 40, unrecognisedPercent: 12.5, mlpsLevel: 3, lockoutMinutes: 30 };
    expect(describeEvidence(evidence, 'zh-CN').map((l) => l.value)).toEqual(['1 行', '40 行', '12.5%', '3 级', '30 分钟']);
    expect(describeEvidence(evidence, 'en').map((l) => l.value)).toEqual(['1 line', '40 lines', '12.5%', 'level 3', '30 minutes']);
  });

  it('shows instants in the report time zone, Beijing unless told, and leaves calendar dates as they are', () => {
    expect(formatInstant('2026-12-31T20:30:00Z')).toBe('2027-01-01 04:30 (UTC+8)');
    expect(formatInstant('2026-12-31T20:30:00Z', 'UTC')).toBe('2026-12-31 20:30 (UTC)');
    const [filed] = describeEvidence({ filingDate: '2026-03-01' }, 'en');
    expect(filed).toEqual({ key: 'filingDate', label: 'Filed on', value: '2026-03-01' });
    expect(describeEvidence({ closedAt: '2026-06-01T00:00:00Z' }, 'en', { timeZone: 'Europe/Berlin' })[0].value).toBe('2026-06-01 02:00 (UTC+2)');
  });

  it('never drops a key it has no label for: it shows it humanised, with its value', () => {
    expect(humaniseKey('hoursSinceLastBackup')).toBe('Hours since last backup');
    expect(humaniseKey('cert_expires_in')).toBe('Cert expires in');
    const lines = describeEvidence({ hoursSinceLastBackup: 5, nested: { a: 1, b: null } }, 'zh-CN');
    expect(lines).toEqual([
      { key: 'hoursSinceLastBackup', label: 'Hours since last backup', value: '5' },
      { key: 'nested', label: 'Nested', value: 'a: 1、b: 无' },
    ]);
  });

  it('names every key in both languages, and hands both languages at once', () => {
    for (const [key, l] of Object.entries(EVIDENCE_LABELS)) {
      expect({ key, zh: l['zh-CN'].trim().length > 0, en: l.en.trim().length > 0 }).toEqual({ key, zh: true, en: true });
    }
    expect(evidenceWords({ daysOverdue: 2 })).toEqual({ 'zh-CN': [{ key: 'daysOverdue', label: '已超期', value: '2 天' }], en: [{ key: 'daysOverdue', label: 'Overdue by', value: '2 days' }] });
  });
});
