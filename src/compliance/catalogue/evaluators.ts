import { REPORTER_TYPES } from '../../incidents/core/index.js';
import { INCIDENT_GRADES, type AssetFacts, type ContactFacts, type FactsSnapshot, type IncidentFacts, type IncidentGrade } from './facts.js';
import { ParamReader } from './params.js';
import { DAY_MS, HOUR_MS, LONGEST_SIX_MONTHS_DAYS, beijingYear, daysBetween, hours, instant, monthsBefore } from './time.js';

/**
 * The automatic checks a control can name. Each is a pure function of a facts snapshot and its
 * parameters and yields one result per subject (asset, incident, or the organisation/monitor), with
 * the numbers behind the verdict as evidence and a message in both languages.
 */

export type Localised = { 'zh-CN': string; en: string };
/** Asset types that are devices of a system rather than systems (see asset_has_owner_contact_and_mlps). */
const DEVICE_TYPES: ReadonlySet<string> = new Set(['camera', 'iot_sensor', 'iot_gateway', 'network_device', 'workstation']);

export type CheckStatus = 'pass' | 'fail' | 'not_applicable' | 'needs_attestation';
export interface Subject {
  type: 'asset' | 'organisation' | 'incident';
  id: string;
  name: string;
}
export type EvidenceValue = string | number | boolean | null | string[];
export interface CheckResult {
  subject: Subject;
  status: CheckStatus;
  evidence: Record<string, EvidenceValue>;
  message: Localised;
}
type Verdict = Omit<CheckResult, 'subject'>;

/**
 * `asset` evaluators run once per asset the control's selector picks; `single` ones run once for the
 * subject of a `monitor` or `organisation` control (incident checks are `single`: every incident
 * belongs to the organisation, and each yields its own result).
 */
export type EvaluatorScope = 'asset' | 'single';

export interface Evaluator {
  readonly name: string;
  readonly scope: EvaluatorScope;
  /** Validates a control's params and fills in defaults; errors name the offending key. */
  readParams(raw: Readonly<Record<string, unknown>>): { params: Record<string, unknown>; errors: string[] };
  run(facts: FactsSnapshot, params: Readonly<Record<string, unknown>>, target: { assets: readonly AssetFacts[]; subject: Subject }): CheckResult[];
}

const msg = (zh: string, en: string): Localised => ({ 'zh-CN': zh, en });

/** A silence of days reads in days: "8659.8 小时" asks the reader to do the sum. */
function quietFor(hoursQuiet: number): Localised {
  if (hoursQuiet < 48) return msg(` ${hoursQuiet} 小时`, `${hoursQuiet} h`);
  const days = Math.floor(hoursQuiet / 24);
  return msg(` ${days} 天`, `${days} days`);
}

function readWith<P extends object>(read: (r: ParamReader) => P): Evaluator['readParams'] {
  return (raw) => {
    const r = new ParamReader(raw);
    const params = read(r);
    const errors = [...r.errors, ...r.unknownKeys().map((k) => `${k}: unknown parameter`)];
    return { params: params as Record<string, unknown>, errors };
  };
}

// The casts from the stored params back to P below are sound: `run` only ever receives what this
// evaluator's own `readParams` produced (the catalogue refuses controls whose params had errors).
function assetEvaluator<P extends object>(name: string, read: (r: ParamReader) => P, check: (asset: AssetFacts, facts: FactsSnapshot, p: P) => Verdict): Evaluator {
  return {
    name,
    scope: 'asset',
    readParams: readWith(read),
    run: (facts, params, { assets }) => assets.map((a) => ({ subject: assetSubject(a), ...check(a, facts, params as P) })),
  };
}

function singleEvaluator<P extends object>(name: string, read: (r: ParamReader) => P, check: (facts: FactsSnapshot, p: P, subject: Subject) => Verdict | CheckResult[]): Evaluator {
  return {
    name,
    scope: 'single',
    readParams: readWith(read),
    run: (facts, params, { subject }) => {
      const out = check(facts, params as P, subject);
      return Array.isArray(out) ? out : [{ subject, ...out }];
    },
  };
}

const noParams = () => ({});

export function assetSubject(a: AssetFacts): Subject {
  return { type: 'asset', id: a.id, name: a.name };
}

const blank = (s: string | null | undefined) => s === null || s === undefined || s.trim() === '';
const reachable = (c: ContactFacts | null) => c !== null && !blank(c.name) && (!blank(c.email) || !blank(c.phone));
const daysSince = (date: string | null | undefined, facts: FactsSnapshot) => (blank(date) ? null : daysBetween(date!, facts.now));
const foreign = (facts: FactsSnapshot, assetId: string) => facts.events.foreignConnectionsByAsset[assetId] ?? { count: 0, examples: [] };

// ── monitor settings and stored events ───────────────────────────────────────────────────────

const retentionConfigured = singleEvaluator(
  'retention_configured',
  (r) => ({ minDays: r.int('min_days', { min: 1, max: 3650, default: LONGEST_SIX_MONTHS_DAYS }) }),
  (facts, p) => {
    const days = facts.settings.retentionDays;
    const evidence = { retentionDays: days, minDays: p.minDays };
    return days >= p.minDays
      ? { status: 'pass', evidence, message: msg(`事件保留 ${days} 天，不少于 ${p.minDays} 天。`, `Events are kept ${days} days, at least ${p.minDays}.`) }
      : { status: 'fail', evidence, message: msg(`事件只保留 ${days} 天，少于要求的 ${p.minDays} 天。`, `Events are kept only ${days} days, fewer than the required ${p.minDays}.`) };
  },
);

