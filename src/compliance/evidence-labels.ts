/**
 * Evidence in words. Checks freeze their numbers as a flat map (hoursSinceLastEvent: 1); people
 * read "距最近一条日志 1 小时". This is the one vocabulary of those keys: the HTML report prints it,
 * and the API hands the lines to the console so both say the same thing.
 */
export type EvidenceLang = 'zh-CN' | 'en';

/** How a value reads: a span of time, a count of things, a point in time, a yes/no, or plain text. */
type Kind = 'hours' | 'days' | 'minutes' | 'count' | 'percent' | 'level' | 'time' | 'yesno' | 'text';

interface Label {
  'zh-CN': string;
  en: string;
  kind: Kind;
  /** For counts: what is counted, zh-CN measure word and English singular/plural. */
  unit?: { 'zh-CN': string; en: [string, string] };
}

const label = (zh: string, en: string, kind: Kind = 'text', unit?: Label['unit']): Label => ({ 'zh-CN': zh, en, kind, unit });
const LINES = { 'zh-CN': '行', en: ['line', 'lines'] as [string, string] };
const RECORDS = { 'zh-CN': '条', en: ['record', 'records'] as [string, string] };

export const EVIDENCE_LABELS: Record<string, Label> = {
  // event store and collection
  retentionDays: label('事件保留期', 'Events kept for', 'days'),
  minDays: label('至少应保留', 'Required at least', 'days'),
  oldestEventAt: label('最早一条事件', 'Oldest event', 'time'),
  oldestEventAgeDays: label('最早一条事件距今', 'Age of the oldest event', 'days'),
  requiredDays: label('应有的历史', 'History required', 'days'),
  installedDaysAgo: label('监测系统已运行', 'Monitor running for', 'days'),
  lastEventAt: label('最近一条日志', 'Last event', 'time'),
  hoursSinceLastEvent: label('距最近一条日志', 'Since the last event', 'hours'),
  windowHours: label('允许的最长间隔', 'Longest gap allowed', 'hours'),
  lines: label('日志行数', 'Log lines', 'count', LINES),
  unrecognised: label('未能识别的行数', 'Unrecognised lines', 'count', LINES),
  unrecognisedPercent: label('未能识别的比例', 'Share unrecognised', 'percent'),
  minLines: label('作出判断所需行数', 'Lines needed to judge', 'count', LINES),
  maxUnrecognisedPercent: label('允许的未识别比例', 'Share unrecognised allowed', 'percent'),
  count: label('数量', 'Count', 'count'),
  events: label('日志条数', 'Log events', 'count', { 'zh-CN': '条', en: ['event', 'events'] }),
  examples: label('示例', 'Examples'),
  // asset registration and data
  lifecycle: label('生命周期', 'Lifecycle'),
  type: label('资产类型', 'Asset type'),
  missing: label('缺少', 'Missing'),
  missingCount: label('缺少的项数', 'Items missing', 'count', { 'zh-CN': '项', en: ['item', 'items'] }),
  categoryCount: label('已声明的数据类别', 'Data categories declared', 'count', { 'zh-CN': '类', en: ['category', 'categories'] }),
  level: label('数据级别', 'Data level'),
  personal: label('个人信息', 'Personal information'),
  designationRef: label('关键信息基础设施认定文号', 'CII designation reference'),
  mlpsLevel: label('等级保护级别', 'MLPS level', 'level'),
  filingNumber: label('备案编号', 'Filing number'),
  filingDate: label('备案日期', 'Filed on', 'time'),
  deadlineStart: label('时限起算日', 'Period starts on', 'time'),
  withinDays: label('时限', 'Time limit', 'days'),
  daysToFile: label('备案用时', 'Time taken to file', 'days'),
  daysLate: label('超出时限', 'Late by', 'days'),
  daysRemaining: label('剩余时间', 'Time left', 'days'),
  daysOverdue: label('已超期', 'Overdue by', 'days'),
  assessment: label('评估类型', 'Assessment'),
  lastAssessmentDate: label('最近一次评估', 'Last assessed on', 'time'),
  periodDays: label('评估周期', 'Period', 'days'),
  daysSinceAssessment: label('距最近一次评估', 'Since the last assessment', 'days'),
  planVersion: label('应急预案版本', 'Emergency plan version'),
  daysSinceReview: label('距最近一次评审', 'Since the last review', 'days'),
  daysSinceDrill: label('距最近一次演练', 'Since the last drill', 'days'),
  reviewWithinDays: label('评审周期', 'Review every', 'days'),
  drillWithinDays: label('演练周期', 'Drill every', 'days'),
  problems: label('问题', 'Problems'),
  lead: label('数据安全负责人', 'Data-security lead'),
  fromManagement: label('负责人属于管理层', 'Lead is in management', 'yesno'),
  maskingEnabled: label('已启用去标识化', 'De-identification on', 'yesno'),
  piaReference: label('个人信息保护影响评估编号', 'PI impact assessment reference'),
  connections: label('境外连接数', 'Connections abroad', 'count', { 'zh-CN': '次', en: ['connection', 'connections'] }),
  foreignConnections: label('境外连接数', 'Connections abroad', 'count', { 'zh-CN': '次', en: ['connection', 'connections'] }),
  storageLocation: label('存储位置', 'Storage location'),
  exportAssessmentRef: label('数据出境安全评估编号', 'Export assessment reference'),
  anonymisationRecorded: label('已登记匿名化处理', 'Anonymisation recorded', 'yesno'),
  annualReportRecordedAt: label('年度报告登记', 'Annual report recorded', 'time'),
  lastReportDue: label('上次报告截止日', 'Last report due', 'time'),
  signage: label('显著提示标识', 'Prominent signs'),
  purpose: label('用途', 'Purpose'),
  allowedPurposes: label('允许的用途', 'Purposes allowed'),
  // incidents
  incidents: label('安全事件数', 'Incidents', 'count', { 'zh-CN': '起', en: ['incident', 'incidents'] }),
  grades: label('涉及的事件等级', 'Grades concerned'),
  grade: label('事件等级', 'Incident grade'),
  reporterType: label('报告主体类型', 'Reporter type'),
  deadlineHours: label('报告时限', 'Reporting limit', 'hours'),
  discoveredAt: label('发现时间', 'Discovered', 'time'),
  reportedAt: label('报告时间', 'Reported', 'time'),
  hoursToReport: label('发现到报告用时', 'Time to report', 'hours'),
  hoursLate: label('超出时限', 'Late by', 'hours'),
  hoursRemaining: label('剩余时间', 'Time left', 'hours'),
  hoursOverdue: label('已超时', 'Overdue by', 'hours'),
  handlingEndedAt: label('处置结束时间', 'Handling ended', 'time'),
  summaryAt: label('总结提交时间', 'Summary sent', 'time'),
  daysToSummary: label('处置结束到提交总结', 'Time to summary', 'days'),
  closedAt: label('关闭时间', 'Closed', 'time'),
  reviewedAt: label('复盘完成时间', 'Review done', 'time'),
  // the monitor itself
  lockoutThreshold: label('连续登录失败锁定阈值', 'Failed logins before lockout', 'count', { 'zh-CN': '次', en: ['failure', 'failures'] }),
  lockoutMinutes: label('锁定时长', 'Lockout lasts', 'minutes'),
  maxThreshold: label('允许的最高阈值', 'Highest threshold allowed', 'count', { 'zh-CN': '次', en: ['failure', 'failures'] }),
  minMinutes: label('最短锁定时长', 'Shortest lockout allowed', 'minutes'),
  ok: label('审计链完整', 'Audit chain intact', 'yesno'),
  checked: label('已校验的审计记录', 'Audit records verified', 'count', RECORDS),
  firstBrokenId: label('首个断裂的记录', 'First broken record'),
  minChecked: label('至少应校验', 'Records to verify at least', 'count', RECORDS),
  // controls without a check of their own
  assetsInScope: label('适用的资产数', 'Assets in scope', 'count', { 'zh-CN': '个', en: ['asset', 'assets'] }),
  appliesTo: label('适用范围', 'Applies to'),
  validityDays: label('证据有效期', 'Evidence valid for', 'days'),
};

