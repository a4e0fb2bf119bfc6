import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Localised } from '../../shared/index.js';
import { isMap, TableError, type Issue } from './validation.js';

/**
 * National incident grades and the proposal of a grade from an incident's facts, against the
 * configurable threshold table in rules/incidents/grading.yml. The proposal is advice for the
 * analyst, never a decision: it lists every rule that fired so the analyst can check each one.
 */

/** Highest first. `level` is the roman numeral the measures (and the compliance facts) use. */
export const GRADES = [
  { id: 'especially_major', level: 'I', name: { 'zh-CN': '特别重大', en: 'Especially major' } },
  { id: 'major', level: 'II', name: { 'zh-CN': '重大', en: 'Major' } },
  { id: 'relatively_major', level: 'III', name: { 'zh-CN': '较大', en: 'Relatively major' } },
  { id: 'general', level: 'IV', name: { 'zh-CN': '一般', en: 'General' } },
] as const satisfies readonly { id: string; level: string; name: Localised }[];

export type Grade = (typeof GRADES)[number]['id'];
/** An incident nobody has graded yet, or one with no facts to grade it on. */
export type GradeOrUnrated = Grade | 'unrated';
/** Grades a threshold can lead to; 一般 is the floor every incident with some impact gets. */
export type ThresholdGrade = Exclude<Grade, 'general'>;
const THRESHOLD_GRADES: readonly ThresholdGrade[] = ['especially_major', 'major', 'relatively_major'];

const RANK: Record<GradeOrUnrated, number> = { unrated: 0, general: 1, relatively_major: 2, major: 3, especially_major: 4 };
/** The more serious of two grades. */
export const higherGrade = (a: GradeOrUnrated, b: GradeOrUnrated): GradeOrUnrated => (RANK[b] > RANK[a] ? b : a);
/** True when `grade` is `floor` or more serious. */
export const gradeAtLeast = (grade: GradeOrUnrated, floor: Grade): boolean => RANK[grade] >= RANK[floor];
export const gradeName = (grade: GradeOrUnrated): Localised =>
  GRADES.find((g) => g.id === grade)?.name ?? { 'zh-CN': '未定级', en: 'Unrated' };

/** How a threshold was checked, in the reference's notation; `policy` is Taishi's own default. */
export const BASES = ['V', 'S', 'S-draft', 'R', 'policy'] as const;
export type Basis = (typeof BASES)[number];

/**
 * Where a threshold comes from: the annex of the final measures (《网络安全事件分级指南》, 2025),
 * the 2023 draft where the final text was not available to check, or Taishi's own policy.
 */