const oldestEventAge = singleEvaluator(
  'oldest_event_age',
  (r) => ({ minMonths: r.int('min_months', { min: 1, max: 120, default: 6 }), toleranceDays: r.int('tolerance_days', { min: 0, max: 30, default: 1 }) }),
  (facts, p) => {
    // Months are calendar months counted back from the audit day, not a fixed number of days.
    const monthsDays = daysBetween(monthsBefore(facts.now, p.minMonths), facts.now);
    // A monitor installed last month cannot hold six months of history; it must hold all of it.
    const installedDaysAgo = daysSince(facts.monitorInstalledAt, facts);
    const requiredDays = installedDaysAgo === null ? monthsDays : Math.min(monthsDays, installedDaysAgo);
    const oldestEventAgeDays = daysSince(facts.events.oldestEventAt, facts);
    const evidence = { oldestEventAt: facts.events.oldestEventAt, oldestEventAgeDays, requiredDays, installedDaysAgo };
    if (oldestEventAgeDays === null) return { status: 'fail', evidence, message: msg('事件库中没有任何事件。', 'The event store holds no events.') };
    return oldestEventAgeDays >= requiredDays - p.toleranceDays
      ? { status: 'pass', evidence, message: msg(`最早事件距今 ${oldestEventAgeDays} 天，满足 ${requiredDays} 天。`, `The oldest event is ${oldestEventAgeDays} days old; ${requiredDays} required.`) }
      : {
          status: 'fail',
          evidence,
          message: msg(`最早事件距今仅 ${oldestEventAgeDays} 天，应有 ${requiredDays} 天的日志。`, `The oldest event is only ${oldestEventAgeDays} days old; ${requiredDays} days of logs are required.`),
        };
  },
);

const logCoverage = assetEvaluator(
  'log_coverage_24h',
  (r) => ({ windowHours: r.int('window_hours', { min: 1, max: 720, default: 24 }) }),
  (asset, facts, p) => {
    const lastEventAt = facts.events.lastEventAtByAsset[asset.id] ?? null;
    if (asset.lifecycle === 'planned')
      return { status: 'not_applicable', evidence: { lastEventAt, lifecycle: asset.lifecycle }, message: msg('系统尚未上线。', 'The system is not in operation yet.') };
    const hoursSinceLastEvent = lastEventAt === null ? null : hours(instant(facts.now) - instant(lastEventAt));
    const evidence = { lastEventAt, hoursSinceLastEvent, windowHours: p.windowHours };
    if (hoursSinceLastEvent === null) return { status: 'fail', evidence, message: msg('从未收到该系统的日志。', 'No log has ever arrived from this system.') };
    return hoursSinceLastEvent <= p.windowHours
      ? { status: 'pass', evidence, message: msg(`${hoursSinceLastEvent} 小时前收到最近一条日志。`, `Last log arrived ${hoursSinceLastEvent} h ago.`) }
      : {
          status: 'fail',
          evidence,
          message: msg(`已有${quietFor(hoursSinceLastEvent)['zh-CN']}未收到日志（上限 ${p.windowHours} 小时）。`, `No log for ${quietFor(hoursSinceLastEvent).en} (limit ${p.windowHours} h).`),
        };
  },
);

const logsRecognised = assetEvaluator(
  'logs_recognised',
  (r) => ({ minLines: r.int('min_lines', { min: 1, max: 100_000_000, default: 100 }), maxUnrecognisedPercent: r.int('max_unrecognised_percent', { min: 1, max: 100, default: 50 }) }),
  (asset, facts, p) => {
    const seen = facts.events.linesByAsset?.[asset.id] ?? { lines: 0, unrecognised: 0 };
    const unrecognisedPercent = seen.lines ? Math.round((seen.unrecognised * 1000) / seen.lines) / 10 : 0;
    const evidence = { lines: seen.lines, unrecognised: seen.unrecognised, unrecognisedPercent, minLines: p.minLines, maxUnrecognisedPercent: p.maxUnrecognisedPercent };
    if (seen.lines < p.minLines)
      return { status: 'not_applicable', evidence, message: msg(`最近 24 小时日志不足 ${p.minLines} 行，不作判断。`, `Fewer than ${p.minLines} log lines in the last 24 hours; not judged.`) };
    return unrecognisedPercent >= p.maxUnrecognisedPercent
      ? {
          status: 'fail',
          evidence,
          message: msg(
            `最近 24 小时 ${seen.lines} 行日志中 ${unrecognisedPercent}% 无法解析为已知动作，该系统处于监测盲区。`,
            `${unrecognisedPercent}% of its ${seen.lines} log lines in the last 24 hours parse to no known action: the monitor cannot read this system.`,
          ),
        }
      : { status: 'pass', evidence, message: msg(`最近 24 小时 ${seen.lines} 行日志中 ${unrecognisedPercent}% 未能识别。`, `${unrecognisedPercent}% of ${seen.lines} log lines in the last 24 hours unrecognised.`) };
  },
);

