import { toCsv } from '../assets/index.js';
import { SOURCES, type CheckStatus, type FactsSnapshot, type SourceKey } from './catalogue/index.js';
import { describeEvidence, formatInstant } from './evidence-labels.js';
import type { FrozenControl, ResultView, RunView } from './run-views.js';

/**
 * Audit reports: HTML for people (self-contained and printable, zh-CN unless English is asked
 * for), JSON and CSV for machines. Everything here is a pure function of the frozen run.
 */
export type Lang = 'zh-CN' | 'en';
export type ReportFormat = 'html' | 'json' | 'csv';

export interface ReportInput {
  organisation: string;
  /** False while TAISHI_ORGANISATION_NAME was never set: the report then says so, in red, at the top. */
  organisationNamed: boolean;
  run: RunView;
  controls: FrozenControl[];
  results: ResultView[];
  /** The frozen facts; left out of reports for owners, who may not see other departments' assets. */
  facts?: FactsSnapshot;
  /** Set when the report is confined to one department's assets. */
  department?: string;
  generatedAt: Date;
  /** IANA zone the report's times are written in: the reader's, Beijing time unless told otherwise. */
  timeZone?: string;
}

type Counts = Record<CheckStatus, number> & { total: number };
export interface Summary {
  byStatus: Counts;
  byLaw: { source: SourceKey; name: string; controls: number; counts: Counts }[];
  byDepartment: { department: string | null; counts: Counts }[];
}

const STATUSES: CheckStatus[] = ['fail', 'needs_attestation', 'pass', 'not_applicable'];
const empty = (): Counts => ({ pass: 0, fail: 0, not_applicable: 0, needs_attestation: 0, total: 0 });
const add = (c: Counts, s: CheckStatus) => {
  c[s]++;
  c.total++;
};

const TEXT = {
  'zh-CN': {
    title: '合规审计报告',
    profile: '审计方案',
    run: '运行编号',
    trigger: '触发方式',
    triggers: { manual: '手动', schedule: '计划', cli: '命令行' },
    requestedBy: '发起人',
    started: '开始时间',
    finished: '完成时间',
    generated: '报告生成',
    scope: '范围',
    scopeAll: '全部部门',
    overview: '总体结果',
    byLaw: '按法律法规汇总',
    byDepartment: '按部门汇总',
    law: '法律法规',
    controls: '控制项',
    department: '部门',
    organisationWide: '全单位（组织与监测系统）',
    results: '逐项结果',
    control: '控制项',
    article: '条款',
    severity: '严重程度',
    subject: '对象',
    status: '结果',
    message: '说明',
    evidence: '证据（运行时冻结）',
    total: '合计',
    riskAccepted: '风险已接受，至',
    statuses: { pass: '通过', fail: '不通过', not_applicable: '不适用', needs_attestation: '待人工证明' },
    severities: { low: '低', medium: '中', high: '高', critical: '严重' },
    subjectTypes: { asset: '资产', organisation: '组织', incident: '事件' },
    verification: { verified: '原文核实', secondary: '二手资料', recalled: '凭记忆，待核实' },
    method:
      '本报告依据运行时冻结的事实快照生成：资产登记、系统设置、事件库、未登记主机、安全事件和审计链均在运行开始时采集，证据数字即当时所见。自动检查项由程序判定；人工控制项需合规人员上传证据文件（记录 SHA-256）并在有效期内方为通过。控制项的法律依据标注了核实程度。',
    failedRun: '本次运行未完成',
    organisationUnset: '单位名称尚未设置，报告中以“本单位”代替。请管理员设置 TAISHI_ORGANISATION_NAME 后重新生成报告。',
  },
  en: {
    title: 'Compliance audit report',
    profile: 'Audit profile',
    run: 'Run',
    trigger: 'Trigger',
    triggers: { manual: 'on demand', schedule: 'scheduled', cli: 'command line' },
    requestedBy: 'Requested by',
    started: 'Started',
    finished: 'Finished',
    generated: 'Report generated',
    scope: 'Scope',
    scopeAll: 'all departments',
    overview: 'Overall result',
    byLaw: 'Summary by law',
    byDepartment: 'Summary by department',
    law: 'Law or standard',
    controls: 'Controls',
    department: 'Department',
    organisationWide: 'Organisation-wide (organisation and monitor)',
    results: 'Results',
    control: 'Control',
    article: 'Article',
    severity: 'Severity',
    subject: 'Subject',
    status: 'Result',
    message: 'Finding',
    evidence: 'Evidence (frozen at run time)',
    total: 'Total',
    riskAccepted: 'risk accepted until',
    statuses: { pass: 'Pass', fail: 'Fail', not_applicable: 'Not applicable', needs_attestation: 'Needs attestation' },
    severities: { low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
    subjectTypes: { asset: 'asset', organisation: 'organisation', incident: 'incident' },
    verification: { verified: 'checked against the text', secondary: 'secondary source', recalled: 'recalled, to be checked' },
    method:
      'This report is generated from the facts snapshot frozen when the run started: the asset registry, settings, event store, unregistered hosts, incidents and the audit chain as they were then, so the evidence numbers are what the monitor saw. Automatic controls are decided by the checks; a manual control passes only with a compliance officer’s evidence file (its SHA-256 recorded) within its validity. The legal basis of each control is tagged with how well it was verified.',
    failedRun: 'This run did not complete',
    organisationUnset: 'The organisation name is not set, so this report says “本单位” (“this organisation”). An administrator should set TAISHI_ORGANISATION_NAME, then generate the report again.',
  },
} as const;

export function summarise(controls: readonly FrozenControl[], results: readonly ResultView[]): Summary {
  const source = new Map(controls.map((c) => [c.id, c.source]));
  const byStatus = empty();
  const laws = new Map<SourceKey, { controls: Set<string>; counts: Counts }>();
  const departments = new Map<string | null, Counts>();
  for (const r of results) {
    add(byStatus, r.status);
    const law = source.get(r.controlId);
    if (law) {
      const entry = laws.get(law) ?? { controls: new Set(), counts: empty() };
      entry.controls.add(r.controlId);
      add(entry.counts, r.status);
      laws.set(law, entry);
    }
    const department = r.subject.type === 'asset' ? r.department : null;
    const counts = departments.get(department) ?? empty();
    add(counts, r.status);
    departments.set(department, counts);
  }
  const order = Object.keys(SOURCES) as SourceKey[];
  return {
    byStatus,
    byLaw: order.filter((s) => laws.has(s)).map((s) => ({ source: s, name: SOURCES[s]['zh-CN'], controls: laws.get(s)!.controls.size, counts: laws.get(s)!.counts })),
    // Departments by name, the organisation-wide row last.
    byDepartment: [...departments]
      .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b, 'zh-CN')))
      .map(([department, counts]) => ({ department, counts })),
  };
}