export const SOURCES = ['final', 'draft', 'policy'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * Administrative level of a government portal (or of a news site or platform), highest first;
 * central news sites and national platforms count as national. The annex's portal criteria start
 * at prefecture level (地市级以上), so a county portal only ever meets the general criteria.
 */
export const PORTAL_LEVELS = ['national', 'provincial', 'prefecture', 'county'] as const;
export type PortalLevel = (typeof PORTAL_LEVELS)[number];
/** Data classification (GB/T 43697-2024), lowest first. */
const DATA_LEVELS = ['general', 'important', 'core'] as const;
export type DataLevel = (typeof DATA_LEVELS)[number];

export interface Threshold {
  /** People, yuan, assets or percent; minutes for the outage rules. */
  atLeast: number;
  basis: Basis;
  source: Source;
  /** Where in the measures (or the policy file) the value comes from, e.g. 附件 三(通常情况)2. */
  article: string;
}
/** Population share: the percent applies to one or more provinces, or prefectures, or either. */
export const POPULATION_SCOPES = ['province', 'prefecture'] as const;
export type PopulationScope = (typeof POPULATION_SCOPES)[number];
export interface ShareThreshold extends Threshold {
  scope: PopulationScope;
}
/** Defacement with illegal content: any one of the four measures reaches the grade. */
export interface DefacementThreshold {
  homePageMinutes: number;
  otherPagesMinutes: number;
  reposts: number;
  views: number;
  minPortalLevel: PortalLevel;
  basis: Basis;
  source: Source;
  article: string;
}
export interface PortalThreshold extends Threshold {
  minPortalLevel: PortalLevel;
}
export type ThresholdSet<T extends Threshold = Threshold> = Partial<Record<ThresholdGrade, T>>;

export interface AssetFloor {
  when: { cii?: true; mlpsLevelAtLeast?: number; dataLevelAtLeast?: DataLevel; dataCompromised?: true };
  grade: ThresholdGrade;
  basis: Basis;
}

/**
 * The annex's qualitative criteria (each grade's first list: important systems suffering a
 * particularly serious / serious / fairly large loss; core or important data or personal
 * information lost or tampered with at the scale of the grade; other threats of that weight).
 * Taishi cannot measure them; an analyst states one as a fact and it counts like a threshold.
 */
export const QUALITATIVE_CRITERIA = ['system_loss', 'data_threat', 'other_threat'] as const;
export type QualitativeCriterion = (typeof QUALITATIVE_CRITERIA)[number];

export interface GradingTable {
  personalDataExposed: ThresholdSet;
  ciiWholeOutage: ThresholdSet;
  ciiMainFunctionOutage: ThresholdSet;
  portalOutage: ThresholdSet<PortalThreshold>;
  peopleWithoutServices: ThresholdSet;
  populationShare: ThresholdSet<ShareThreshold>;
  defacement: Partial<Record<ThresholdGrade, DefacementThreshold>>;
  directLossYuan: ThresholdSet;
  affectedAssets: ThresholdSet;
  assetFloors: AssetFloor[];
}

/** What an analyst knows of illegal content placed on a site, all optional. */
export interface DefacementFacts {
  homePageMinutes?: number;
  otherPagesMinutes?: number;
  reposts?: number;
  views?: number;
}

/** An asset the incident touched, as far as grading cares. */
export interface GradingAsset {
  id: string;
  name?: string;
  cii: boolean;
  mlpsLevel: number | null;
  dataLevel: DataLevel;
  /** Set when the asset is a government portal or news site of that level. */
  portal?: PortalLevel | null;
  /** How long it has been (or was) out of operation, in minutes. */
  outageMinutes?: { whole?: number; mainFunction?: number };
  /** Illegal content placed on the site (needs `portal`: the criterion names portals, news sites and platforms). */
  defacement?: DefacementFacts;
}

/** Undefined numbers are unknown, not zero: the proposal says which ones it had to do without. */
export interface GradingFacts {
  assets: readonly GradingAsset[];
  /** Data held by the assets was leaked, tampered with or stolen. */
  dataCompromised?: boolean;
  personalDataExposed?: number;
  peopleWithoutServices?: number;
  /** Share of the population of provinces or prefectures whose work or daily life was affected. */
  populationShare?: { scope: PopulationScope; percent: number };
  directLossYuan?: number;
  /** Qualitative criteria an analyst judged met, at the grade they judged. */
  qualitative?: { criterion: QualitativeCriterion; grade: ThresholdGrade; note?: string }[];
}

export type GradingRule =
  | 'personal_data_exposed'
  | 'cii_whole_outage'
  | 'cii_main_function_outage'
  | 'portal_outage'
  | 'people_without_services'
  | 'population_share'
  | 'defacement'
  | 'qualitative'
  | 'direct_loss_yuan'
  | 'affected_assets'
  | 'asset_floor'
  | 'baseline';

export interface RationaleEntry {
  rule: GradingRule;
  grade: Grade;
  basis: Basis;
  source: Source;
  article: string;
  /** The asset the rule fired on, for the per-asset rules. */
  assetId?: string;
  detail: Localised;
}

export interface GradeProposal {
  /** The most serious grade of every rule that fired, policy floors included: the proposal and its urgency. */
  grade: GradeOrUnrated;
  /**
   * The grade the annex's criteria alone give (final and draft thresholds, analyst-set
   * qualitative facts), without policy floors: what the incident is graded while no analyst has
   * confirmed a grade. A floor raises the proposal, never this.
   */
  byCriteria: GradeOrUnrated;
  rationale: RationaleEntry[];
  /** Facts that were not given; knowing them could raise the proposal. */
  unknown: ('dataCompromised' | 'personalDataExposed' | 'peopleWithoutServices' | 'directLossYuan')[];
}

// ── proposal ────────────────────────────────────────────────────────────────────────────────

const count = (n: number) => new Intl.NumberFormat('en-US').format(n);
const duration = (minutes: number): Localised =>
  minutes % 60 === 0 ? { 'zh-CN': `${minutes / 60} 小时`, en: `${minutes / 60} h` } : { 'zh-CN': `${minutes} 分钟`, en: `${minutes} min` };
const assetLabel = (a: GradingAsset) => a.name ?? a.id;

/** The most serious grade of a set whose threshold `value` reaches, if any. */
function reached<T extends Threshold>(set: ThresholdSet<T>, value: number): [ThresholdGrade, T] | undefined {
  for (const grade of THRESHOLD_GRADES) {
    const t = set[grade];
    if (t !== undefined && value >= t.atLeast) return [grade, t];
  }
  return undefined;
}

/** The portal thresholds that cover a portal of the given level. */
const covers = (level: PortalLevel, min: PortalLevel) => PORTAL_LEVELS.indexOf(level) <= PORTAL_LEVELS.indexOf(min);
const portalThresholds = (set: ThresholdSet<PortalThreshold>, level: PortalLevel): ThresholdSet =>
  Object.fromEntries(Object.entries(set).filter(([, t]) => covers(level, t.minPortalLevel)));
/** A share of a province's population is also a share of the prefectures in it, not the other way round. */
const shareThresholds = (set: ThresholdSet<ShareThreshold>, scope: PopulationScope): ThresholdSet =>
  Object.fromEntries(Object.entries(set).filter(([, t]) => scope === 'province' || t.scope === 'prefecture'));

const QUALITATIVE_TEXT: Record<QualitativeCriterion, Localised> = {
  system_loss: { 'zh-CN': '重要网络和信息系统遭受系统损失', en: 'important networks and systems suffered a system loss' },
  data_threat: { 'zh-CN': '核心数据、重要数据或公民个人信息丢失或被窃取、篡改、假冒', en: 'core or important data or personal information lost, stolen, tampered with or forged' },
  other_threat: { 'zh-CN': '对国家安全、社会秩序、经济建设和公众利益构成威胁', en: 'a threat to national security, public order, the economy or the public interest' },
};
const GRADE_SECTION: Record<ThresholdGrade, string> = { especially_major: '一', major: '二', relatively_major: '三' };

/**
 * Proposes the most serious grade any rule yields; the rationale has one entry per rule (and per
 * asset for the asset rules) that fired, at the most serious grade it reached.
 */
export function proposeGrade(facts: GradingFacts, table: GradingTable): GradeProposal {
  const rationale: RationaleEntry[] = [];
  const fire = (rule: GradingRule, grade: ThresholdGrade, t: Pick<Threshold, 'basis' | 'source' | 'article'>, detail: (g: Localised) => Localised, assetId?: string) =>
    rationale.push({ rule, grade, basis: t.basis, source: t.source, article: t.article, ...(assetId === undefined ? {} : { assetId }), detail: detail(gradeName(grade)) });

  const counted = (rule: GradingRule, set: ThresholdSet, value: number | undefined, what: (v: string) => Localised, unit = '') => {
    const hit = value === undefined ? undefined : reached(set, value);
    if (value === undefined || hit === undefined) return;
    const [grade, t] = hit;
    fire(rule, grade, t, (g) => {
      const w = what(count(value));
      const limit = count(t.atLeast) + unit;
      return { 'zh-CN': `${w['zh-CN']}，达到${g['zh-CN']}门槛（≥ ${limit}）。`, en: `${w.en}, at or above the ${g.en} threshold (≥ ${limit}).` };
    });
  };
  counted('personal_data_exposed', table.personalDataExposed, facts.personalDataExposed, (v) => ({ 'zh-CN': `${v} 人的个人信息泄露`, en: `Personal information of ${v} people exposed` }));
  counted('people_without_services', table.peopleWithoutServices, facts.peopleWithoutServices, (v) => ({
    'zh-CN': `${v} 人的用水、用电、用气、用油、取暖、交通出行、就医、购物等工作或生活受影响`,
    en: `${v} people affected in water, power, gas, oil, heating, transport, medical care, shopping or similar needs`,
  }));
  if (facts.populationShare) {
    const { scope, percent } = facts.populationShare;
    const where: Localised = scope === 'province' ? { 'zh-CN': '省级行政区', en: 'province(s)' } : { 'zh-CN': '地市级行政区', en: 'prefecture(s)' };
    counted('population_share', shareThresholds(table.populationShare, scope), percent, (v) => ({ 'zh-CN': `影响一个或多个${where['zh-CN']} ${v}% 的人口`, en: `${v}% of the population of one or more ${where.en} affected` }), '%');
  }
  for (const q of facts.qualitative ?? [])
    fire('qualitative', q.grade, { basis: 'policy', source: 'final', article: `附件 ${GRADE_SECTION[q.grade]}(1)–(3)` }, (g) => ({
      'zh-CN': `分析人员研判：${QUALITATIVE_TEXT[q.criterion]['zh-CN']}，达到${g['zh-CN']}${q.note ? `（${q.note}）` : ''}。`,
      en: `Analyst's assessment: ${QUALITATIVE_TEXT[q.criterion].en}, at ${g.en}${q.note ? ` (${q.note})` : ''}.`,
    }));
  counted('direct_loss_yuan', table.directLossYuan, facts.directLossYuan, (v) => ({ 'zh-CN': `直接经济损失 ${v} 元`, en: `Direct loss of ¥${v}` }));
  counted('affected_assets', table.affectedAssets, facts.assets.length, (v) => ({ 'zh-CN': `涉及 ${v} 个资产`, en: `${v} assets affected` }));

  for (const asset of facts.assets) {
    const outage = (rule: GradingRule, set: ThresholdSet, minutes: number | undefined, what: Localised) => {
      const hit = minutes === undefined ? undefined : reached(set, minutes);
      if (minutes === undefined || hit === undefined) return;
      const [grade, t] = hit;
      fire(
        rule,
        grade,
        t,
        (g) => {
          const d = duration(minutes);
          const limit = duration(t.atLeast);
          return {
            'zh-CN': `${assetLabel(asset)}${what['zh-CN']} ${d['zh-CN']}，达到${g['zh-CN']}门槛（≥ ${limit['zh-CN']}）。`,
            en: `${assetLabel(asset)} ${what.en} for ${d.en}, at or above the ${g.en} threshold (≥ ${limit.en}).`,
          };
        },
        asset.id,
      );
    };
    if (asset.cii) {
      outage('cii_whole_outage', table.ciiWholeOutage, asset.outageMinutes?.whole, { 'zh-CN': '（关键信息基础设施）整体中断运行', en: '(CII) was wholly out of operation' });
      outage('cii_main_function_outage', table.ciiMainFunctionOutage, asset.outageMinutes?.mainFunction, {
        'zh-CN': '（关键信息基础设施）主要功能中断运行',
        en: '(CII) lost a main function',
      });
    }
    if (asset.portal)
      // A portal counts as down only when it cannot be reached at all, hence the whole outage.
      outage('portal_outage', portalThresholds(table.portalOutage, asset.portal), asset.outageMinutes?.whole, { 'zh-CN': '（门户网站）不能访问', en: '(portal) could not be reached' });
    if (asset.portal && asset.defacement) {
      const hit = defacementReached(table.defacement, asset.portal, asset.defacement);
      if (hit) {
        const [grade, t, why] = hit;
        fire('defacement', grade, t, (g) => ({
          'zh-CN': `${assetLabel(asset)}被篡改并出现违法有害信息：${why['zh-CN']}，达到${g['zh-CN']}门槛。`,
          en: `${assetLabel(asset)} was defaced with illegal content: ${why.en}, at or above the ${g.en} threshold.`,
        }), asset.id);
      }
    }

    for (const floor of table.assetFloors) {
      const reasons = floorReasons(floor, asset, facts.dataCompromised === true);
      if (reasons)
        fire(
          'asset_floor',
          floor.grade,
          { basis: floor.basis, source: 'policy', article: 'rules/incidents/grading.yml asset_floors' },
          (g) => ({
            'zh-CN': `${assetLabel(asset)}：${reasons.map((r) => r['zh-CN']).join('，')}，建议至少定为${g['zh-CN']}。`,
            en: `${assetLabel(asset)}: ${reasons.map((r) => r.en).join(', ')}; proposed at least ${g.en}.`,
          }),
          asset.id,
        );
    }
  }

  const unknown = (['dataCompromised', 'personalDataExposed', 'peopleWithoutServices', 'directLossYuan'] as const).filter((k) => facts[k] === undefined);
  const most = (entries: RationaleEntry[]) => entries.map((r) => r.grade).reduce<GradeOrUnrated>(higherGrade, 'unrated');
  if (rationale.length > 0) {
    const byCriteria = most(rationale.filter((r) => r.source !== 'policy'));
    return { grade: most(rationale), byCriteria: byCriteria === 'unrated' ? 'general' : byCriteria, rationale, unknown };
  }
  // Nothing to go on at all: leave the grade to the analyst rather than guess 一般.
  if (facts.assets.length === 0 && unknown.length === 4 && facts.populationShare === undefined) return { grade: 'unrated', byCriteria: 'unrated', rationale, unknown };
  rationale.push({
    rule: 'baseline',
    grade: 'general',
    basis: 'S',
    source: 'final',
    article: '附件 四',
    detail: { 'zh-CN': '未达到任何较大及以上事件的门槛，按一般事件处理。', en: 'No threshold of 较大 or above was reached, so the incident is general.' },
  });
  return { grade: 'general', byCriteria: 'general', rationale, unknown };
}

/** The most serious defacement grade the site's level admits and any one measure reaches, with the measure that did. */
function defacementReached(set: GradingTable['defacement'], level: PortalLevel, f: DefacementFacts): [ThresholdGrade, DefacementThreshold, Localised] | undefined {
  for (const grade of THRESHOLD_GRADES) {
    const t = set[grade];
    if (t === undefined || !covers(level, t.minPortalLevel)) continue;
    if (f.homePageMinutes !== undefined && f.homePageMinutes >= t.homePageMinutes) {
      const d = duration(f.homePageMinutes);
      return [grade, t, { 'zh-CN': `在主页上持续 ${d['zh-CN']}（≥ ${duration(t.homePageMinutes)['zh-CN']}）`, en: `on the home page for ${d.en} (≥ ${duration(t.homePageMinutes).en})` }];
    }
    if (f.otherPagesMinutes !== undefined && f.otherPagesMinutes >= t.otherPagesMinutes) {
      const d = duration(f.otherPagesMinutes);
      return [grade, t, { 'zh-CN': `在其他页面持续 ${d['zh-CN']}（≥ ${duration(t.otherPagesMinutes)['zh-CN']}）`, en: `on other pages for ${d.en} (≥ ${duration(t.otherPagesMinutes).en})` }];
    }
    if (f.reposts !== undefined && f.reposts >= t.reposts)
      return [grade, t, { 'zh-CN': `通过社交平台转发 ${count(f.reposts)} 次（≥ ${count(t.reposts)}）`, en: `reposted ${count(f.reposts)} times on social platforms (≥ ${count(t.reposts)})` }];
    if (f.views !== undefined && f.views >= t.views)
      return [grade, t, { 'zh-CN': `浏览或点击 ${count(f.views)} 次（≥ ${count(t.views)}）`, en: `viewed or clicked ${count(f.views)} times (≥ ${count(t.views)})` }];
  }
  return undefined;
}

/** Why a floor applies to an asset, one phrase per condition; undefined when it does not. */
function floorReasons(floor: AssetFloor, asset: GradingAsset, dataCompromised: boolean): Localised[] | undefined {
  const { cii, mlpsLevelAtLeast, dataLevelAtLeast, dataCompromised: needsCompromise } = floor.when;
  const reasons: Localised[] = [];
  if (cii) {
    if (!asset.cii) return undefined;
    reasons.push({ 'zh-CN': '属于关键信息基础设施', en: 'is critical information infrastructure' });
  }
  if (mlpsLevelAtLeast !== undefined) {
    if (asset.mlpsLevel === null || asset.mlpsLevel < mlpsLevelAtLeast) return undefined;
    reasons.push({ 'zh-CN': `等级保护第 ${asset.mlpsLevel} 级`, en: `MLPS level ${asset.mlpsLevel}` });
  }
  if (dataLevelAtLeast !== undefined) {
    if (DATA_LEVELS.indexOf(asset.dataLevel) < DATA_LEVELS.indexOf(dataLevelAtLeast)) return undefined;
    const zh = { core: '核心数据', important: '重要数据', general: '一般数据' }[asset.dataLevel];
    reasons.push({ 'zh-CN': `存有${zh}`, en: `holds ${asset.dataLevel} data` });
  }
  if (needsCompromise) {
    if (!dataCompromised) return undefined;
    reasons.push({ 'zh-CN': '数据遭泄露、篡改或窃取', en: 'data was leaked, tampered with or stolen' });
  }
  return reasons;
}

// ── table loading ───────────────────────────────────────────────────────────────────────────

export class GradingTableError extends TableError {
  constructor(issues: readonly Issue[]) {
    super('incident grading table', issues);
  }
}

const COUNT_FAMILIES = {
  personal_data_exposed: 'personalDataExposed',
  people_without_services: 'peopleWithoutServices',
  direct_loss_yuan: 'directLossYuan',
  affected_assets: 'affectedAssets',
} as const;
const TOP_KEYS = [...Object.keys(COUNT_FAMILIES), 'population_share', 'defacement', 'cii_whole_outage', 'cii_main_function_outage', 'portal_outage', 'asset_floors'];

const DURATION = /^(\d+(?:\.\d+)?)(m|h)$/;

/** Parses and validates the table; throws one GradingTableError listing every problem. */
export function parseGradingTable(text: string, file = 'grading.yml'): GradingTable {
  const issues: Issue[] = [];
  const issue = (path: string, message: string) => issues.push({ file, path, message });
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new GradingTableError([{ file, path: '(yaml)', message: (e as Error).message.split('\n')[0] }]);
  }
  if (!isMap(doc)) throw new GradingTableError([{ file, path: '(root)', message: 'must be a map of rules' }]);
  for (const key of Object.keys(doc)) if (!TOP_KEYS.includes(key)) issue(key, `unknown rule (known: ${TOP_KEYS.join(', ')})`);

  const table: Partial<GradingTable> = {};
  for (const [key, field] of Object.entries(COUNT_FAMILIES)) table[field] = thresholds(doc[key], key, false, issue);
  table.ciiWholeOutage = thresholds(doc.cii_whole_outage, 'cii_whole_outage', true, issue);
  table.ciiMainFunctionOutage = thresholds(doc.cii_main_function_outage, 'cii_main_function_outage', true, issue);
  table.portalOutage = thresholds(doc.portal_outage, 'portal_outage', true, issue, 'portal') as ThresholdSet<PortalThreshold>;
  table.populationShare = thresholds(doc.population_share, 'population_share', false, issue, 'share') as ThresholdSet<ShareThreshold>;
  table.defacement = defacements(doc.defacement, issue);
  table.assetFloors = floors(doc.asset_floors, issue);
  if (issues.length > 0) throw new GradingTableError(issues);
  return table as GradingTable;
}