// ── asset registry ───────────────────────────────────────────────────────────────────────────

/** How the registration fields a finding can name read to the people who fill them in on the asset form. */
const REGISTRATION_FIELD_NAMES: Readonly<Record<string, Localised>> = {
  department: msg('责任部门', 'responsible department'),
  contact: msg('联系人', 'contact'),
  securityContact: msg('安全负责人', 'security contact'),
  'mlps.level': msg('网络安全等级保护级别', 'MLPS level'),
};

const ownerContactMlps = assetEvaluator(
  'asset_has_owner_contact_and_mlps',
  (r) => ({ requireSecurityContact: r.bool('require_security_contact', true) }),
  (asset, _facts, p) => {
    // MLPS levels and the people answerable for them belong to systems; a camera, sensor, switch or
    // desktop inherits those of the system it serves, so it is not judged on its own.
    if (DEVICE_TYPES.has(asset.type)) {
      return { status: 'not_applicable', evidence: { type: asset.type }, message: msg('设备沿用其所属系统的等级保护级别和责任人，不单独判断。', 'A device inherits the MLPS level and responsible people of its system; it is not judged on its own.') };
    }
    const missing: string[] = [];
    if (blank(asset.department)) missing.push('department');
    if (!reachable(asset.contact)) missing.push('contact');
    if (p.requireSecurityContact && !reachable(asset.securityContact)) missing.push('securityContact');
    if (asset.mlps === null) missing.push('mlps.level');
    const evidence = { missing, missingCount: missing.length };
    return missing.length === 0
      ? { status: 'pass', evidence, message: msg('责任部门、联系人和等级保护级别均已登记。', 'Owner, contacts and MLPS level are registered.') }
      : {
          status: 'fail',
          evidence,
          message: msg(`登记信息缺少：${missing.map((f) => REGISTRATION_FIELD_NAMES[f]['zh-CN']).join('、')}。`, `Registration lacks: ${missing.map((f) => REGISTRATION_FIELD_NAMES[f].en).join(', ')}.`),
        };
  },
);

const dataClassified = assetEvaluator('data_classified', noParams, (asset) => {
  const evidence = { categoryCount: asset.data.categories.length, level: asset.data.level, personal: asset.data.personal };
  return asset.data.categories.length > 0
    ? { status: 'pass', evidence, message: msg(`已声明 ${asset.data.categories.length} 类数据及其级别。`, `${asset.data.categories.length} data categories and their level are declared.`) }
    : { status: 'fail', evidence, message: msg('未声明该系统持有的数据类别。', 'The data categories this system holds are not declared.') };
});

const ciiDesignationRecorded = assetEvaluator('cii_designation_recorded', noParams, (asset) => {
  const designationRef = asset.cii.designationRef ?? null;
  return blank(designationRef)
    ? { status: 'fail', evidence: { designationRef: null }, message: msg('未登记关键信息基础设施认定通知的文号。', 'The CII designation notice reference is not recorded.') }
    : { status: 'pass', evidence: { designationRef }, message: msg(`认定文号：${designationRef}。`, `Designation reference: ${designationRef}.`) };
});

// ── MLPS filing and periodic assessments ─────────────────────────────────────────────────────

const mlpsFiled = assetEvaluator(
  'mlps_filed_within_30_days',
  (r) => ({ withinDays: r.int('within_days', { min: 1, max: 365, default: 30 }) }),
  (asset, facts, p) => {
    const level = asset.mlps?.level ?? null;
    const filingNumber = asset.mlps?.filingNumber ?? null;
    const filingDate = asset.mlps?.filingDate ?? null;
    // A new system is filed after go-live, a running one after grading: the later date starts the clock.
    const starts = [asset.gradedDate, asset.goLiveDate].filter((d): d is string => !blank(d)).sort((a, b) => instant(a) - instant(b));
    const deadlineStart = starts.at(-1) ?? null;
    const base = { mlpsLevel: level, filingNumber, filingDate, deadlineStart, withinDays: p.withinDays };
    if (level === null || level < 2) return { status: 'not_applicable', evidence: base, message: msg('二级以下系统无需备案。', 'Systems below level 2 need no filing.') };
    if (!blank(filingNumber)) {
      if (deadlineStart === null || blank(filingDate))
        return {
          status: 'pass',
          evidence: { ...base, daysToFile: null },
          message: msg(`已备案（${filingNumber}），但缺少定级/上线或备案日期，无法核对时限。`, `Filed (${filingNumber}); without grading/go-live or filing dates the timing cannot be checked.`),
        };
      const daysToFile = daysBetween(deadlineStart, filingDate!);
      const evidence = { ...base, daysToFile, daysLate: Math.max(0, daysToFile - p.withinDays) };
      return daysToFile <= p.withinDays
        ? { status: 'pass', evidence, message: msg(`在 ${daysToFile} 天内完成备案。`, `Filed within ${daysToFile} days.`) }
        : { status: 'fail', evidence, message: msg(`备案用了 ${daysToFile} 天，超过 ${p.withinDays} 天时限。`, `Filing took ${daysToFile} days, beyond the ${p.withinDays}-day limit.`) };
    }
    if (asset.lifecycle === 'planned' && blank(asset.goLiveDate))
      return { status: 'not_applicable', evidence: base, message: msg('系统尚未上线，备案时限未开始计算。', 'Not in operation yet; the filing period has not started.') };
    if (deadlineStart === null)
      return { status: 'fail', evidence: base, message: msg(`${level} 级系统未备案，且未登记定级或上线日期。`, `Level ${level} system not filed, and no grading or go-live date recorded.`) };
    const elapsed = daysBetween(deadlineStart, facts.now);
    if (elapsed <= p.withinDays)
      return {
        status: 'pass',
        evidence: { ...base, daysRemaining: p.withinDays - elapsed },
        message: msg(`尚未备案，距时限还有 ${p.withinDays - elapsed} 天。`, `Not filed yet; ${p.withinDays - elapsed} days left.`),
      };
    return {
      status: 'fail',
      evidence: { ...base, daysOverdue: elapsed - p.withinDays },
      message: msg(`${level} 级系统未备案，已超期 ${elapsed - p.withinDays} 天。`, `Level ${level} system not filed, ${elapsed - p.withinDays} days overdue.`),
    };
  },
);

