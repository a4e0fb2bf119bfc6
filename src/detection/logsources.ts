import { parse as parseYaml } from 'yaml';
import { pathKeys, type FieldMapper, type LogSource, type PathKeys } from './sigma/index.js';

/**
 * Sigma logsource mapping: which normalized events a rule's `logsource` (product, category,
 * service) stands for, and where Sigma's field names live in those events. The mapping itself is
 * data (rules/logsources.yml, documented at its top) so deployments can add their own sources
 * without code changes.
 */

const ATTRIBUTES = ['product', 'category', 'service'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

/**
 * Coarse bucket for a rule index: keys one of which every event of the logsource has, or 'any'.
 * A key is an `event.dataset` value, or `module:` and an `event.module` value.
 */
export type IndexKey = readonly string[] | 'any';

const MODULE_KEY = 'module:';

/** The index keys an event files under: its dataset and its module. */
export function eventIndexKeys(event: { event: { dataset: string; module: string } }): [string, string] {
  return [event.event.dataset, MODULE_KEY + event.event.module];
}

/** The event-store filter that selects every event a logsource with this index key can match. */
export function indexFilters(key: IndexKey): { 'event.dataset'?: string[]; 'event.module'?: string[] } {
  if (key === 'any') return {};
  const modules = key.filter((k) => k.startsWith(MODULE_KEY));
  if (modules.length === 0) return { 'event.dataset': [...key] };
  return modules.length === key.length ? { 'event.module': modules.map((k) => k.slice(MODULE_KEY.length)) } : {};
}

export interface ResolvedLogsource {
  /** Canonical text of the logsource, e.g. `product=linux service=sshd`. */
  key: string;
  /** Does the event belong to this logsource? Cheap: a few property reads and Set look-ups. */
  matches(event: unknown): boolean;
  /**
   * The event paths `matches` reads: two events whose `conditionValues` at these paths are equal
   * get the same verdict.
   */
  paths: readonly string[];
  fieldMapper: FieldMapper;
  /** Where field-less (keyword) searches look (undefined: everywhere); for `compileRule(…, { keywordFields })`. */
  keywordFields?: string[];
  /** Every event this logsource matches has one of these index keys (or 'any'). */
  indexKey: IndexKey;
  /** Sigma field names (lower case) this source cannot provide: rules using them stay dormant. */
  unavailable: ReadonlySet<string>;
}

/** A logsource no entry of the mapping names: the rules written for it have no events yet. */
export class UnknownLogsourceError extends Error {
  /** Canonical text of the logsource, e.g. `product=azure service=signinlogs`. */
  readonly key: string;
  /** The attribute nobody maps, e.g. `product 'azure'`. */
  readonly missing: string;
  constructor(
    readonly logsource: LogSource,
    readonly attribute: Attribute,
  ) {
    super(`unknown logsource ${attribute} '${logsource[attribute]}' (in ${describe(logsource)}); rules/logsources.yml has no entry for it`);
    this.name = 'UnknownLogsourceError';
    this.key = describe(logsource);
    this.missing = `${attribute} '${logsource[attribute]}'`;
  }
}

type EventTest = (event: unknown) => boolean;

interface Entry {
  selector: Partial<Record<Attribute, string>>;
  specificity: number;
  /** OR of branches, each an AND of tests; undefined = no condition. */
  test?: EventTest;
  /** The paths `test` reads. */
  paths: string[];
  /** Index keys the condition allows, or 'any' when it constrains neither dataset nor module. */
  keys: IndexKey;
  fields: Map<string, string[]>;
  fallback?: string[];
  unavailable: string[];
  /** Where keyword searches look for this entry's events; [] means every value. */
  keywords?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(ls: LogSource): string {
  return ATTRIBUTES.filter((a) => ls[a] !== undefined).map((a) => `${a}=${ls[a]}`).join(' ') || '(empty logsource)';
}

/**
 * Does some leaf at a dotted path pass `ok`? Nested objects and flattened keys (`"event.dataset"`)
 * both count, as the Sigma engine resolves paths; arrays fan out. Asked of every event, so
 * nothing is collected on the way.
 */
function someAt(obj: unknown, keys: PathKeys, i: number, ok: (x: unknown) => boolean): boolean {
  if (i === keys.length) {
    if (!Array.isArray(obj)) return obj !== undefined && ok(obj);
    for (let k = 0; k < obj.length; k++) if (ok(obj[k])) return true;
    return false;
  }
  if (Array.isArray(obj)) {
    for (const el of obj) if (someAt(el, keys, i, ok)) return true;
    return false;
  }
  if (!isObject(obj)) return false;
  const row = keys[i];
  for (let k = 0; k < row.length; k++) if (Object.hasOwn(obj, row[k]) && someAt(obj[row[k]], keys, i + k + 1, ok)) return true;
  return false;
}

/**
 * The values at a dotted path as the conditions see them (see `someAt`: each value a condition
 * passes to its test), written down so that different values never read the same: a test sees
 * numbers, strings and booleans as text and anything else only as null or not null. Each value
 * is a tag (s n b z u o), then for a string its length, `:` and the string, and a NUL after it.
 */
export function conditionValues(obj: unknown, keys: PathKeys, i = 0): string {
  if (i === keys.length) {
    if (!Array.isArray(obj)) return obj === undefined ? '' : valueCode(obj);
    let code = '';
    for (let k = 0; k < obj.length; k++) code += valueCode(obj[k]);
    return code;
  }
  let code = '';
  if (Array.isArray(obj)) {
    for (const el of obj) code += conditionValues(el, keys, i);
    return code;
  }
  if (!isObject(obj)) return code;
  const row = keys[i];
  for (let k = 0; k < row.length; k++) if (Object.hasOwn(obj, row[k])) code += conditionValues(obj[row[k]], keys, i + k + 1);
  return code;
}

function valueCode(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `s${v.length}:${v}\u0000`;
    case 'number':
      return `n${String(v)}\u0000`;
    case 'boolean':
      return `b${String(v)}\u0000`;
    default:
      return v === null ? 'z\u0000' : v === undefined ? 'u\u0000' : 'o\u0000';
  }
}

function lowerString(v: unknown): string | undefined {
  return typeof v === 'string' ? v.toLowerCase() : typeof v === 'number' || typeof v === 'boolean' ? String(v).toLowerCase() : undefined;
}

class ConfigError extends Error {
  constructor(file: string, where: string, message: string) {
    super(`${file}: ${where}: ${message}`);
    this.name = 'LogsourceConfigError';
  }
}

function stringList(v: unknown, file: string, where: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
    throw new ConfigError(file, where, 'must be a value or a non-empty list of values');
  }
  return list.map(String);
}