export function loadGradingTable(path: string): GradingTable {
  return parseGradingTable(readFileSync(path, 'utf8'), path);
}

function basis(v: unknown, path: string, issue: (p: string, m: string) => void): Basis {
  if (typeof v === 'string' && (BASES as readonly string[]).includes(v)) return v as Basis;
  issue(path, v === undefined ? 'required' : `must be one of ${BASES.join(', ')}`);
  return 'R';
}

/** Source and article; without `source`, a draft basis says draft, policy says policy, the rest final. */
function provenance(entry: Record<string, unknown>, at: string, b: Basis, issue: (p: string, m: string) => void): Pick<Threshold, 'source' | 'article'> {
  let source: Source = b === 'S-draft' ? 'draft' : b === 'policy' ? 'policy' : 'final';
  if (entry.source !== undefined) {
    if (typeof entry.source === 'string' && (SOURCES as readonly string[]).includes(entry.source)) source = entry.source as Source;
    else issue(`${at}.source`, `must be one of ${SOURCES.join(', ')}`);
  }
  if (entry.article !== undefined && (typeof entry.article !== 'string' || entry.article.trim() === '')) issue(`${at}.article`, 'must be a non-empty text');
  return { source, article: typeof entry.article === 'string' ? entry.article : '' };
}

const PROVENANCE_KEYS = ['basis', 'source', 'article'];