const ASSESSMENTS = ['mlps_testing', 'cii_risk', 'important_data_risk'] as const;
const MLPS_LEVELS = ['1', '2', '3', '4', '5'] as const;
const ASSESSMENT_NAMES: Record<(typeof ASSESSMENTS)[number], Localised> = {
  mlps_testing: msg('等级测评', 'MLPS testing'),
  cii_risk: msg('关键信息基础设施检测评估', 'CII security testing and risk assessment'),
  important_data_risk: msg('重要数据风险评估', 'important-data risk assessment'),
};

const assessmentWithinPeriod = assetEvaluator(
  'assessment_within_period',
  (r) => {
    const assessment = r.oneOf('assessment', ASSESSMENTS);
    const periodDays = r.optionalInt('period_days', { min: 1, max: 3650 });
    const byLevel = r.intTable('period_days_by_mlps_level', MLPS_LEVELS, { min: 1, max: 3650, complete: false, optional: true });
    if (periodDays === undefined && byLevel === undefined) r.fail('period_days or period_days_by_mlps_level: give at least one');
    return { assessment, periodDays, byLevel: byLevel ?? {} };
  },
  (asset, facts, p) => {
    const level = asset.mlps?.level ?? null;
    const periodDays = (level === null ? undefined : p.byLevel[String(level) as (typeof MLPS_LEVELS)[number]]) ?? p.periodDays ?? null;
    const lastAssessmentDate =
      (p.assessment === 'mlps_testing' ? asset.mlps?.lastAssessmentDate : p.assessment === 'cii_risk' ? asset.riskAssessments?.cii : asset.riskAssessments?.importantData) ?? null;
    const name = ASSESSMENT_NAMES[p.assessment];
    const base = { assessment: p.assessment, mlpsLevel: level, lastAssessmentDate, periodDays };
    if (periodDays === null)
      return { status: 'not_applicable', evidence: base, message: msg(`未为 ${level ?? '无'} 级系统设定${name['zh-CN']}周期。`, `No ${name.en} period is set for level ${level ?? 'none'}.`) };
    const daysSinceAssessment = daysSince(lastAssessmentDate, facts);
    if (daysSinceAssessment === null) return { status: 'fail', evidence: { ...base, daysSinceAssessment }, message: msg(`没有${name['zh-CN']}记录。`, `No ${name.en} on record.`) };
    const evidence = { ...base, daysSinceAssessment, daysOverdue: Math.max(0, daysSinceAssessment - periodDays) };
    return daysSinceAssessment <= periodDays
      ? { status: 'pass', evidence, message: msg(`${daysSinceAssessment} 天前完成${name['zh-CN']}（周期 ${periodDays} 天）。`, `Last ${name.en} ${daysSinceAssessment} days ago (period ${periodDays}).`) }
      : {
          status: 'fail',
          evidence,
          message: msg(`${name['zh-CN']}已超期 ${daysSinceAssessment - periodDays} 天。`, `The ${name.en} is ${daysSinceAssessment - periodDays} days overdue.`),
        };
  },
);

// ── CII, important data, personal information ────────────────────────────────────────────────

