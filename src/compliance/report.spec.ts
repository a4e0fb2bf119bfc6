import { parseCsv } from '../assets/csv.js';
import { evidenceWords } from './evidence-labels.js';
import { reportCsv, reportHtml, reportJson, summarise, type ReportInput } from './report.js';
import type { FrozenControl, ResultView, RunView } from './run-views.js';

const control = (id: string, source: FrozenControl['source']): FrozenControl => ({
  id,
  title: { 'zh-CN': `标题 ${id}`, en: `Title ${id}` },
  source,
  article: '21',
  verification: 'secondary',
  appliesTo: 'all_assets',
  kind: 'automatic',
  evaluator: 'log_coverage_24h',
  severity: 'high',
  requirement: { 'zh-CN': '要求', en: 'Requirement' },
  remediation: { 'zh-CN': '整改', en: 'Fix' },
});
const evidence = { hoursSinceLastEvent: 30, examples: ['8.8.8.8', '1.1.1.1'], lastEventAt: null };
const result = (controlId: string, status: ResultView['status'], subject: ResultView['subject'], department: string | null): ResultView => ({
  controlId,
  subject,
  department,
  status,
  evidence,
  evidenceWords: evidenceWords(evidence),
  message: { 'zh-CN': `消息 ${status}`, en: `message ${status}` },
  findingId: null,
  riskAcceptedUntil: status === 'fail' ? '2026-06-30' : null,
});

const scada = { type: 'asset' as const, id: 'a1', name: '<script>alert(1)</script>供水' };
const portal = { type: 'asset' as const, id: 'a2', name: '政务门户' };
const org = { type: 'organisation' as const, id: 'organisation', name: '某县' };
const run: RunView = {
  id: 'r1',
  profileId: 'p1',
  profileName: '全部控制项 / All controls',
  trigger: 'manual',
  scheduledFor: null,
  status: 'completed',
  progress: { done: 8, total: 8 },
  requestedBy: 'compliance1',
  startedAt: '2026-03-10T02:00:00.000Z',
  finishedAt: '2026-03-10T02:00:05.000Z',
  error: null,
  summary: null,
};
const input: ReportInput = {
  organisation: '某县 "大数据" 中心',
  organisationNamed: true,
  run,
  controls: [control('CSL-21-LOG-COVERAGE', 'CSL'), control('DSL-27-SECURITY-LEAD', 'DSL')],
  results: [
    result('CSL-21-LOG-COVERAGE', 'fail', scada, '水务局'),
    result('CSL-21-LOG-COVERAGE', 'pass', portal, '交通局'),
    result('DSL-27-SECURITY-LEAD', 'needs_attestation', scada, '水务局'),
    result('DSL-27-SECURITY-LEAD', 'not_applicable', org, null),
  ],
  generatedAt: new Date('2026-03-10T03:00:00Z'),
};

describe('audit reports', () => {
  it('summarises by status, by law in catalogue order, and by department with the organisation last', () => {
    const s = summarise(input.controls, input.results);
    expect(s.byStatus).toEqual({ pass: 1, fail: 1, not_applicable: 1, needs_attestation: 1, total: 4 });
    expect(s.byLaw.map((l) => [l.source, l.controls, l.counts.total])).toEqual([
      ['CSL', 1, 2],
      ['DSL', 1, 2],
    ]);
    expect(s.byDepartment.map((d) => [d.department, d.counts.fail, d.counts.total])).toEqual([
      ['交通局', 0, 1],
      ['水务局', 1, 2],
      [null, 0, 1],
    ]);
  });

  it('HTML is self-contained, printable, escaped, in Chinese unless English is asked for', () => {
    const zh = reportHtml(input, 'zh-CN');
    expect(zh).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
    expect(zh).toContain('@media print');
    expect(zh).not.toMatch(/<script|<link|src=|href=/);
    expect(zh).toContain('&lt;script&gt;alert(1)&lt;/script&gt;供水');
    expect(zh).toContain('某县 &quot;大数据&quot; 中心');
    expect(zh).toContain('合规审计报告');
    expect(zh).toContain('按法律法规汇总');
    expect(zh).toContain('中华人民共和国网络安全法');
    expect(zh).toContain('风险已接受，至 2026-06-30');
    expect(zh).toContain('2026-03-10 10:00 (UTC+8)');
    expect(zh).toContain('<span class="k">示例</span>：8.8.8.8、1.1.1.1');
    expect(zh).toContain('<span class="k">距最近一条日志</span>：30 小时');
    expect(zh).toContain('<span class="k">最近一条日志</span>：无');
    expect(zh).not.toContain('TAISHI_ORGANISATION_NAME');
    const en = reportHtml(input, 'en');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Summary by department');
    expect(en).toContain('Cybersecurity Law of the PRC');
    expect(en).toContain('message fail');
    expect(en).toContain('<span class="k">Since the last event</span>: 30 hours');
    // Times in the reader's zone when one is asked for: the run's start and every time in the evidence.
    const berlin = reportHtml({ ...input, timeZone: 'Europe/Berlin' }, 'en');
    expect(berlin).toContain('2026-03-10 03:00 (UTC+1)');
    expect(berlin).not.toContain('(UTC+8)');
    const unnamed = reportHtml({ ...input, organisation: '本单位', organisationNamed: false }, 'zh-CN');
    expect(unnamed).toContain('单位名称尚未设置');
    expect(unnamed).toContain('TAISHI_ORGANISATION_NAME');
    expect(reportHtml({ ...input, organisationNamed: false }, 'en')).toContain('The organisation name is not set');
  });

  it('CSV has one row per result with a fixed header, JSON carries summaries, controls and results', () => {
    const rows = parseCsv(reportCsv(input, 'en')).map((r) => r.cells);
    expect(rows[0]).toEqual(['run_id', 'control_id', 'control_title', 'law', 'article', 'severity', 'subject_type', 'subject_id', 'subject_name', 'department', 'status', 'risk_accepted_until', 'finding_id', 'message', 'evidence_json']);
    expect(rows.slice(1).map((r) => [r[1], r[7], r[10]])).toEqual([
      ['CSL-21-LOG-COVERAGE', 'a1', 'fail'],
      ['CSL-21-LOG-COVERAGE', 'a2', 'pass'],
      ['DSL-27-SECURITY-LEAD', 'a1', 'needs_attestation'],
      ['DSL-27-SECURITY-LEAD', 'organisation', 'not_applicable'],
    ]);
    expect(JSON.parse(rows[1][14])).toEqual({ hoursSinceLastEvent: 30, examples: ['8.8.8.8', '1.1.1.1'], lastEventAt: null });
    const json = JSON.parse(reportJson(input, 'en'));
    expect(json.summary.byLaw[1]).toMatchObject({ source: 'DSL', name: 'Data Security Law of the PRC', controls: 1 });
    expect(json.results).toHaveLength(4);
    expect(json.facts).toBeUndefined();
  });
});