function defacements(raw: unknown, issue: (p: string, m: string) => void): GradingTable['defacement'] {
  const set: GradingTable['defacement'] = {};
  if (raw === undefined) {
    issue('defacement', 'required (write `{}` to switch the rule off)');
    return set;
  }
  if (!isMap(raw)) {
    issue('defacement', 'must be a map from grade to threshold');
    return set;
  }
  for (const [grade, entry] of Object.entries(raw)) {
    const at = `defacement.${grade}`;
    if (!(THRESHOLD_GRADES as readonly string[]).includes(grade)) {
      issue(at, `unknown grade (known: ${THRESHOLD_GRADES.join(', ')})`);
      continue;
    }
    if (!isMap(entry)) {
      issue(at, 'must be a map with home_page, other_pages, reposts, views, min_portal_level and basis');
      continue;
    }
    for (const k of Object.keys(entry)) if (![...PROVENANCE_KEYS, 'home_page', 'other_pages', 'reposts', 'views', 'min_portal_level'].includes(k)) issue(`${at}.${k}`, 'unknown field');
    const b = basis(entry.basis, `${at}.basis`, issue);
    const level = entry.min_portal_level;
    if (!(typeof level === 'string' && (PORTAL_LEVELS as readonly string[]).includes(level))) issue(`${at}.min_portal_level`, level === undefined ? 'required' : `must be one of ${PORTAL_LEVELS.join(', ')}`);
    set[grade as ThresholdGrade] = {
      homePageMinutes: minutes(entry.home_page, `${at}.home_page`, issue),
      otherPagesMinutes: minutes(entry.other_pages, `${at}.other_pages`, issue),
      reposts: positiveCount(entry.reposts, `${at}.reposts`, issue),
      views: positiveCount(entry.views, `${at}.views`, issue),
      minPortalLevel: level as PortalLevel,
      basis: b,
      ...provenance(entry, at, b, issue),
    };
  }
  return set;
}