const ciiEmergencyPlan = assetEvaluator(
  'cii_emergency_plan',
  (r) => ({ reviewWithinDays: r.int('review_within_days', { min: 1, max: 3650, default: 365 }), drillWithinDays: r.int('drill_within_days', { min: 1, max: 3650, default: 365 }) }),
  (asset, facts, p) => {
    const plan = asset.emergencyPlan;
    const daysSinceReview = daysSince(plan?.reviewedAt, facts);
    const daysSinceDrill = daysSince(plan?.drilledAt, facts);
    const problems: string[] = [];
    if (plan === undefined) problems.push('no_plan');
    else {
      if (daysSinceReview === null || daysSinceReview > p.reviewWithinDays) problems.push('review_stale');
      if (daysSinceDrill === null || daysSinceDrill > p.drillWithinDays) problems.push('drill_stale');
    }
    const evidence = { planVersion: plan?.version ?? null, daysSinceReview, daysSinceDrill, reviewWithinDays: p.reviewWithinDays, drillWithinDays: p.drillWithinDays, problems };
    if (problems.length === 0) return { status: 'pass', evidence, message: msg('应急预案在期内评审并演练。', 'The emergency plan was reviewed and drilled in time.') };
    if (plan === undefined) return { status: 'fail', evidence, message: msg('没有登记应急预案。', 'No emergency plan is recorded.') };
    return {
      status: 'fail',
      evidence,
      message: msg(
        `应急预案${problems.includes('review_stale') ? `未在 ${p.reviewWithinDays} 天内评审` : ''}${problems.length === 2 ? '，且' : ''}${problems.includes('drill_stale') ? `未在 ${p.drillWithinDays} 天内演练` : ''}。`,
        `Emergency plan ${[problems.includes('review_stale') ? `not reviewed within ${p.reviewWithinDays} days` : '', problems.includes('drill_stale') ? `not drilled within ${p.drillWithinDays} days` : ''].filter(Boolean).join(' and ')}.`,
      ),
    };
  },
);

const importantDataLead = assetEvaluator(
  'important_data_security_lead',
  (r) => ({ requireManagement: r.bool('require_management', true) }),
  (asset, _facts, p) => {
    const lead = asset.dataSecurityLead;
    const evidence = { lead: lead?.name ?? null, fromManagement: lead?.fromManagement ?? null };
    if (lead === undefined || blank(lead.name)) return { status: 'fail', evidence, message: msg('未指定数据安全负责人。', 'No data-security lead is named.') };
    if (p.requireManagement && lead.fromManagement !== true)
      return { status: 'fail', evidence, message: msg(`数据安全负责人 ${lead.name} 未登记为管理层成员。`, `Data-security lead ${lead.name} is not recorded as a member of management.`) };
    return { status: 'pass', evidence, message: msg(`数据安全负责人：${lead.name}。`, `Data-security lead: ${lead.name}.`) };
  },
);

const maskingAndPia = assetEvaluator(
  'personal_data_masking_and_pia',
  (r) => {
    const p = { requireMasking: r.bool('require_masking', true), requirePia: r.bool('require_pia', true) };
    if (!p.requireMasking && !p.requirePia) r.fail('require_masking, require_pia: at least one must be true');
    return p;
  },
  (asset, _facts, p) => {
    const missing: string[] = [];
    if (p.requireMasking && asset.maskingEnabled !== true) missing.push('masking');
    if (p.requirePia && blank(asset.piaReference)) missing.push('pia');
    const evidence = { maskingEnabled: asset.maskingEnabled ?? null, piaReference: asset.piaReference ?? null, missing };
    return missing.length === 0
      ? { status: 'pass', evidence, message: msg('已启用去标识化并完成个人信息保护影响评估。', 'De-identification is on and a PI impact assessment is on file.') }
      : {
          status: 'fail',
          evidence,
          message: msg(
            [missing.includes('masking') ? '未启用去标识化' : '', missing.includes('pia') ? '没有个人信息保护影响评估' : ''].filter(Boolean).join('，') + '。',
            [missing.includes('masking') ? 'de-identification is off' : '', missing.includes('pia') ? 'no PI impact assessment on file' : ''].filter(Boolean).join('; ') + '.',
          ),
        };
  },
);

const foreignConnections = assetEvaluator(
  'foreign_connections',
  (r) => ({
    maxConnections: r.int('max_connections', { min: 0, max: 1_000_000, default: 0 }),
    maxExamples: r.int('max_examples', { min: 1, max: 50, default: 5 }),
    allowWithAssessment: r.bool('allow_with_assessment', true),
  }),
  (asset, facts, p) => {
    const seen = foreign(facts, asset.id);
    const exportAssessmentRef = asset.exportAssessmentRef ?? null;
    const evidence = { connections: seen.count, examples: seen.examples.slice(0, p.maxExamples), storageLocation: asset.storageLocation, exportAssessmentRef };
    const abroad = asset.storageLocation === 'abroad';
    if (!abroad && seen.count <= p.maxConnections)
      return { status: 'pass', evidence, message: msg('数据存储在境内，未见境外连接。', 'Data is stored in China and no connections abroad were seen.') };
    const what = msg(
      [abroad ? '数据存储在境外' : '', seen.count > 0 ? `有 ${seen.count} 次境外连接` : ''].filter(Boolean).join('，'),
      [abroad ? 'data is stored abroad' : '', seen.count > 0 ? `${seen.count} connections abroad` : ''].filter(Boolean).join('; '),
    );
    // An export assessment can make a flow lawful, but only a person can tell whether it covers these flows.
    if (p.allowWithAssessment && !blank(exportAssessmentRef))
      return { status: 'needs_attestation', evidence, message: msg(`${what['zh-CN']}；请确认出境评估 ${exportAssessmentRef} 覆盖这些数据流。`, `${what.en}; confirm that export assessment ${exportAssessmentRef} covers them.`) };
    return { status: 'fail', evidence, message: msg(`${what['zh-CN']}，且无出境安全评估。`, `${what.en}, with no export assessment on file.`) };
  },
);