export function renderReport(input: ReportInput, format: ReportFormat, lang: Lang): { body: string; contentType: string; extension: string } {
  if (format === 'json') return { body: reportJson(input, lang), contentType: 'application/json; charset=utf-8', extension: 'json' };
  if (format === 'csv') return { body: reportCsv(input, lang), contentType: 'text/csv; charset=utf-8', extension: 'csv' };
  return { body: reportHtml(input, lang), contentType: 'text/html; charset=utf-8', extension: 'html' };
}

export function reportJson(input: ReportInput, lang: Lang): string {
  const summary = summarise(input.controls, input.results);
  return JSON.stringify(
    {
      organisation: input.organisation,
      lang,
      generatedAt: input.generatedAt.toISOString(),
      department: input.department ?? null,
      run: input.run,
      summary: { ...summary, byLaw: summary.byLaw.map((l) => ({ ...l, name: SOURCES[l.source][lang] })) },
      controls: input.controls,
      results: input.results,
      ...(input.facts ? { facts: input.facts } : {}),
    },
    null,
    2,
  );
}

const CSV_HEADER = [
  'run_id',
  'control_id',
  'control_title',
  'law',
  'article',
  'severity',
  'subject_type',
  'subject_id',
  'subject_name',
  'department',
  'status',
  'risk_accepted_until',
  'finding_id',
  'message',
  'evidence_json',
];