interface Branch {
  tests: { test: EventTest; cost: number }[];
  paths: string[];
  /** Index keys from an `event.dataset` (preferred) or `event.module` condition. */
  keys?: string[];
}

const OPERATORS = 'expected `field`, `field|exists`, `field|startswith`, `field|contains` or `field|re`';

/** One `when` map: an AND of `path[|exists|startswith|contains|re]: value(s)` conditions. */
function compileBranch(map: unknown, file: string, where: string): Branch {
  if (!isObject(map) || Object.keys(map).length === 0) throw new ConfigError(file, where, 'must be a non-empty map of field conditions');
  const branch: Branch = { tests: [], paths: [] };
  for (const [rawKey, value] of Object.entries(map)) {
    const [path, op, ...rest] = rawKey.split('|');
    const at = `${where}.${rawKey}`;
    if (rest.length > 0 || !path) throw new ConfigError(file, at, OPERATORS);
    const segs = pathKeys(path);
    branch.paths.push(path);
    /** Some value at the path, as lower-case text, passes `ok`. */
    const some = (ok: (s: string) => boolean): EventTest => {
      const leafOk = (x: unknown) => {
        const s = lowerString(x);
        return s !== undefined && ok(s);
      };
      return (e) => someAt(e, segs, 0, leafOk);
    };
    if (op === 'exists') {
      if (typeof value !== 'boolean') throw new ConfigError(file, at, 'needs true or false');
      const notNull = (x: unknown) => x !== null;
      branch.tests.push({ test: (e) => someAt(e, segs, 0, notNull) === value, cost: 1 });
    } else if (op === 'startswith' || op === 'contains') {
      const needles = stringList(value, file, at).map((p) => p.toLowerCase());
      branch.tests.push({ test: some(op === 'startswith' ? (s) => needles.some((p) => s.startsWith(p)) : (s) => needles.some((p) => s.includes(p))), cost: 2 });
    } else if (op === 're') {
      let re: RegExp;
      try {
        re = new RegExp(stringList(value, file, at).join('|'), 'i');
      } catch (err) {
        throw new ConfigError(file, at, `invalid regular expression: ${(err as Error).message}`);
      }
      branch.tests.push({ test: some((s) => re.test(s)), cost: 3 });
    } else if (op === undefined) {
      const wanted = new Set(stringList(value, file, at).map((x) => x.toLowerCase()));
      if (path === 'event.dataset') branch.keys = [...wanted];
      else if (path === 'event.module' && !branch.keys?.length) branch.keys = [...wanted].map((m) => MODULE_KEY + m);
      // dataset and module go first: they are the tests most events fail
      branch.tests.push({ test: some((s) => wanted.has(s)), cost: path === 'event.dataset' || path === 'event.module' ? 0 : 1 });
    } else throw new ConfigError(file, at, `unknown operator '${op}' (${OPERATORS})`);
  }
  branch.tests.sort((a, b) => a.cost - b.cost);
  return branch;
}