const unregisteredAssets = singleEvaluator(
  'unregistered_assets',
  (r) => ({ minEvents: r.int('min_events', { min: 1, max: 1_000_000, default: 1 }), maxExamples: r.int('max_examples', { min: 1, max: 100, default: 10 }) }),
  (facts, p) => {
    const hosts = facts.unregisteredHosts
      .filter((h) => h.eventCount >= p.minEvents)
      .sort((a, b) => b.eventCount - a.eventCount || (a.address < b.address ? -1 : 1));
    const evidence = { count: hosts.length, events: hosts.reduce((n, h) => n + h.eventCount, 0), examples: hosts.slice(0, p.maxExamples).map((h) => h.address) };
    return hosts.length === 0
      ? { status: 'pass', evidence, message: msg('日志中出现的主机均已登记。', 'Every host seen in the logs is registered.') }
      : { status: 'fail', evidence, message: msg(`日志中有 ${hosts.length} 台主机未登记为资产。`, `${hosts.length} hosts seen in the logs are not registered as assets.`) };
  },
);

// ── incidents ────────────────────────────────────────────────────────────────────────────────

/** Who reports: a CII operator when CII is involved, else the organisation's own kind. */
const ORGANISATION_REPORTERS = ['central_organ', 'other_operator'] as const;
const REPORTABLE: readonly IncidentGrade[] = ['I', 'II', 'III'];

const incidentSubject = (i: IncidentFacts): Subject => ({ type: 'incident', id: i.id, name: i.title ?? i.id });

/** Incident checks: one result per incident of the given grades, or one n/a when there are none. */
function perIncident(facts: FactsSnapshot, subject: Subject, grades: readonly IncidentGrade[], check: (i: IncidentFacts) => Verdict): CheckResult[] {
  const relevant = facts.incidents.filter((i) => grades.includes(i.grade));
  if (relevant.length === 0)
    return [{ subject, status: 'not_applicable', evidence: { incidents: 0, grades: [...grades] }, message: msg('没有相关等级的事件。', 'No incidents of the grades concerned.') }];
  return relevant.map((i) => ({ subject: incidentSubject(i), ...check(i) }));
}

const incidentReportedInTime = singleEvaluator(
  'incident_reported_in_time',
  (r) => ({
    // `complete` refuses a table missing any reporter type, so a loaded control has them all.
    deadlineHours: r.intTable('deadline_hours', REPORTER_TYPES, { min: 1, max: 720, complete: true }) as Record<(typeof REPORTER_TYPES)[number], number>,
    // `settings`: the organisation's type as configured (TAISHI_ORGANISATION_TYPE), the usual case.
    reporter: r.oneOf('reporter', ['settings', ...ORGANISATION_REPORTERS] as const, 'settings'),
    grades: r.list('grades', REPORTABLE, INCIDENT_GRADES),
  }),
  (facts, p, subject) => {
    const cii = new Set(facts.assets.filter((a) => a.cii.designated).map((a) => a.id));
    const now = instant(facts.now);
    return perIncident(facts, subject, p.grades, (i) => {
      const organisation = p.reporter === 'settings' ? (facts.settings.organisationType ?? 'other_operator') : p.reporter;
      const reporterType = i.assetIds?.some((id) => cii.has(id)) ? 'cii_operator' : organisation;
      const deadlineHours = p.deadlineHours[reporterType];
      const deadline = instant(i.discoveredAt) + deadlineHours * HOUR_MS;
      const base = { grade: i.grade, reporterType, deadlineHours, discoveredAt: i.discoveredAt, reportedAt: i.reportedAt ?? null };
      if (i.reportedAt !== undefined) {
        const hoursToReport = hours(instant(i.reportedAt) - instant(i.discoveredAt));
        const evidence = { ...base, hoursToReport, hoursLate: Math.max(0, hours(instant(i.reportedAt) - deadline)) };
        return instant(i.reportedAt) <= deadline
          ? { status: 'pass', evidence, message: msg(`发现后 ${hoursToReport} 小时内报告（时限 ${deadlineHours} 小时）。`, `Reported ${hoursToReport} h after discovery (limit ${deadlineHours} h).`) }
          : { status: 'fail', evidence, message: msg(`发现后 ${hoursToReport} 小时才报告，超过 ${deadlineHours} 小时时限。`, `Reported ${hoursToReport} h after discovery, beyond the ${deadlineHours}-h limit.`) };
      }
      if (now <= deadline)
        return {
          status: 'pass',
          evidence: { ...base, hoursRemaining: hours(deadline - now) },
          message: msg(`尚未报告，距时限还有 ${hours(deadline - now)} 小时。`, `Not reported yet; ${hours(deadline - now)} h left.`),
        };
      return {
        status: 'fail',
        evidence: { ...base, hoursOverdue: hours(now - deadline) },
        message: msg(`未报告，已超过时限 ${hours(now - deadline)} 小时。`, `Not reported, ${hours(now - deadline)} h past the deadline.`),
      };
    });
  },
);