/** One row per result; the header is fixed English for machines, titles and messages are in `lang`. */
export function reportCsv(input: ReportInput, lang: Lang): string {
  const controls = new Map(input.controls.map((c) => [c.id, c]));
  const rows = input.results.map((r) => {
    const c = controls.get(r.controlId);
    return [
      input.run.id,
      r.controlId,
      c?.title[lang] ?? '',
      c ? SOURCES[c.source][lang] : '',
      c?.article ?? '',
      c?.severity ?? '',
      r.subject.type,
      r.subject.id,
      r.subject.name,
      r.department ?? '',
      r.status,
      r.riskAcceptedUntil ?? '',
      r.findingId ?? '',
      r.message[lang],
      JSON.stringify(r.evidence),
    ];
  });
  return toCsv(CSV_HEADER, rows);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function evidenceText(evidence: Record<string, unknown>, lang: Lang, timeZone: string | undefined): string {
  return describeEvidence(evidence, lang, { timeZone })
    .map((l) => `<span class="k">${escapeHtml(l.label)}</span>${lang === 'zh-CN' ? '：' : ': '}${escapeHtml(l.value)}`)
    .join('<br>');
}

const STYLE = `
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;color:#1a1a1a;margin:2em auto;max-width:1100px;padding:0 1em;font-size:14px;line-height:1.5}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:2px solid #333;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.5em 0}dl.meta dt{font-weight:bold}dl.meta dd{margin:0}
.s{font-weight:bold;white-space:nowrap;padding:0 .3em;border-radius:3px}
.s-fail{color:#fff;background:#b3261e}.s-pass{color:#fff;background:#1e7b34}.s-needs_attestation{color:#1a1a1a;background:#f2c14e}.s-not_applicable{color:#1a1a1a;background:#ddd}
.k{color:#555}.warn{border:2px solid #b3261e;color:#b3261e;padding:.4em .6em;font-weight:bold}.ev{font-size:.85em;word-break:break-all}.muted{color:#666}.note{font-size:.85em;color:#444;margin-top:2em}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}tr{break-inside:avoid}thead{display:table-header-group}
.s{border:1px solid #000;background:none!important;color:#000!important}}
`;

export function reportHtml(input: ReportInput, lang: Lang): string {
  const t = TEXT[lang];
  const wallClock = (iso: string | null) => (iso ? formatInstant(iso, input.timeZone) : '—');
  const summary = summarise(input.controls, input.results);
  const controls = new Map(input.controls.map((c) => [c.id, c]));
  const status = (s: CheckStatus) => `<span class="s s-${s}">${escapeHtml(t.statuses[s])}</span>`;
  const countCells = (c: Counts) => STATUSES.map((s) => `<td class="n">${c[s]}</td>`).join('') + `<td class="n">${c.total}</td>`;
  const countHead = STATUSES.map((s) => `<th>${escapeHtml(t.statuses[s])}</th>`).join('') + `<th>${escapeHtml(t.total)}</th>`;
  const run = input.run;
  const meta: [string, string][] = [
    [t.profile, escapeHtml(run.profileName)],
    [t.run, escapeHtml(run.id)],
    [t.trigger, escapeHtml(t.triggers[run.trigger])],
    [t.requestedBy, escapeHtml(run.requestedBy)],
    [t.started, escapeHtml(wallClock(run.startedAt))],
    [t.finished, escapeHtml(wallClock(run.finishedAt))],
    [t.generated, escapeHtml(wallClock(input.generatedAt.toISOString()))],
    [t.scope, escapeHtml(input.department ?? t.scopeAll)],
  ];
  const rows = input.results
    .map((r) => {
      const c = controls.get(r.controlId);
      const article = c ? `${SOURCES[c.source][lang]} ${c.article ?? ''}`.trim() : '';
      const accepted = r.riskAcceptedUntil ? `<br><span class="muted">${escapeHtml(t.riskAccepted)} ${escapeHtml(r.riskAcceptedUntil)}</span>` : '';
      return `<tr>
<td><b>${escapeHtml(r.controlId)}</b><br>${escapeHtml(c?.title[lang] ?? '')}</td>
<td>${escapeHtml(article)}${c ? `<br><span class="muted">${escapeHtml(t.verification[c.verification])}</span>` : ''}</td>
<td>${c ? escapeHtml(t.severities[c.severity]) : ''}</td>
<td>${escapeHtml(r.subject.name)}<br><span class="muted">${escapeHtml(t.subjectTypes[r.subject.type])}${r.department ? ` · ${escapeHtml(r.department)}` : ''}</span></td>
<td>${status(r.status)}${accepted}</td>
<td>${escapeHtml(r.message[lang])}</td>
<td class="ev">${evidenceText(r.evidence, lang, input.timeZone)}</td>
</tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${t.title} · ${input.organisation} · ${run.profileName}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(t.title)}</h1>
<p class="muted">${escapeHtml(input.organisation)}</p>
${input.organisationNamed ? '' : `<p class="warn" role="alert">${escapeHtml(t.organisationUnset)}</p>`}
<dl class="meta">${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>
${run.status !== 'completed' ? `<p><span class="s s-fail">${escapeHtml(t.failedRun)}</span> ${escapeHtml(run.error ?? run.status)}</p>` : ''}
<h2>${escapeHtml(t.overview)}</h2>
<table><thead><tr>${countHead}</tr></thead><tbody><tr>${countCells(summary.byStatus)}</tr></tbody></table>
<h2>${escapeHtml(t.byLaw)}</h2>
<table><thead><tr><th>${escapeHtml(t.law)}</th><th>${escapeHtml(t.controls)}</th>${countHead}</tr></thead><tbody>
${summary.byLaw.map((l) => `<tr><td>${escapeHtml(SOURCES[l.source][lang])}</td><td class="n">${l.controls}</td>${countCells(l.counts)}</tr>`).join('\n')}
</tbody></table>
<h2>${escapeHtml(t.byDepartment)}</h2>
<table><thead><tr><th>${escapeHtml(t.department)}</th>${countHead}</tr></thead><tbody>
${summary.byDepartment.map((d) => `<tr><td>${escapeHtml(d.department ?? t.organisationWide)}</td>${countCells(d.counts)}</tr>`).join('\n')}
</tbody></table>
<h2>${escapeHtml(t.results)}</h2>
<table><thead><tr><th>${escapeHtml(t.control)}</th><th>${escapeHtml(t.article)}</th><th>${escapeHtml(t.severity)}</th><th>${escapeHtml(t.subject)}</th><th>${escapeHtml(t.status)}</th><th>${escapeHtml(t.message)}</th><th>${escapeHtml(t.evidence)}</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="note">${escapeHtml(t.method)}</p>
</body>
</html>
`;
}
