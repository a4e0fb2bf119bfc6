import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseJsonRecord, parseLine, type ParseContext } from '../ingest/parsing/index.js';
import { UnknownLogsourceError, type LogsourceMapping, type ResolvedLogsource } from './logsources.js';
import { RuleFileCache } from './rule-cache.js';
import { chineseText } from './rule-text.js';
import {
  CorrelationEngine,
  SigmaError,
  compileRule,
  parseSigmaDocuments,
  testCompile,
  yget,
  type CompiledRule,
  type DetectionItem,
  type SearchNode,
  type SigmaCorrelation,
  type SigmaFilter,
  type SigmaRule,
} from './sigma/index.js';

/**
 * The rule pack under rules/detection: loading (with the logsource mapping and placeholders),
 * and running the examples every rule carries. rules/README.md describes the file layout and the
 * example formats; this module is the one place that interprets them, for the test suite and for
 * the `taishi` rule-test command alike.
 */

export type Placeholders = Record<string, string[]>;

export interface PackRule {
  rule: SigmaRule;
  compiled: CompiledRule;
  logsource: ResolvedLogsource;
  /** Logsource and detection together: what the pipeline will alert on. */
  matches(event: unknown): boolean;
}

/**
 * Why a valid rule does not run yet. It wakes by itself on the next reload once the cause is
 * gone: a mapping for its logsource, a value for its placeholders, its rules awake.
 */
export type DormantReason =
  /** No entry of the logsource mapping names `missing` (e.g. `product 'azure'`). */
  | { kind: 'logsource'; logsource: string; missing: string }
  /** Fields the logsource's events do not carry (the mapping lists them as `unavailable`). */
  | { kind: 'field'; logsource: string; fields: string[] }
  /** `expand` placeholders with no configured value. */
  | { kind: 'placeholder'; placeholders: string[] }
  /** A correlation over rules that are dormant themselves. */
  | { kind: 'rules'; rules: string[] };

export interface DormantRule {
  rule: SigmaRule | SigmaCorrelation;
  reason: DormantReason;
}

export interface RulePack {
  rules: PackRule[];
  /** Valid rules and correlations that cannot run yet; see DormantReason. */
  dormant: DormantRule[];
  correlations: SigmaCorrelation[];
  filters: SigmaFilter[];
  /** Every problem found, as `file:line:column: message`: these break the Sigma specification. */
  errors: string[];
  /** Documents left out because of errors. */
  invalid: number;
  /** Valid, loaded, but worth a look (placeholders without a value, odd identifier names). */
  warnings: string[];
}

/** One line for people: what keeps the rule asleep and what wakes it. */
export function dormancyText(reason: DormantReason): string {
  switch (reason.kind) {
    case 'logsource':
      return `no source yet for logsource ${reason.logsource}: rules/logsources.yml has no entry for ${reason.missing}`;
    case 'field':
      return `the events of logsource ${reason.logsource} carry no ${reason.fields.join(', ')} (rules/logsources.yml lists it as unavailable)`;
    case 'placeholder':
      return `no value for placeholder ${reason.placeholders.map((p) => `%${p}%`).join(', ')} (set it in rules/placeholders.yml)`;
    case 'rules':
      return `its rules ${reason.rules.join(', ')} are dormant`;
  }
}

/** rules/placeholders.yml: `name: value` or `name: [values]`. */
export function loadPlaceholders(yamlText: string, file = 'rules/placeholders.yml'): Placeholders {
  const doc: unknown = parseYaml(yamlText);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: must be a map of placeholder name → value(s)`);
  const out: Placeholders = {};
  for (const [name, v] of Object.entries(doc)) {
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0 || list.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw new Error(`${file}: ${name}: must be a value or a non-empty list of values`);
    out[name] = list.map(String);
  }
  return out;
}

// `field|expand|cidr: '%name%'` (or a list item `- '%name%'` under such a key) on one line
const CIDR_KEY_RE = /^(\s*(?:-\s+)?[^\s:#|]*)\|expand\|cidr(\s*:\s*)(['"]?)%(\w+)%\3\s*$/;

/**
 * The engine's `expand` cannot feed `cidr` (cidr must come first and validates its value at parse
 * time), so CIDR placeholders are substituted into the text before parsing: the value becomes a
 * flow list on the same line, which keeps every line number of the file unchanged. A placeholder
 * with no value keeps only `expand`, so the rule parses and sleeps until the value is configured.
 */
export function substituteCidrPlaceholders(text: string, placeholders: Placeholders): string {
  if (!text.includes('|expand|cidr')) return text;
  return text
    .split('\n')
    .map((line) => {
      const m = CIDR_KEY_RE.exec(line);
      if (!m) return line;
      const values = placeholders[m[4]];
      if (!values) return `${m[1]}|expand${m[2]}${m[3]}%${m[4]}%${m[3]}`;
      return `${m[1]}|cidr${m[2]}[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
    })
    .join('\n');
}