const SPANS: Record<'hours' | 'days' | 'minutes', { 'zh-CN': string; en: [string, string] }> = {
  hours: { 'zh-CN': '小时', en: ['hour', 'hours'] },
  days: { 'zh-CN': '天', en: ['day', 'days'] },
  minutes: { 'zh-CN': '分钟', en: ['minute', 'minutes'] },
};

const WORDS = {
  'zh-CN': { none: '无', yes: '是', no: '否', joiner: '、', level: (n: string) => `${n} 级` },
  en: { none: 'none', yes: 'yes', no: 'no', joiner: ', ', level: (n: string) => `level ${n}` },
} as const;

/** One line of evidence: what it is, what it was, and for instants the instant itself (ISO), so a screen can show it in its reader's zone. */
export interface EvidenceLine {
  key: string;
  label: string;
  value: string;
  at?: string;
}

export interface EvidenceOptions {
  /** IANA zone the report is read in; Beijing time unless told otherwise. */
  timeZone?: string;
}

/** hoursSinceLastEvent → "Hours since last event": a key nobody named yet still reads as words. */
export function humaniseKey(key: string): string {
  const words = key
    .replace(/[_.-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** "2026-12-05 09:30 (UTC+8)": wall-clock time in the (IANA) zone, with the zone's offset named. */
export function formatInstant(iso: string, timeZone = 'Asia/Shanghai'): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
  }).formatToParts(when);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} (${part('timeZoneName').replace(/^GMT(\+0)?/, 'UTC') || 'UTC'})`;
}

function amount(n: number, zh: string, en: [string, string], lang: EvidenceLang): string {
  return lang === 'zh-CN' ? `${n} ${zh}` : `${n} ${n === 1 ? en[0] : en[1]}`;
}

function plain(value: unknown, lang: EvidenceLang): string {
  const w = WORDS[lang];
  if (value === null || value === undefined || value === '') return w.none;
  if (typeof value === 'boolean') return value ? w.yes : w.no;
  if (Array.isArray(value)) return value.length ? value.map((v) => plain(v, lang)).join(w.joiner) : w.none;
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${plain(v, lang)}`)
      .join(w.joiner);
  }
  return String(value);
}