function compileWhen(when: unknown, file: string, where: string): { test?: EventTest; keys: IndexKey; paths: string[] } {
  if (when === undefined || when === null) return { keys: 'any', paths: [] };
  const maps = Array.isArray(when) ? when : [when];
  if (maps.length === 0) throw new ConfigError(file, where, 'must not be an empty list');
  const branches = maps.map((m, i) => compileBranch(m, file, Array.isArray(when) ? `${where}[${i}]` : where));
  const ands = branches.map((b) => {
    const tests = b.tests.map((t) => t.test);
    return (e: unknown) => tests.every((t) => t(e));
  });
  const test: EventTest = ands.length === 1 ? ands[0] : (e) => ands.some((t) => t(e));
  // an event that passes some branch has one of that branch's keys, so the union is a valid index
  const keys = branches.every((b) => b.keys) ? [...new Set(branches.flatMap((b) => b.keys!))].sort() : 'any';
  return { test, keys, paths: [...new Set(branches.flatMap((b) => b.paths))] };
}

function parseFields(v: unknown, file: string, where: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (v === undefined || v === null) return out;
  if (!isObject(v)) throw new ConfigError(file, where, 'must be a map of Sigma field name → path(s)');
  for (const [name, paths] of Object.entries(v)) out.set(name.toLowerCase(), stringList(paths, file, `${where}.${name}`));
  return out;
}

const keyKind = (key: readonly string[]) => (key.every((k) => k.startsWith(MODULE_KEY)) ? 'module' : key.some((k) => k.startsWith(MODULE_KEY)) ? 'mixed' : 'dataset');

/**
 * The index key of two conditions that must both hold. Either one alone is a valid key; two of
 * the same pure kind narrow to their intersection, otherwise the dataset one is kept.
 */
function intersect(a: IndexKey, b: IndexKey): IndexKey {
  if (a === 'any') return b;
  if (b === 'any') return a;
  const [ka, kb] = [keyKind(a), keyKind(b)];
  if (ka === kb && ka !== 'mixed') return a.filter((x) => b.includes(x));
  return kb === 'dataset' || ka === 'mixed' ? b : a;
}

export class LogsourceMapping {
  private readonly cache = new Map<string, ResolvedLogsource>();

  constructor(
    private readonly entries: readonly Entry[],
    private readonly globalFields: Map<string, string[]>,
    private readonly globalFallback: readonly string[],
    private readonly keywords: readonly string[],
  ) {}

  /** Resolves a rule's logsource; throws UnknownLogsourceError naming the attribute nobody maps. */
  resolve(logsource: LogSource): ResolvedLogsource {
    const key = describe(logsource);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const applying = this.entries.filter((e) =>
      ATTRIBUTES.every((a) => e.selector[a] === undefined || e.selector[a]!.toLowerCase() === logsource[a]?.toLowerCase()),
    );
    for (const a of ATTRIBUTES) {
      if (logsource[a] !== undefined && !applying.some((e) => e.selector[a] !== undefined)) throw new UnknownLogsourceError(logsource, a);
    }
    const tests = applying.flatMap((e) => (e.test ? [e.test] : []));
    const matches: EventTest = tests.length === 0 ? () => true : tests.length === 1 ? tests[0] : (ev) => tests.every((t) => t(ev));
    const resolved: ResolvedLogsource = {
      key,
      matches,
      paths: [...new Set(applying.flatMap((e) => e.paths))],
      fieldMapper: this.mapperFor(applying),
      keywordFields: this.keywordFields(applying),
      indexKey: applying.reduce<IndexKey>((acc, e) => intersect(acc, e.keys), 'any'),
      unavailable: new Set(applying.flatMap((e) => e.unavailable)),
    };
    this.cache.set(key, resolved);
    return resolved;
  }

  matcherFor(logsource: LogSource): (event: unknown) => boolean {
    return this.resolve(logsource).matches;
  }

  fieldMapper(logsource: LogSource): FieldMapper {
    return this.resolve(logsource).fieldMapper;
  }

  indexKey(logsource: LogSource): IndexKey {
    return this.resolve(logsource).indexKey;
  }

  /**
   * For correlations, which have no logsource of their own: the top-level field names, and dotted
   * (normalized) paths as themselves unless the top level maps them (`source.address`: the ip, or
   * the domain where a log names the peer only by name). One candidate per name where possible,
   * because a group-by value read from two paths would split groups.
   */
  readonly correlationFieldMapper: FieldMapper = (name) => this.globalFields.get(name.toLowerCase()) ?? [name];