const PLACEHOLDER_RE = /%([A-Za-z0-9_.\-]+)%/g;

function detectionItems(rule: SigmaRule): DetectionItem[] {
  const items: DetectionItem[] = [];
  const visit = (node: SearchNode): void => {
    if (node.kind === 'item') items.push(node.item);
    else node.children.forEach(visit);
  };
  for (const { node } of rule.detection.searches.values()) visit(node);
  return items;
}

/** `%name%` placeholders the rule expands that have no configured value, in order of appearance. */
function unsetPlaceholders(items: readonly DetectionItem[], placeholders: Placeholders): string[] {
  const unset = new Set<string>();
  for (const item of items) {
    if (!item.modifiers.some((m) => m.name === 'expand')) continue;
    for (const v of item.values) {
      if (typeof v.value !== 'string') continue;
      for (const m of v.value.matchAll(PLACEHOLDER_RE)) if (!Object.hasOwn(placeholders, m[1])) unset.add(m[1]);
    }
  }
  return [...unset];
}

/** Why a valid rule whose logsource resolves cannot run yet, if it cannot. */
function dormancy(rule: SigmaRule, logsource: ResolvedLogsource, placeholders: Placeholders): DormantReason | undefined {
  const items = detectionItems(rule);
  if (logsource.unavailable.size > 0) {
    const fields = [...new Set(items.flatMap((i) => (i.field !== null && logsource.unavailable.has(i.field.toLowerCase()) ? [i.field] : [])))];
    if (fields.length > 0) return { kind: 'field', logsource: logsource.key, fields };
  }
  const unset = unsetPlaceholders(items, placeholders);
  return unset.length > 0 ? { kind: 'placeholder', placeholders: unset } : undefined;
}

const at = (doc: { file: string; pos: { line: number; column: number } }) => `${doc.file}:${doc.pos.line}:${doc.pos.column}`;

/**
 * Correlations that cannot run because a rule they count is dormant (directly or through another
 * correlation), and those that reference rules nobody defined (errors). The rest run.
 */
function splitCorrelations(correlations: SigmaCorrelation[], rules: readonly SigmaRule[], dormant: DormantRule[], errors: string[]): SigmaCorrelation[] {
  const keysOf = (d: { id?: string; name?: string }) => [d.id, d.name].filter((k): k is string => !!k).map((k) => k.toLowerCase());
  const problems = CorrelationEngine.validate(correlations, rules);
  errors.push(...problems.map(String));
  const broken = (c: SigmaCorrelation) => c.rules.some((r) => problems.some((e) => e.file === c.file && e.line === r.pos.line && e.column === r.pos.column));
  let running = correlations.filter((c) => !broken(c));
  const asleep = new Set(dormant.flatMap((d) => keysOf(d.rule)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of running) {
      const sleeping = c.rules.map((r) => r.ref).filter((ref) => asleep.has(ref.toLowerCase()));
      if (sleeping.length === 0) continue;
      dormant.push({ rule: c, reason: { kind: 'rules', rules: sleeping } });
      for (const k of keysOf(c)) asleep.add(k);
      running = running.filter((x) => x !== c);
      changed = true;
    }
  }
  return running;
}

function ymlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...ymlFiles(p));
    else if (/\.ya?ml$/.test(ent.name)) out.push(p);
  }
  return out.sort();
}

/** Whether a valid rule can run (with the logsource it resolves to) or sleeps, and why. */
type Verdict = { logsource: ResolvedLogsource; dormant?: undefined } | { dormant: DormantReason };

function verdictOf(rule: SigmaRule, mapping: LogsourceMapping, placeholders: Placeholders): Verdict {
  let logsource: ResolvedLogsource;
  try {
    logsource = mapping.resolve(rule.logsource);
  } catch (err) {
    if (!(err instanceof UnknownLogsourceError)) throw err;
    return { dormant: { kind: 'logsource', logsource: err.key, missing: err.missing } };
  }
  const reason = dormancy(rule, logsource, placeholders);
  return reason ? { dormant: reason } : { logsource };
}

