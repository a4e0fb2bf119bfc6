import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseJsonRecord, parseLine, type ParseContext } from '../ingest/parsing/index.js';
import { type LogsourceMapping, type ResolvedLogsource } from './logsources.js';
import {
  CorrelationEngine,
  SigmaError,
  compileRule,
  parseSigmaDocuments,
  type CompiledRule,
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

export interface RulePack {
  rules: PackRule[];
  correlations: SigmaCorrelation[];
  filters: SigmaFilter[];
  /** Every problem found, as `file:line:column: message`. */
  errors: string[];
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
 * flow list on the same line, which keeps every line number of the file unchanged.
 */
export function substituteCidrPlaceholders(text: string, placeholders: Placeholders, file: string, errors: string[]): string {
  return text
    .split('\n')
    .map((line, i) => {
      const m = CIDR_KEY_RE.exec(line);
      if (!m) return line;
      const values = placeholders[m[4]];
      if (!values) {
        errors.push(`${file}:${i + 1}:1: unknown placeholder %${m[4]}% (define it in rules/placeholders.yml or the settings)`);
        return line;
      }
      return `${m[1]}|cidr${m[2]}[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
    })
    .join('\n');
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

/** Loads every rule file in the given folders and files (one bad rule never stops the others). */
export function loadRulePack(paths: string | readonly string[], mapping: LogsourceMapping, placeholders: Placeholders, baseDir = process.cwd()): RulePack {
  const errors: string[] = [];
  const rules: SigmaRule[] = [];
  const correlations: SigmaCorrelation[] = [];
  const filters: SigmaFilter[] = [];
  const files = (typeof paths === 'string' ? [paths] : paths).flatMap((p) => (statSync(p).isDirectory() ? ymlFiles(p) : [p]));
  for (const path of files) {
    const file = relative(baseDir, path);
    const text = substituteCidrPlaceholders(readFileSync(path, 'utf8'), placeholders, file, errors);
    const parsed = parseSigmaDocuments(text, file);
    errors.push(...parsed.errors.map(String));
    rules.push(...parsed.rules);
    correlations.push(...parsed.correlations);
    filters.push(...parsed.filters);
  }
  const packRules: PackRule[] = [];
  for (const rule of rules) {
    const unknown = mapping.validateRule(rule);
    if (unknown) {
      errors.push(String(unknown));
      continue;
    }
    const logsource = mapping.resolve(rule.logsource);
    try {
      const compiled = compileRule(rule, { fieldMapper: logsource.fieldMapper, keywordFields: logsource.keywordFields, placeholders, filters });
      packRules.push({ rule, compiled, logsource, matches: (e) => logsource.matches(e) && compiled.matches(e) });
    } catch (err) {
      if (err instanceof SigmaError) errors.push(String(err));
      else throw err;
    }
  }
  errors.push(...CorrelationEngine.validate(correlations, rules).map(String));
  return { rules: packRules, correlations, filters, errors };
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