function line(key: string, value: unknown, lang: EvidenceLang, timeZone: string | undefined): EvidenceLine {
  const known = EVIDENCE_LABELS[key];
  const base = { key, label: known ? known[lang] : humaniseKey(key) };
  if (!known || value === null || value === undefined) return { ...base, value: plain(value, lang) };
  if (typeof value === 'number') {
    if (known.kind === 'hours' || known.kind === 'days' || known.kind === 'minutes') {
      const span = SPANS[known.kind];
      return { ...base, value: amount(value, span['zh-CN'], span.en, lang) };
    }
    if (known.kind === 'count' && known.unit) return { ...base, value: amount(value, known.unit['zh-CN'], known.unit.en, lang) };
    if (known.kind === 'percent') return { ...base, value: `${value}%` };
    if (known.kind === 'level') return { ...base, value: WORDS[lang].level(String(value)) };
  }
  if (known.kind === 'time' && typeof value === 'string' && INSTANT.test(value)) return { ...base, value: formatInstant(value, timeZone), at: value };
  return { ...base, value: plain(value, lang) };
}

/** Every entry of the evidence, in its order, in words; keys without a label are humanised, never dropped. */
export function describeEvidence(evidence: Record<string, unknown>, lang: EvidenceLang, options: EvidenceOptions = {}): EvidenceLine[] {
  return Object.entries(evidence).map(([key, value]) => line(key, value, lang, options.timeZone));
}

/** The evidence in both languages, as the API hands it to the console next to the raw map. */
export function evidenceWords(evidence: Record<string, unknown>, options: EvidenceOptions = {}): Record<EvidenceLang, EvidenceLine[]> {
  return { 'zh-CN': describeEvidence(evidence, 'zh-CN', options), en: describeEvidence(evidence, 'en', options) };
}