/**
 * Loads every rule file in the given folders and files (one bad rule never stops the others).
 * Rules that break the Sigma specification are errors; valid rules that cannot run yet (no
 * mapping for their logsource, placeholders without a value) load as dormant. With `cacheDir`,
 * the parsed YAML of the files is kept there for the next load (see RuleFileCache).
 */
export function loadRulePack(paths: string | readonly string[], mapping: LogsourceMapping, placeholders: Placeholders, baseDir = process.cwd(), cacheDir?: string): RulePack {
  const errors: string[] = [];
  const warnings: string[] = [];
  let invalid = 0;
  const rules: SigmaRule[] = [];
  const correlations: SigmaCorrelation[] = [];
  const filters: SigmaFilter[] = [];
  const roots = typeof paths === 'string' ? [paths] : paths;
  const cache = RuleFileCache.open(cacheDir, roots);
  const sources = roots
    .flatMap((p) => (statSync(p).isDirectory() ? ymlFiles(p) : [p]))
    .map((path) => {
      const file = relative(baseDir, path);
      const text = substituteCidrPlaceholders(readFileSync(path, 'utf8'), placeholders);
      return { file, text, yaml: cache.documents(text, file) };
    });
  cache.save();
  const compileOptions = (logsource: ResolvedLogsource) => ({ fieldMapper: logsource.fieldMapper, keywordFields: logsource.keywordFields, placeholders, filters });
  // A rule that will run is checked by compiling it to run, instead of a test-compile and then a
  // second compilation. Its errors are the test-compile's as long as the settings cannot change
  // them: no `expand` placeholders, and no Sigma filters (those are only known after every file).
  const early = new Map<SigmaRule, { verdict: Verdict; compiled?: CompiledRule }>();
  const compileOnce = (rule: SigmaRule): SigmaError[] => {
    const verdict = verdictOf(rule, mapping, placeholders);
    if (verdict.dormant || detectionItems(rule).some((i) => i.modifiers.some((m) => m.name === 'expand'))) {
      early.set(rule, { verdict });
      return testCompile(rule);
    }
    const collectErrors: SigmaError[] = [];
    const compiled = compileRule(rule, { ...compileOptions(verdict.logsource), collectErrors });
    if (collectErrors.length === 0) early.set(rule, { verdict, compiled });
    return collectErrors;
  };
  const hasFilters = sources.some((s) => s.yaml.docs.some((d) => d.root?.kind === 'map' && yget(d.root, 'filter')));
  for (const { file, text, yaml } of sources) {
    const parsed = parseSigmaDocuments(text, file, { yaml, checkRule: hasFilters ? undefined : compileOnce });
    errors.push(...parsed.errors.map(String));
    warnings.push(...parsed.warnings.map(String));
    invalid += parsed.invalid;
    rules.push(...parsed.rules);
    correlations.push(...parsed.correlations);
    filters.push(...parsed.filters);
  }
  const packRules: PackRule[] = [];
  const dormant: DormantRule[] = [];
  for (const rule of rules) {
    const known = early.get(rule);
    const verdict = known?.verdict ?? verdictOf(rule, mapping, placeholders);
    if (verdict.dormant) {
      const reason = verdict.dormant;
      dormant.push({ rule, reason });
      if (reason.kind === 'placeholder') warnings.push(`${at(rule)}: ${rule.title}: ${dormancyText(reason)}; the rule stays dormant until then`);
      continue;
    }
    const { logsource } = verdict;
    try {
      const compiled = known?.compiled ?? compileRule(rule, compileOptions(logsource));
      packRules.push({ rule, compiled, logsource, matches: (e) => logsource.matches(e) && compiled.matches(e) });
    } catch (err) {
      if (!(err instanceof SigmaError)) throw err;
      errors.push(String(err));
      invalid++;
    }
  }
  for (const doc of [...rules, ...correlations]) {
    const zh = chineseText(doc);
    if (zh && 'problem' in zh) warnings.push(`${at(doc)}: ${doc.title}: ${zh.problem}`);
  }
  const running = splitCorrelations(correlations, rules, dormant, errors);
  invalid += correlations.length - running.length - dormant.filter((d) => d.rule.kind === 'correlation').length;
  return { rules: packRules, dormant, correlations: running, filters, errors, invalid, warnings };
}