function thresholds(raw: unknown, family: string, durations: boolean, issue: (p: string, m: string) => void, extra?: 'portal' | 'share'): ThresholdSet<Threshold | PortalThreshold | ShareThreshold> {
  const set: ThresholdSet<Threshold | PortalThreshold | ShareThreshold> = {};
  if (raw === undefined) {
    // Leaving a rule out would silently switch it off; `{}` says so on purpose.
    issue(family, 'required (write `{}` to switch the rule off)');
    return set;
  }
  if (!isMap(raw)) {
    issue(family, 'must be a map from grade to threshold');
    return set;
  }
  for (const [grade, entry] of Object.entries(raw)) {
    const at = `${family}.${grade}`;
    if (!(THRESHOLD_GRADES as readonly string[]).includes(grade)) {
      issue(at, grade === 'general' ? 'general has no threshold: it is what an incident gets when no rule fires' : `unknown grade (known: ${THRESHOLD_GRADES.join(', ')})`);
      continue;
    }
    if (!isMap(entry)) {
      issue(at, 'must be a map with at_least and basis');
      continue;
    }
    const allowed = ['at_least', ...PROVENANCE_KEYS, ...(extra === 'portal' ? ['min_portal_level'] : extra === 'share' ? ['scope'] : [])];
    for (const k of Object.keys(entry)) if (!allowed.includes(k)) issue(`${at}.${k}`, 'unknown field');
    const atLeast = durations ? minutes(entry.at_least, `${at}.at_least`, issue) : positiveCount(entry.at_least, `${at}.at_least`, issue);
    if (extra === 'share' && atLeast > 100) issue(`${at}.at_least`, 'must be a percent from 1 to 100');
    const b = basis(entry.basis, `${at}.basis`, issue);
    const t: Threshold | PortalThreshold | ShareThreshold = { atLeast, basis: b, ...provenance(entry, at, b, issue) };
    if (extra === 'share') {
      const scope = entry.scope;
      if (typeof scope === 'string' && (POPULATION_SCOPES as readonly string[]).includes(scope)) (t as ShareThreshold).scope = scope as PopulationScope;
      else issue(`${at}.scope`, scope === undefined ? 'required' : `must be one of ${POPULATION_SCOPES.join(', ')}`);
    }
    if (extra === 'portal') {
      const level = entry.min_portal_level;
      if (typeof level === 'string' && (PORTAL_LEVELS as readonly string[]).includes(level)) (t as PortalThreshold).minPortalLevel = level as PortalLevel;
      else issue(`${at}.min_portal_level`, level === undefined ? 'required' : `must be one of ${PORTAL_LEVELS.join(', ')}`);
    }
    set[grade as ThresholdGrade] = t;
  }
  // A more serious grade with a smaller threshold would never be the one that fires.
  const present = THRESHOLD_GRADES.filter((g) => set[g] !== undefined && !Number.isNaN(set[g]!.atLeast));
  for (let i = 1; i < present.length; i++) {
    const higher = set[present[i - 1]]!;
    const lower = set[present[i]]!;
    if (higher.atLeast < lower.atLeast)
      issue(`${family}.${present[i - 1]}.at_least`, `must be at least ${present[i]}'s threshold (${durations ? `${lower.atLeast} min` : lower.atLeast})`);
  }
  return set;
}

