import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EVALUATORS, type Localised } from './evaluators.js';
import { SELECTORS, isAssetSelector, type Selector } from './selector.js';

/**
 * The control catalogue (rules/compliance/*.yml): loading and validation. A control that loads is
 * complete and consistent — known law, both Cybersecurity Law numberings that agree with each
 * other, a known evaluator whose params it accepts and whose scope fits the selector — so the
 * audit runner and the reports never have to second-guess it.
 */

/** The laws, regulations and standards controls cite. */
export const SOURCES = {
  CSL: { 'zh-CN': '中华人民共和国网络安全法', en: 'Cybersecurity Law of the PRC' },
  DSL: { 'zh-CN': '中华人民共和国数据安全法', en: 'Data Security Law of the PRC' },
  PIPL: { 'zh-CN': '中华人民共和国个人信息保护法', en: 'Personal Information Protection Law of the PRC' },
  CII_REGS: { 'zh-CN': '关键信息基础设施安全保护条例', en: 'Regulations on the Security Protection of Critical Information Infrastructure' },
  NDSR: { 'zh-CN': '网络数据安全管理条例', en: 'Network Data Security Management Regulations' },
  MLPS_MEASURES: { 'zh-CN': '信息安全等级保护管理办法（2007）', en: 'Administrative Measures for Multi-Level Protection of Information Security (2007)' },
  GB_T_22239: { 'zh-CN': 'GB/T 22239-2019 网络安全等级保护基本要求', en: 'GB/T 22239-2019 Baseline for Classified Protection of Cybersecurity' },
  AUTOMOTIVE: { 'zh-CN': '汽车数据安全管理若干规定（试行）（2021）', en: 'Several Provisions on Automotive Data Security Management (Trial) (2021)' },
  INCIDENT_REPORTING: { 'zh-CN': '国家网络安全事件报告管理办法（2025）', en: 'Measures for Reporting National Cybersecurity Incidents (2025)' },
} as const satisfies Record<string, Localised>;
export type SourceKey = keyof typeof SOURCES;

/** How the fact behind a control was checked: [V] primary text, [S] secondary source, [R] recalled. */
export const VERIFICATIONS = ['verified', 'secondary', 'recalled'] as const;
export type Verification = (typeof VERIFICATIONS)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AutomaticCheck {
  kind: 'automatic';
  evaluator: string;
  /** As validated by the evaluator, with its defaults filled in. */
  params: Readonly<Record<string, unknown>>;
}
export interface ManualCheck {
  kind: 'manual';
  evidence: Localised;
  /** How long an attestation stays valid before it must be renewed. */
  validityDays: number;
}

export interface Control {
  id: string;
  /** The file it came from, as given to the loader. */
  file: string;
  title: Localised;
  source: SourceKey;
  /** In the numbering in force; null only where the reference did not establish the number. */
  article: string | null;
  /** Cybersecurity Law only: before and after the 2025 amendment (in force 2026-01-01). */
  article2016?: string;
  article2026?: string;
  article2026Verification?: Verification;
  requirement: Localised;
  verification: Verification;
  appliesTo: Selector;
  check: AutomaticCheck | ManualCheck;
  severity: Severity;
  remediation: Localised;
}

export interface CatalogueIssue {
  file: string;
  /** The control's id, or its position when the id itself is unusable. */
  control: string | null;
  field: string;
  message: string;
}