const summaryWithin30Days = singleEvaluator(
  'summary_within_30_days',
  (r) => ({ withinDays: r.int('within_days', { min: 1, max: 365, default: 30 }), grades: r.list('grades', REPORTABLE, INCIDENT_GRADES) }),
  (facts, p, subject) =>
    perIncident(facts, subject, p.grades, (i) => {
      // Art. 8: thirty days after handling ends, not after the ticket is closed.
      const handlingEndedAt = i.handlingEndedAt;
      const base = { grade: i.grade, handlingEndedAt: handlingEndedAt ?? null, summaryAt: i.summaryAt ?? null, withinDays: p.withinDays };
      if (handlingEndedAt === undefined) return { status: 'not_applicable', evidence: base, message: msg('事件仍在处置中。', 'The incident is still being handled.') };
      if (i.summaryAt !== undefined) {
        const daysToSummary = daysBetween(handlingEndedAt, i.summaryAt);
        const evidence = { ...base, daysToSummary };
        return daysToSummary <= p.withinDays
          ? { status: 'pass', evidence, message: msg(`处置结束后 ${daysToSummary} 天提交总结。`, `Summary sent ${daysToSummary} days after handling ended.`) }
          : { status: 'fail', evidence, message: msg(`总结在处置结束 ${daysToSummary} 天后才提交。`, `Summary sent only ${daysToSummary} days after handling ended.`) };
      }
      const elapsed = daysBetween(handlingEndedAt, facts.now);
      return elapsed <= p.withinDays
        ? { status: 'pass', evidence: { ...base, daysRemaining: p.withinDays - elapsed }, message: msg(`总结尚未提交，还有 ${p.withinDays - elapsed} 天。`, `Summary not sent yet; ${p.withinDays - elapsed} days left.`) }
        : { status: 'fail', evidence: { ...base, daysOverdue: elapsed - p.withinDays }, message: msg(`总结已超期 ${elapsed - p.withinDays} 天。`, `Summary ${elapsed - p.withinDays} days overdue.`) };
    }),
);

const closedIncidentsReviewed = singleEvaluator(
  'closed_incidents_reviewed',
  (r) => ({ grades: r.list('grades', INCIDENT_GRADES, INCIDENT_GRADES) }),
  (facts, p, subject) =>
    perIncident(facts, subject, p.grades, (i) => {
      const evidence = { grade: i.grade, closedAt: i.closedAt ?? null, reviewedAt: i.review?.completedAt ?? null };
      if (i.closedAt === undefined) return { status: 'not_applicable', evidence, message: msg('事件尚未关闭。', 'The incident is not closed.') };
      return i.review !== undefined
        ? { status: 'pass', evidence, message: msg('已完成事后复盘。', 'Post-incident review done.') }
        : { status: 'fail', evidence, message: msg('事件已关闭但没有事后复盘。', 'Closed without a post-incident review.') };
    }),
);

// ── the monitor itself ───────────────────────────────────────────────────────────────────────

const lockoutConfigured = singleEvaluator(
  'monitor_lockout_configured',
  (r) => ({ maxThreshold: r.int('max_threshold', { min: 1, max: 100 }), minMinutes: r.int('min_minutes', { min: 1, max: 1440 }) }),
  (facts, p) => {
    const { lockoutThreshold, lockoutMinutes } = facts.settings;
    const evidence = { lockoutThreshold, lockoutMinutes, maxThreshold: p.maxThreshold, minMinutes: p.minMinutes };
    // A threshold of 0 means lockout is off.
    return lockoutThreshold >= 1 && lockoutThreshold <= p.maxThreshold && lockoutMinutes >= p.minMinutes
      ? { status: 'pass', evidence, message: msg(`连续 ${lockoutThreshold} 次登录失败锁定 ${lockoutMinutes} 分钟。`, `${lockoutThreshold} failed logins lock the account for ${lockoutMinutes} min.`) }
      : {
          status: 'fail',
          evidence,
          message: msg(
            `登录失败处理不足：阈值 ${lockoutThreshold}（应为 1–${p.maxThreshold}），锁定 ${lockoutMinutes} 分钟（应至少 ${p.minMinutes}）。`,
            `Login-failure handling too weak: threshold ${lockoutThreshold} (need 1–${p.maxThreshold}), lockout ${lockoutMinutes} min (need ≥ ${p.minMinutes}).`,
          ),
        };
  },
);

const auditChainIntact = singleEvaluator(
  'audit_chain_intact',
  (r) => ({ minChecked: r.int('min_checked', { min: 0, max: 1_000_000_000, default: 1 }) }),
  (facts, p) => {
    const { ok, checked } = facts.auditChain;
    const evidence = { ok, checked, firstBrokenId: facts.auditChain.firstBrokenId ?? null, minChecked: p.minChecked };
    if (!ok) return { status: 'fail', evidence, message: msg(`审计链在记录 ${evidence.firstBrokenId ?? '?'} 处断裂。`, `The audit chain breaks at record ${evidence.firstBrokenId ?? '?'}.`) };
    if (checked < p.minChecked) return { status: 'fail', evidence, message: msg(`只校验了 ${checked} 条审计记录。`, `Only ${checked} audit records were verified.`) };
    return { status: 'pass', evidence, message: msg(`${checked} 条审计记录的哈希链完整。`, `The hash chain over ${checked} audit records is intact.`) };
  },
);

// ── automotive data and public cameras ───────────────────────────────────────────────────────