function positiveCount(v: unknown, path: string, issue: (p: string, m: string) => void): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  issue(path, v === undefined ? 'required' : 'must be a whole number above 0');
  return Number.NaN;
}

function minutes(v: unknown, path: string, issue: (p: string, m: string) => void): number {
  const m = typeof v === 'string' ? DURATION.exec(v) : null;
  const value = m ? Number(m[1]) * (m[2] === 'h' ? 60 : 1) : 0;
  if (m && value > 0 && Number.isInteger(value)) return value;
  issue(path, v === undefined ? 'required' : 'must be a duration of whole minutes above 0, like 30m or 6h');
  return Number.NaN;
}

const FLOOR_CONDITIONS = ['cii', 'mlps_level_at_least', 'data_level_at_least', 'data_compromised'];

function floors(raw: unknown, issue: (p: string, m: string) => void): AssetFloor[] {
  if (raw === undefined) {
    issue('asset_floors', 'required (write `[]` for none)');
    return [];
  }
  if (!Array.isArray(raw)) {
    issue('asset_floors', 'must be a list');
    return [];
  }
  return raw.map((entry: unknown, i: number): AssetFloor => {
    const at = `asset_floors[${i}]`;
    const floor: AssetFloor = { when: {}, grade: 'relatively_major', basis: 'R' };
    if (!isMap(entry)) {
      issue(at, 'must be a map with when, grade and basis');
      return floor;
    }
    for (const k of Object.keys(entry)) if (!['when', 'grade', 'basis'].includes(k)) issue(`${at}.${k}`, 'unknown field');
    if (typeof entry.grade === 'string' && (THRESHOLD_GRADES as readonly string[]).includes(entry.grade)) floor.grade = entry.grade as ThresholdGrade;
    else issue(`${at}.grade`, entry.grade === undefined ? 'required' : `must be one of ${THRESHOLD_GRADES.join(', ')}`);
    floor.basis = basis(entry.basis, `${at}.basis`, issue);
    const when = entry.when;
    if (!isMap(when) || Object.keys(when).length === 0) {
      issue(`${at}.when`, `must be a map with at least one of ${FLOOR_CONDITIONS.join(', ')}`);
      return floor;
    }
    for (const [k, v] of Object.entries(when)) {
      const p = `${at}.when.${k}`;
      if (k === 'cii' || k === 'data_compromised') {
        // `false` would make a floor for every asset that is not CII, which is never meant.
        if (v === true) floor.when[k === 'cii' ? 'cii' : 'dataCompromised'] = true;
        else issue(p, 'must be true (leave it out otherwise)');
      } else if (k === 'mlps_level_at_least') {
        if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5) floor.when.mlpsLevelAtLeast = v;
        else issue(p, 'must be an MLPS level from 1 to 5');
      } else if (k === 'data_level_at_least') {
        if (typeof v === 'string' && (DATA_LEVELS as readonly string[]).includes(v)) floor.when.dataLevelAtLeast = v as DataLevel;
        else issue(p, `must be one of ${DATA_LEVELS.join(', ')}`);
      } else issue(p, `unknown condition (known: ${FLOOR_CONDITIONS.join(', ')})`);
    }
    return floor;
  });
}