// ---- examples ---------------------------------------------------------------------------------

/**
 * An example is `{ line: '<raw log line>' }` (parsed with parseLine), `{ record: {…} }` (a JSON
 * record, parsed with parseJsonRecord), or anything else: an already-normalized event.
 */
export function exampleEvent(example: unknown, context: ParseContext): unknown {
  if (typeof example === 'object' && example !== null && !Array.isArray(example)) {
    const keys = Object.keys(example);
    const ex = example as Record<string, unknown>;
    if (keys.length === 1 && typeof ex.line === 'string') return parseLine(ex.line, context);
    if (keys.length === 1 && typeof ex.record === 'object' && ex.record !== null) return parseJsonRecord(ex.record, context);
  }
  return example;
}

/** Rule examples that came out wrong, each naming the rule, the list and the example's line. */
export function runRuleExamples(r: PackRule, context: ParseContext): string[] {
  const failures: string[] = [];
  for (const kind of ['match', 'nomatch'] as const) {
    (r.rule.tests?.[kind] ?? []).forEach((t, i) => {
      const event = exampleEvent(t.event, context);
      if (r.matches(event) !== (kind === 'match')) {
        const why = kind === 'match' ? (r.logsource.matches(event) ? 'detection does not match' : `event is not in logsource ${r.logsource.key}`) : 'it matches';
        failures.push(`${r.rule.file}:${t.pos.line}:${t.pos.column}: ${r.rule.title}: ${kind}[${i}] failed (${why})`);
      }
    });
  }
  return failures;
}