const automotive = assetEvaluator(
  'automotive_data_in_china_and_anonymised',
  (r) => {
    const p = {
      reportDueMonth: r.int('report_due_month', { min: 1, max: 12, default: 12 }),
      reportDueDay: r.int('report_due_day', { min: 1, max: 31, default: 15 }),
      maxConnections: r.int('max_connections', { min: 0, max: 1_000_000, default: 0 }),
    };
    // checked in a non-leap year so that the due date exists every year
    if (new Date(Date.UTC(2001, p.reportDueMonth - 1, p.reportDueDay)).getUTCDate() !== p.reportDueDay) r.fail('report_due_day: not a day of report_due_month');
    return p;
  },
  (asset, facts, p) => {
    const dueDate = (year: number) => `${year}-${String(p.reportDueMonth).padStart(2, '0')}-${String(p.reportDueDay).padStart(2, '0')}`;
    // "By the due date" includes the whole Beijing day.
    const dueEnd = (year: number) => instant(dueDate(year)) + DAY_MS;
    const now = instant(facts.now);
    const year = beijingYear(now);
    const lastDueYear = now >= dueEnd(year) ? year : year - 1;
    const reportAt = asset.automotive?.annualReportRecordedAt;
    const problems: string[] = [];
    if (asset.storageLocation === 'abroad') problems.push('stored_abroad');
    const seen = foreign(facts, asset.id);
    if (seen.count > p.maxConnections) problems.push('foreign_connections');
    if (asset.automotive?.anonymisationRecorded !== true) problems.push('anonymisation_not_recorded');
    // Only the latest report's date is known: one made after the previous due date is either the
    // report that was due last or this year's report made early, and both are in order.
    if (reportAt === undefined || instant(reportAt) < dueEnd(lastDueYear - 1)) problems.push('annual_report_missing');
    const evidence = {
      storageLocation: asset.storageLocation,
      foreignConnections: seen.count,
      anonymisationRecorded: asset.automotive?.anonymisationRecorded ?? false,
      annualReportRecordedAt: reportAt ?? null,
      lastReportDue: dueDate(lastDueYear),
      problems,
    };
    const zh: Record<string, string> = {
      stored_abroad: '数据存储在境外',
      foreign_connections: `有 ${seen.count} 次境外连接`,
      anonymisation_not_recorded: '未记录车外人员信息的匿名化处理',
      annual_report_missing: `缺少 ${dueDate(lastDueYear)} 前应报送的年度报告`,
    };
    const en: Record<string, string> = {
      stored_abroad: 'data stored abroad',
      foreign_connections: `${seen.count} connections abroad`,
      anonymisation_not_recorded: 'anonymisation of people outside vehicles not recorded',
      annual_report_missing: `no annual report by ${dueDate(lastDueYear)}`,
    };
    return problems.length === 0
      ? { status: 'pass', evidence, message: msg('汽车数据境内存储、已匿名化，年度报告已报送。', 'Automotive data stays in China, is anonymised, and the annual report is in.') }
      : { status: 'fail', evidence, message: msg(problems.map((k) => zh[k]).join('；') + '。', problems.map((k) => en[k]).join('; ') + '.') };
  },
);

const publicCameras = assetEvaluator(
  'public_cameras_signage_and_purpose',
  (r) => ({ allowedPurposes: r.list<string>('allowed_purposes', ['public_security']) }),
  (asset, _facts, p) => {
    const signage = asset.camera?.signage ?? null;
    const purpose = asset.camera?.purpose ?? null;
    const problems: string[] = [];
    if (signage !== true) problems.push('signage');
    if (purpose === null || !p.allowedPurposes.includes(purpose)) problems.push('purpose');
    const evidence = { signage, purpose, allowedPurposes: p.allowedPurposes, problems };
    return problems.length === 0
      ? { status: 'pass', evidence, message: msg('已设置显著提示标识，用途限于维护公共安全。', 'Prominent signs are up and the use is limited to public security.') }
      : {
          status: 'fail',
          evidence,
          message: msg(
            [problems.includes('signage') ? '未登记显著提示标识' : '', problems.includes('purpose') ? `用途"${purpose ?? '未登记'}"不在允许范围内` : ''].filter(Boolean).join('；') + '。',
            [problems.includes('signage') ? 'no prominent signs recorded' : '', problems.includes('purpose') ? `purpose "${purpose ?? 'unrecorded'}" is not allowed` : ''].filter(Boolean).join('; ') + '.',
          ),
        };
  },
);

/** Every evaluator a control may name, by name. */
export const EVALUATORS: ReadonlyMap<string, Evaluator> = new Map(
  [
    retentionConfigured,
    oldestEventAge,
    logCoverage,
    logsRecognised,
    ownerContactMlps,
    dataClassified,
    ciiDesignationRecorded,
    mlpsFiled,
    assessmentWithinPeriod,
    ciiEmergencyPlan,
    importantDataLead,
    maskingAndPia,
    foreignConnections,
    unregisteredAssets,
    incidentReportedInTime,
    summaryWithin30Days,
    closedIncidentsReviewed,
    lockoutConfigured,
    auditChainIntact,
    automotive,
    publicCameras,
  ].map((e) => [e.name, e]),
);