export class CatalogueError extends Error {
  constructor(readonly issues: CatalogueIssue[]) {
    super(`compliance catalogue: ${issues.length} problem(s)\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'CatalogueError';
  }
}

export function formatIssue(i: CatalogueIssue): string {
  return [i.file, i.control, i.field, i.message].filter((s) => s !== null).join(': ');
}

/**
 * The 2025 amendment inserts a new Art. 3 and a new Art. 20, so 2016 articles 3–18 move up one and
 * 19 onward move up two ([S], inferred from the renumbered penalty article). Paragraph numbers in
 * parentheses are left alone.
 */
export function cslArticle2026(article2016: string): string {
  return article2016.replace(/(\(\d+\))|(\d+)/g, (m, paragraph: string | undefined) => {
    if (paragraph) return m;
    const n = Number(m);
    return String(n >= 19 ? n + 2 : n >= 3 ? n + 1 : n);
  });
}

const ID = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/;
// "21", "62(4)", "10–11", "28–29, 31"
const ARTICLE = /^\d+(\(\d+\))?(\s*[–,]\s*\d+(\(\d+\))?)*$/;
const HAN = /\p{Script=Han}/u;
const CONTROL_KEYS = new Set([
  'id',
  'title',
  'source',
  'article',
  'article2016',
  'article2026',
  'article2026_verification',
  'requirement',
  'verification',
  'applies_to',
  'check',
  'severity',
  'remediation',
]);

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates every file; throws one CatalogueError listing every problem found. */
export function parseCatalogue(files: readonly { file: string; text: string }[]): Control[] {
  const issues: CatalogueIssue[] = [];
  const controls: Control[] = [];
  const seen = new Map<string, string>();
  for (const { file, text } of files) {
    for (const control of parseFile(file, text, issues)) {
      const first = seen.get(control.id);
      if (first !== undefined) issues.push({ file, control: control.id, field: 'id', message: `duplicate id (first defined in ${first})` });
      else {
        seen.set(control.id, file);
        controls.push(control);
      }
    }
  }
  if (issues.length > 0) throw new CatalogueError(issues);
  return controls;
}

/** Every `.yml`/`.yaml` file directly in `dir`, in name order. */
export function loadCatalogue(dir: string): Control[] {
  const names = readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  return parseCatalogue(names.map((n) => ({ file: join(dir, n), text: readFileSync(join(dir, n), 'utf8') })));
}

function parseFile(file: string, text: string, issues: CatalogueIssue[]): Control[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    issues.push({ file, control: null, field: '(yaml)', message: (e as Error).message.split('\n')[0] });
    return [];
  }
  if (!isMap(doc) || !Array.isArray(doc.controls)) {
    issues.push({ file, control: null, field: 'controls', message: 'the file must be a map with a `controls` list' });
    return [];
  }
  for (const key of Object.keys(doc)) if (key !== 'controls') issues.push({ file, control: null, field: key, message: 'unknown top-level key' });
  const out: Control[] = [];
  doc.controls.forEach((raw: unknown, index: number) => {
    const control = parseControl(raw, file, index, issues);
    if (control) out.push(control);
  });
  return out;
}

/** Validates one control; returns it only when it has no problems at all. */
function parseControl(raw: unknown, file: string, index: number, issues: CatalogueIssue[]): Control | undefined {
  const before = issues.length;
  if (!isMap(raw)) {
    issues.push({ file, control: `controls[${index}]`, field: '(control)', message: 'must be a map' });
    return undefined;
  }
  const id = typeof raw.id === 'string' && ID.test(raw.id) ? raw.id : null;
  const where = id ?? `controls[${index}]`;
  const issue = (field: string, message: string) => issues.push({ file, control: where, field, message });
  if (id === null) issue('id', raw.id === undefined ? 'required' : 'must be upper-case words joined by hyphens, like CSL-21-LOG-RETENTION');
  for (const key of Object.keys(raw)) if (!CONTROL_KEYS.has(key)) issue(key, 'unknown field');

  const localised = (field: string): Localised => {
    const v = raw[field];
    if (!isMap(v)) {
      issue(field, v === undefined ? 'required' : 'must be a map with zh-CN and en');
      return { 'zh-CN': '', en: '' };
    }
    return localisedAt(v, field, issue);
  };
  const oneOf = <T extends string>(field: string, values: readonly T[]): T => {
    const v = raw[field];
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    issue(field, v === undefined ? 'required' : `must be one of ${values.join(', ')}`);
    return values[0];
  };
  const article = (field: string, nullable: boolean): string | null => {
    const v = raw[field];
    if (v === undefined || (v === null && !nullable)) {
      issue(field, nullable ? 'required (null when the reference gives no number)' : 'required');
      return null;
    }
    if (v === null) return null;
    const text = String(v).trim();
    if ((typeof v !== 'string' && typeof v !== 'number') || !ARTICLE.test(text)) {
      issue(field, 'must be an article number like 21, 62(4), 10–11 or 28–29, 31');
      return null;
    }
    return text;
  };

  const title = localised('title');
  const source = oneOf('source', Object.keys(SOURCES) as SourceKey[]);
  const verification = oneOf('verification', VERIFICATIONS);
  const art = article('article', true);
  // An article number may be left out (null) only where the reference itself did not establish it.
  if (raw.article === null && verification === 'verified') issue('article', 'may be null only for secondary or recalled facts');
  const control: Control = {
    id: id ?? '',
    file,
    title,
    source,
    article: art,
    requirement: localised('requirement'),
    verification,
    appliesTo: oneOf('applies_to', SELECTORS),
    check: parseCheck(raw.check, raw.applies_to, issue),
    severity: oneOf('severity', SEVERITIES),
    remediation: localised('remediation'),
  };
  const cslFields = ['article2016', 'article2026', 'article2026_verification'];
  if (source === 'CSL') {
    const a2016 = article('article2016', false);
    const a2026 = article('article2026', false);
    control.article2026Verification = oneOf('article2026_verification', VERIFICATIONS);
    if (a2016 !== null && a2026 !== null && cslArticle2026(a2016) !== a2026) issue('article2026', `${a2026} does not follow from 2016 article ${a2016} (expected ${cslArticle2026(a2016)})`);
    if (a2026 !== null && art !== null && art !== a2026) issue('article', `must be the numbering in force (${a2026})`);
    control.article2016 = a2016 ?? undefined;
    control.article2026 = a2026 ?? undefined;
  } else {
    for (const f of cslFields) if (raw[f] !== undefined) issue(f, 'only Cybersecurity Law (CSL) controls have two numberings');
  }
  return issues.length === before ? control : undefined;
}

function localisedAt(v: Record<string, unknown>, field: string, issue: (field: string, message: string) => void): Localised {
  for (const key of Object.keys(v)) if (key !== 'zh-CN' && key !== 'en') issue(`${field}.${key}`, 'unknown language (use zh-CN and en)');
  const zh = v['zh-CN'];
  const en = v.en;
  if (typeof zh !== 'string' || zh.trim() === '') issue(`${field}.zh-CN`, 'required text');
  // catches the two languages swapped or the Chinese left untranslated
  else if (!HAN.test(zh)) issue(`${field}.zh-CN`, 'contains no Chinese');
  if (typeof en !== 'string' || en.trim() === '') issue(`${field}.en`, 'required text');
  return { 'zh-CN': typeof zh === 'string' ? zh.trim() : '', en: typeof en === 'string' ? en.trim() : '' };
}

function parseCheck(raw: unknown, appliesTo: unknown, issue: (field: string, message: string) => void): AutomaticCheck | ManualCheck {
  const fallback: ManualCheck = { kind: 'manual', evidence: { 'zh-CN': '', en: '' }, validityDays: 0 };
  if (!isMap(raw) || (raw.evaluator === undefined) === (raw.manual === undefined)) {
    issue('check', raw === undefined ? 'required' : 'must have either `evaluator` (with optional `params`) or `manual`');
    return fallback;
  }
  if (raw.manual !== undefined) {
    for (const key of Object.keys(raw)) if (key !== 'manual') issue(`check.${key}`, 'unknown field of a manual check');
    const m = raw.manual;
    if (!isMap(m)) {
      issue('check.manual', 'must be a map with evidence and validity_days');
      return fallback;
    }
    for (const key of Object.keys(m)) if (key !== 'evidence' && key !== 'validity_days') issue(`check.manual.${key}`, 'unknown field');
    if (!isMap(m.evidence)) issue('check.manual.evidence', 'must be a map with zh-CN and en');
    const evidence = isMap(m.evidence) ? localisedAt(m.evidence, 'check.manual.evidence', issue) : fallback.evidence;
    const days = m.validity_days;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) issue('check.manual.validity_days', 'must be an integer from 1 to 3650');
    return { kind: 'manual', evidence, validityDays: typeof days === 'number' ? days : 0 };
  }
  for (const key of Object.keys(raw)) if (key !== 'evaluator' && key !== 'params') issue(`check.${key}`, 'unknown field of an automatic check');
  const name = raw.evaluator;
  const evaluator = typeof name === 'string' ? EVALUATORS.get(name) : undefined;
  if (evaluator === undefined) {
    issue('check.evaluator', `unknown evaluator ${JSON.stringify(name)} (known: ${[...EVALUATORS.keys()].join(', ')})`);
    return fallback;
  }
  if ((SELECTORS as readonly unknown[]).includes(appliesTo)) {
    const perAsset = isAssetSelector(appliesTo as Selector);
    if (evaluator.scope === 'asset' && !perAsset) issue('applies_to', `${evaluator.name} checks assets; choose an asset selector, not ${String(appliesTo)}`);
    if (evaluator.scope === 'single' && perAsset) issue('applies_to', `${evaluator.name} checks the monitor or organisation as a whole; use monitor or organisation`);
  }
  const rawParams = raw.params ?? {};
  if (!isMap(rawParams)) {
    issue('check.params', 'must be a map');
    return fallback;
  }
  const { params, errors } = evaluator.readParams(rawParams);
  for (const e of errors) issue(`check.params.${e.slice(0, e.indexOf(':'))}`, e.slice(e.indexOf(':') + 2));
  return { kind: 'automatic', evaluator: evaluator.name, params };
}