  /** The most specific applying entry's keyword fields, else the top-level ones; undefined: every value. */
  private keywordFields(applying: readonly Entry[]): string[] | undefined {
    const own = [...applying].sort((a, b) => b.specificity - a.specificity).find((e) => e.keywords !== undefined)?.keywords;
    const fields = own ?? this.keywords;
    return fields.length > 0 ? [...fields] : undefined;
  }

  private mapperFor(applying: readonly Entry[]): FieldMapper {
    // most specific entries first; the first specificity level that knows a name decides
    const bySpecificity = [...applying].sort((a, b) => b.specificity - a.specificity);
    const levels: Entry[][] = [];
    for (const e of bySpecificity) {
      const last = levels[levels.length - 1];
      if (last && last[0].specificity === e.specificity) last.push(e);
      else levels.push([e]);
    }
    const pick = <T>(get: (e: Entry) => T[] | undefined): T[] | undefined => {
      for (const level of levels) {
        const found = level.flatMap((e) => get(e) ?? []);
        if (found.length > 0) return found;
      }
      return undefined;
    };
    const fallback = pick((e) => e.fallback) ?? this.globalFallback;
    const cache = new Map<string, string[]>();
    return (name) => {
      const lower = name.toLowerCase();
      let paths = cache.get(lower);
      if (!paths) {
        const explicit = pick((e) => e.fields.get(lower));
        // a dotted name is a normalized path unless the logsource maps it (e.g. Zeek's id.orig_h)
        if (name.includes('.')) paths = explicit ?? [name];
        else paths = [...new Set([...(explicit ?? this.globalFields.get(lower) ?? []), ...fallback.map((t) => fillTemplate(t, name))])];
        cache.set(lower, paths);
      }
      return paths;
    };
  }
}

/**
 * A fallback template for one field name: `{field}` is the name, `{field_spaced}` the name with
 * a space between its words (Defender's EventData says `Threat Name` where Sigma says ThreatName).
 */
function fillTemplate(template: string, name: string): string {
  if (!template.includes('{field_spaced}')) return template.replaceAll('{field}', name);
  const spaced = name.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2');
  return template.replaceAll('{field_spaced}', spaced).replaceAll('{field}', name);
}

/** Parses rules/logsources.yml (format documented at its top); throws naming the bad key. */
export function loadLogsourceMapping(yamlText: string, file = 'rules/logsources.yml'): LogsourceMapping {
  const doc: unknown = parseYaml(yamlText);
  if (!isObject(doc)) throw new ConfigError(file, '(top)', 'must be a map with `logsources`');
  for (const k of Object.keys(doc)) {
    if (!['keywords', 'fallback', 'fields', 'logsources'].includes(k)) throw new ConfigError(file, k, 'unknown key (expected keywords, fallback, fields, logsources)');
  }
  if (!Array.isArray(doc.logsources)) throw new ConfigError(file, 'logsources', 'must be a list');
  const entries = doc.logsources.map((raw, i): Entry => {
    const where = `logsources[${i}]`;
    if (!isObject(raw)) throw new ConfigError(file, where, 'must be a map');
    for (const k of Object.keys(raw)) {
      if (!['logsource', 'when', 'fields', 'fallback', 'unavailable', 'keywords'].includes(k)) throw new ConfigError(file, `${where}.${k}`, 'unknown key (expected logsource, when, fields, fallback, unavailable, keywords)');
    }
    const ls = raw.logsource;
    if (!isObject(ls)) throw new ConfigError(file, `${where}.logsource`, 'must be a map of product / category / service');
    const selector: Entry['selector'] = {};
    for (const [k, v] of Object.entries(ls)) {
      if (!(ATTRIBUTES as readonly string[]).includes(k) || typeof v !== 'string') {
        throw new ConfigError(file, `${where}.logsource.${k}`, 'only product, category and service, each a string');
      }
      selector[k as Attribute] = v;
    }
    const specificity = Object.keys(selector).length;
    if (specificity === 0) throw new ConfigError(file, `${where}.logsource`, 'names no attribute');
    const { test, keys, paths } = compileWhen(raw.when, file, `${where}.when`);
    return {
      selector,
      specificity,
      test,
      keys,
      paths,
      fields: parseFields(raw.fields, file, `${where}.fields`),
      fallback: raw.fallback === undefined ? undefined : stringList(raw.fallback, file, `${where}.fallback`),
      unavailable: raw.unavailable === undefined ? [] : stringList(raw.unavailable, file, `${where}.unavailable`).map((f) => f.toLowerCase()),
      keywords: raw.keywords === undefined ? undefined : raw.keywords === '*' ? [] : stringList(raw.keywords, file, `${where}.keywords`),
    };
  });
  return new LogsourceMapping(
    entries,
    parseFields(doc.fields, file, 'fields'),
    doc.fallback === undefined ? [] : stringList(doc.fallback, file, 'fallback'),
    doc.keywords === undefined ? [] : stringList(doc.keywords, file, 'keywords'),
  );
}