/** Example event list entry of a sequence: an example plus `repeat` (with `{i}` = 0…n-1 in lines). */
function expandSequenceEvents(events: unknown, where: string): unknown[] {
  if (!Array.isArray(events) || events.length === 0) throw new Error(`${where}: 'events' must be a non-empty list`);
  const out: unknown[] = [];
  for (const e of events) {
    const { repeat, ...example } = e as Record<string, unknown>;
    const n = repeat === undefined ? 1 : Number(repeat);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${where}: 'repeat' must be a positive integer`);
    for (let i = 0; i < n; i++) {
      out.push(typeof example.line === 'string' ? { line: example.line.replaceAll('{i}', String(i)) } : example);
    }
  }
  return out;
}

interface SequenceSpec {
  description?: string;
  events: unknown;
  expect: { hits: number; group?: Record<string, unknown> };
}

export function correlationSequences(c: SigmaCorrelation): SequenceSpec[] {
  const tests = c.custom['x-taishi-tests'] as { sequences?: SequenceSpec[] } | undefined;
  return tests?.sequences ?? [];
}

/**
 * Runs a correlation's example sequences: each event (in order) goes through every rule of the
 * pack; matches feed one CorrelationEngine holding all of the pack's correlations (so chains work);
 * at the end time is advanced past every window, and the hits of this correlation are compared
 * with `expect.hits` (and `expect.group`, the group of the first hit).
 */
export function runCorrelationSequences(pack: RulePack, c: SigmaCorrelation, mapping: LogsourceMapping, context: ParseContext): string[] {
  const failures: string[] = [];
  const name = `${c.file}: ${c.title}`;
  correlationSequences(c).forEach((seq, si) => {
    const where = `${name}: sequences[${si}]${seq.description ? ` (${seq.description})` : ''}`;
    const engine = new CorrelationEngine(pack.correlations, { knownRules: pack.rules.map((r) => r.rule), fieldMapper: mapping.correlationFieldMapper });
    const hits = [];
    let last = 0;
    for (const example of expandSequenceEvents(seq.events, where)) {
      const event = exampleEvent(example, context) as { '@timestamp'?: string };
      const ts = Date.parse(event['@timestamp'] ?? '');
      if (Number.isNaN(ts)) {
        failures.push(`${where}: an event has no @timestamp`);
        return;
      }
      last = Math.max(last, ts);
      for (const r of pack.rules) if (r.matches(event)) hits.push(...engine.process({ id: r.rule.id, name: r.rule.name }, event, ts));
    }
    hits.push(...engine.advance(last + c.timespanMs + 1));
    const mine = hits.filter((h) => h.correlation === c);
    if (mine.length !== seq.expect.hits) failures.push(`${where}: expected ${seq.expect.hits} hit(s), got ${mine.length}`);
    else if (seq.expect.group && mine.length > 0) {
      const got = JSON.stringify(mine[0].group);
      if (got !== JSON.stringify(seq.expect.group)) failures.push(`${where}: expected group ${JSON.stringify(seq.expect.group)}, got ${got}`);
    }
  });
  return failures;
}

// ---- scheduled (absence) rules ----------------------------------------------------------------

export interface Schedule {
  everyMs: number;
  lookbackMs: number;
  baselineMs: number;
  groupBy: string[];
}

const DURATION_RE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function duration(v: unknown, where: string): number {
  const m = typeof v === 'string' ? DURATION_RE.exec(v) : null;
  if (!m) throw new Error(`${where}: expected a duration like 15m, 1h or 7d`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** `x-taishi-schedule: { every, lookback, baseline, group-by }` of a rule, or undefined. */
export function scheduleOf(rule: SigmaRule): Schedule | undefined {
  const s = rule.custom['x-taishi-schedule'] as Record<string, unknown> | undefined;
  if (s === undefined) return undefined;
  const where = `${rule.file}: ${rule.title}: x-taishi-schedule`;
  const groupBy = s['group-by'];
  if (!Array.isArray(groupBy) || groupBy.length === 0 || groupBy.some((g) => typeof g !== 'string')) throw new Error(`${where}: 'group-by' must be a list of fields`);
  const schedule = { everyMs: duration(s.every, `${where}.every`), lookbackMs: duration(s.lookback, `${where}.lookback`), baselineMs: duration(s.baseline, `${where}.baseline`), groupBy };
  if (schedule.lookbackMs >= schedule.baselineMs) throw new Error(`${where}: 'baseline' must be longer than 'lookback'`);
  return schedule;
}

/** The latest event of each group (e.g. device id) among `matching` within `baseline` before `now`. */
export function latestByGroup(schedule: Schedule, matching: readonly unknown[], mapping: LogsourceMapping, now: number): Map<string, { ts: number; event: unknown }> {
  const latest = new Map<string, { ts: number; event: unknown }>();
  for (const event of matching) {
    const ts = Date.parse((event as { '@timestamp'?: string })['@timestamp'] ?? '');
    if (Number.isNaN(ts) || ts > now || ts < now - schedule.baselineMs) continue;
    const parts = schedule.groupBy.map((g) => {
      const values: unknown[] = [];
      for (const path of mapping.correlationFieldMapper(g)) {
        let v: unknown = event;
        for (const seg of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[seg] : undefined;
        if (v !== undefined && v !== null) values.push(v);
      }
      return values[0];
    });
    if (parts.some((p) => p === undefined)) continue;
    const key = parts.map(String).join('|');
    if (ts >= (latest.get(key)?.ts ?? -Infinity)) latest.set(key, { ts, event });
  }
  return latest;
}

/**
 * The reference semantics of a scheduled absence rule, run at `now`: the groups (e.g. device ids)
 * that produced a matching event within `baseline` before `now` but none within `lookback`. A group
 * silent for longer than `baseline` drops out, so a decommissioned device stops alerting.
 */
export function silentGroups(schedule: Schedule, matching: readonly unknown[], mapping: LogsourceMapping, now: number): string[] {
  return [...latestByGroup(schedule, matching, mapping, now)]
    .filter(([, { ts }]) => ts < now - schedule.lookbackMs)
    .map(([k]) => k)
    .sort();
}

interface ScheduleTest {
  now: string;
  events: unknown;
  expect: { silent: string[] };
}

/** Runs `x-taishi-schedule-tests` of a scheduled rule (see rules/README.md). */
export function runScheduleTests(r: PackRule, mapping: LogsourceMapping, context: ParseContext): string[] {
  const schedule = scheduleOf(r.rule);
  const tests = (r.rule.custom['x-taishi-schedule-tests'] ?? []) as ScheduleTest[];
  const failures: string[] = [];
  if (!schedule) return failures;
  tests.forEach((t, i) => {
    const where = `${r.rule.file}: ${r.rule.title}: x-taishi-schedule-tests[${i}]`;
    const events = expandSequenceEvents(t.events, where).map((e) => exampleEvent(e, context)).filter((e) => r.matches(e));
    const got = silentGroups(schedule, events, mapping, Date.parse(t.now));
    const want = [...t.expect.silent].sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${where}: expected silent ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  });
  return failures;
}
