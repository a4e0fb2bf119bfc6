import type { DetectionItem, LogSource, SearchNode, SigmaFilter, SigmaLevel, SigmaRule, SigmaStatus, Detection } from './ast.js';
import { selectIdentifiers, type ConditionNode } from './condition.js';
import { SigmaError, type SourcePos } from './errors.js';
import { EvalContext, fieldAccess, type FieldAccess, type FieldHint, type FieldValues, type HintClause } from './event.js';
import { processItem, type ModifierSettings, type Spec } from './modifiers.js';
import { ipInNet, longestLiteral, needleSet, parseIp, shapeOf, timePart } from './primitives.js';
import { compileSigmaRegex, requiredLiteral } from './regex.js';
import { posInScalar } from './yaml.js';

export type FieldMapper = (name: string) => string[];

export interface CompileOptions extends ModifierSettings {
  /**
   * Sigma field name → candidate event paths (e.g. 'CommandLine' → ['process.command_line',
   * 'CommandLine']). A field matches when any candidate path's value matches. Default: the name itself.
   */
  fieldMapper?: FieldMapper;
  /**
   * Where keyword (field-less) searches look. Default: every scalar value of the event. Give e.g.
   * ['message'] to search only the raw log line; a field naming an object (`winlog`) is searched
   * in every value below it.
   */
  keywordFields?: string[];
  /** Sigma filters; those that name this rule (or 'any') and fit its logsource are AND-ed in. */
  filters?: readonly SigmaFilter[];
  /** @internal validation mode: collect errors here and keep going instead of throwing. */
  collectErrors?: SigmaError[];
}

export interface CompiledRule {
  id?: string;
  name?: string;
  title: string;
  level?: SigmaLevel;
  status?: SigmaStatus;
  tags: string[];
  logsource: LogSource;
  rule: SigmaRule;
  /** Titles (or ids) of the filters applied to this rule. */
  filters: string[];
  /**
   * Prefilter: when defined, the rule can only match an event in which every clause has a hint
   * that occurs: its lower-cased string inside the lower-cased string form of a value of its field
   * (numbers and booleans included; see `eventMayMatch`). The most selective clauses, at most
   * MAX_CLAUSES: `Image|endswith: '\cmd.exe'` and `CommandLine|contains: assoc` both, not either
   * anywhere. Undefined when none can be derived (a rule that only tests numbers, regexes without
   * a literal, or absence).
   */
  hintClauses?: HintClause[];
  /**
   * Prefilter: the rule can only match an event in which, for each of these, the field read by
   * `access` has a value whose key (see `valueKeys`) is in `keys`: most Windows rules pin an
   * EventID, a Channel or a provider, and an index by those values skips them on other events.
   * At most one per field; undefined when the rule requires no exact value.
   */
  requiredValues?: RequiredValues[];
  /** Evaluate against one event. Pass the same EvalContext to share field look-ups across rules. */
  matches(event: unknown, ctx?: EvalContext): boolean;
}

type Pred = (ctx: EvalContext) => boolean;
type ValueTest = (fv: FieldValues, ctx: EvalContext) => boolean;

/** A field that must hold one of some exact values for a rule to match (a necessary condition). */
export interface RequiredValues {
  access: FieldAccess;
  /** Keys as `valueKeys` makes them: `s:` + lower-cased text, `n:` + number. */
  keys: string[];
}

/**
 * The keys one event value is indexed under: its lower-cased string form, and its number when it
 * reads as one (so the rule value 4688 finds the event values 4688 and "4688", as the exact
 * match does).
 */
export function valueKeys(x: unknown, into: string[]): void {
  const s = x === null ? undefined : typeof x === 'object' ? undefined : String(x);
  if (s === undefined) return;
  into.push('s:' + s.toLowerCase());
  const n = toNumber(x);
  if (n !== undefined) into.push('n:' + String(n));
}

/** A compiled piece with a rough cost (to run cheap tests first). */
interface Piece<T> {
  test: T;
  cost: number;
}

/** A test of a field's values, with the strings one of which a value must contain for it to pass. */
interface ValuePiece extends Piece<ValueTest> {
  hints?: string[];
}

/** A condition, with its prefilters: hint clauses and required values. */
interface Condition extends Piece<Pred> {
  clauses?: HintClause[];
  required?: RequiredValues[];
}

/**
 * Clauses kept per condition. Two cut SigmaHQ's process creation candidates from 26 to about 5 an
 * event (an image and a command line, say); a third cut few more and cost more in scanning, its
 * needles mostly growing the command-line automaton past the processor's cache.
 */
const MAX_CLAUSES = 2;
/**
 * A clause past the first is kept only when all its needles are at least this long: a short one
 * (`-c`, `/s `, `^^`) is in most command lines, so it excludes little and only adds to the scan.
 */
const EXTRA_CLAUSE_MIN_NEEDLE = 4;

const NEVER: Condition = { test: () => false, cost: 0 };
const identity: FieldMapper = (name) => [name];

export function compileRule(rule: SigmaRule, options: CompileOptions = {}): CompiledRule {
  const c = new Compiler(rule.file, options);
  let root = c.detection(rule.detection);
  const applied: string[] = [];
  for (const f of options.filters ?? []) {
    if (!filterApplies(f, rule)) continue;
    root = and([root, new Compiler(f.file, options).detection(f.detection)]);
    applied.push(f.title || f.id || '(untitled filter)');
  }
  const test = root.test;
  return {
    id: rule.id,
    name: rule.name,
    title: rule.title,
    level: rule.level,
    status: rule.status,
    tags: rule.tags,
    logsource: rule.logsource,
    rule,
    filters: applied,
    hintClauses: root.clauses,
    requiredValues: root.required,
    matches: (event, ctx) => test(ctx ?? new EvalContext(event)),
  };
}

/** A compiled filter on its own (to inspect or test it); `compileRule` applies filters itself. */
export function compileFilter(filter: SigmaFilter, options: CompileOptions = {}): { appliesTo(rule: SigmaRule): boolean; passes(event: unknown, ctx?: EvalContext): boolean } {
  const p = new Compiler(filter.file, options).detection(filter.detection);
  return { appliesTo: (rule) => filterApplies(filter, rule), passes: (event, ctx) => p.test(ctx ?? new EvalContext(event)) };
}

/**
 * A filter applies to a rule it names by id or name (or to every rule with `rules: any`), when
 * every logsource attribute the filter sets equals the rule's.
 */
export function filterApplies(filter: SigmaFilter, rule: SigmaRule): boolean {
  for (const key of ['product', 'category', 'service'] as const) {
    const want = filter.logsource[key];
    if (want !== undefined && want.toLowerCase() !== (rule.logsource[key] ?? '').toLowerCase()) return false;
  }
  if (filter.rules === 'any') return true;
  const keys = [rule.id, rule.name].filter((x): x is string => !!x).map((x) => x.toLowerCase());
  return filter.rules.some((r) => keys.includes(r.ref.toLowerCase()));
}

class Compiler {
  private readonly mapper: FieldMapper;
  private readonly keywordAccess?: FieldAccess;
  private readonly accessCache = new Map<string, FieldAccess>();

  constructor(
    private readonly file: string,
    private readonly options: CompileOptions,
  ) {
    this.mapper = options.fieldMapper ?? identity;
    if (options.keywordFields) this.keywordAccess = fieldAccess(options.keywordFields, true);
  }

  private fail(e: unknown): Condition {
    if (e instanceof SigmaError && this.options.collectErrors) {
      this.options.collectErrors.push(e);
      return NEVER;
    }
    throw e;
  }

  private access(field: string): FieldAccess {
    let a = this.accessCache.get(field);
    if (!a) {
      const mapped = this.mapper(field);
      a = fieldAccess(mapped.length > 0 ? mapped : [field]);
      this.accessCache.set(field, a);
    }
    return a;
  }

  detection(d: Detection): Condition {
    const searches = new Map<string, Condition>();
    for (const [name, s] of d.searches) searches.set(name, this.search(s.node));
    const conds = d.conditions.map((cs) => this.condition(cs.tree, searches, (offset) => posInScalar(cs.node, offset)));
    return conds.length === 1 ? conds[0] : or(conds);
  }

  private condition(node: ConditionNode, searches: Map<string, Condition>, at: (offset: number) => SourcePos): Condition {
    try {
      switch (node.kind) {
        case 'id': {
          const s = searches.get(node.name);
          if (!s) throw this.condError(`search identifier '${node.name}' is not defined in detection`, node.offset, at);
          return s;
        }
        case 'not': {
          const inner = this.condition(node.arg, searches, at);
          const t = inner.test;
          // (no prefilter survives a negation)
          return { test: (ctx) => !t(ctx), cost: inner.cost };
        }
        case 'and':
          return and(node.args.map((a) => this.condition(a, searches, at)));
        case 'or':
          return or(node.args.map((a) => this.condition(a, searches, at)));
        case 'of': {
          const ids = selectIdentifiers(node.pattern, searches.keys());
          if (ids.length === 0) {
            throw this.condError(`'${node.pattern}' matches no search identifier`, node.offset, at);
          }
          const parts = ids.map((id) => searches.get(id)!);
          return node.quantifier === 'all' ? and(parts) : or(parts);
        }
      }
    } catch (e) {
      return this.fail(e);
    }
  }

  private condError(message: string, offset: number, at: (offset: number) => SourcePos): SigmaError {
    const pos = at(offset);
    return new SigmaError(`condition (column ${offset + 1}): ${message}`, this.file, pos.line, pos.column);
  }

  private search(node: SearchNode): Condition {
    switch (node.kind) {
      case 'item':
        try {
          return this.item(node.item);
        } catch (e) {
          return this.fail(e);
        }
      case 'and':
        return and(node.children.map((c) => this.search(c)));
      case 'or':
        return or(node.children.map((c) => this.search(c)));
    }
  }

  private item(item: DetectionItem): Condition {
    const spec = processItem(item, this.file, this.options);
    const groups = spec.all ? spec.values.map((v) => this.orGroup([v])) : [this.orGroup(spec.values)];
    let vt: ValueTest;
    if (groups.length === 1) vt = groups[0].test;
    else {
      const tests = groups.map((g) => g.test);
      vt = (fv, ctx) => {
        for (const t of tests) if (!t(fv, ctx)) return false;
        return true;
      };
    }
    let test: Pred;
    let cost = groups.reduce((a, g) => a + g.cost, 0);
    // a keyword search without keyword fields reads every value: its hints are sought anywhere
    let access: FieldAccess | undefined;
    if (item.field === null) {
      const ka = (access = this.keywordAccess);
      test = (ctx) => vt(ctx.keywords(ka), ctx);
      cost += 10;
    } else {
      const a = (access = this.access(item.field));
      test = (ctx) => vt(ctx.field(a), ctx);
    }
    if (spec.negate) {
      const pos = test;
      return { test: (ctx) => !pos(ctx), cost };
    }
    // every group must pass (`|all`): each is a clause of its own
    const clauses = groups.flatMap((g) => (g.hints ? [g.hints.map((needle): FieldHint => ({ access, needle }))] : []));
    const keys = item.field === null ? undefined : exactKeys(spec);
    return { test, cost, clauses: bestClauses(clauses), required: keys && [{ access: this.access(item.field!), keys }] };
  }

  /** Values of one item that are OR-ed: string shapes are merged into sets and one regex. */
  private orGroup(values: Spec[]): ValuePiece {
    const flat: Spec[] = [];
    const flatten = (v: Spec) => (v.t === 'any' ? v.alts.forEach(flatten) : flat.push(v));
    values.forEach(flatten);

    const tests: ValuePiece[] = [];
    const strGroups = new Map<boolean, Extract<Spec, { t: 'str' }>[]>();
    for (const v of flat) {
      if (v.t === 'str') {
        const list = strGroups.get(v.cased) ?? [];
        list.push(v);
        strGroups.set(v.cased, list);
      } else {
        tests.push(this.valueTest(v));
      }
    }
    for (const [cased, list] of strGroups) tests.push(stringGroup(list, cased));

    let hints: string[] | undefined = [];
    for (const t of tests) {
      if (!t.hints || !hints) hints = undefined;
      else hints.push(...t.hints);
    }
    tests.sort((a, b) => a.cost - b.cost);
    const cost = tests.reduce((a, t) => a + t.cost, 0);
    if (tests.length === 1) return { test: tests[0].test, cost, hints: dedupe(hints) };
    const fns = tests.map((t) => t.test);
    return {
      test: (fv, ctx) => {
        for (const f of fns) if (f(fv, ctx)) return true;
        return false;
      },
      cost,
      hints: dedupe(hints),
    };
  }

  private valueTest(v: Spec): ValuePiece {
    switch (v.t) {
      case 'num': {
        const n = v.n;
        return {
          test: (fv) => {
            for (const x of fv.values) {
              if (typeof x === 'number' ? x === n : typeof x === 'string' && x.trim() !== '' && Number(x) === n) return true;
              if (typeof x === 'bigint' && Number(x) === n) return true;
            }
            return false;
          },
          cost: 1,
        };
      }
      case 'bool': {
        const b = v.b;
        const s = String(b);
        return {
          test: (fv) => {
            for (const x of fv.values) if (x === b || (typeof x === 'string' && x.toLowerCase() === s)) return true;
            return false;
          },
          cost: 1,
        };
      }
      case 'null':
        return {
          test: (fv) => {
            for (const x of fv.values) if (x !== null) return false;
            return true;
          },
          cost: 1,
        };
      case 'exists': {
        const b = v.b;
        return { test: (fv) => fv.present === b, cost: 1 };
      }
      case 're': {
        const re = compileSigmaRegex(v, this.file);
        const literal = requiredLiteral(v.src, v.flags);
        return {
          test: (fv) => {
            for (const s of fv.strings()) if (s !== undefined && re.test(s)) return true;
            return false;
          },
          cost: 8,
          hints: literal === undefined ? undefined : [literal],
        };
      }
      case 'cidr': {
        const net = v.net;
        return {
          test: (fv) => {
            for (const s of fv.strings()) {
              if (s === undefined) continue;
              const ip = parseIp(s);
              if (ip && ipInNet(ip, net)) return true;
            }
            return false;
          },
          cost: 4,
        };
      }
      case 'cmp': {
        const { op, n, unit } = v;
        const cmp = comparator(op, n);
        return {
          test: (fv) => {
            for (const x of fv.values) {
              const num = unit ? timePart(x, unit) : toNumber(x);
              if (num !== undefined && cmp(num)) return true;
            }
            return false;
          },
          cost: unit ? 6 : 2,
        };
      }
      case 'time': {
        const { unit, n } = v;
        return {
          test: (fv) => {
            for (const x of fv.values) if (timePart(x, unit) === n) return true;
            return false;
          },
          cost: 6,
        };
      }
      case 'fieldref': {
        const other = this.access(v.field);
        const { mode, cased } = v;
        const rel =
          mode === 'contains'
            ? (a: string, b: string) => a.includes(b)
            : mode === 'startswith'
              ? (a: string, b: string) => a.startsWith(b)
              : mode === 'endswith'
                ? (a: string, b: string) => a.endsWith(b)
                : (a: string, b: string) => a === b;
        return {
          test: (fv, ctx) => {
            const ofv = ctx.field(other);
            const mine = cased ? fv.strings() : fv.lowers();
            const theirs = cased ? ofv.strings() : ofv.lowers();
            for (const a of mine) {
              if (a === undefined) continue;
              for (const b of theirs) if (b !== undefined && rel(a, b)) return true;
            }
            return false;
          },
          cost: 4,
        };
      }
      case 'str':
        return stringGroup([v], v.cased);
      case 'any':
        return this.orGroup(v.alts);
    }
  }
}

function toNumber(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isNaN(x) ? undefined : x;
  if (typeof x === 'string') {
    if (x.trim() === '') return undefined;
    const n = Number(x);
    return Number.isNaN(n) ? undefined : n;
  }
  if (typeof x === 'bigint') return Number(x);
  return undefined;
}

function comparator(op: 'lt' | 'lte' | 'gt' | 'gte', n: number): (x: number) => boolean {
  switch (op) {
    case 'lt':
      return (x) => x < n;
    case 'lte':
      return (x) => x <= n;
    case 'gt':
      return (x) => x > n;
    case 'gte':
      return (x) => x >= n;
  }
}

/**
 * All string values of an OR group with the same case mode, merged: exact values go into a Set,
 * `contains` needles into one multi-needle matcher, wildcard patterns into backtracking-free matchers.
 * Case-insensitive groups compare lower-cased literals with the (cached) lower-cased value.
 */
function stringGroup(list: Extract<Spec, { t: 'str' }>[], cased: boolean): ValuePiece {
  const exact = new Set<string>();
  const contains: string[] = [];
  const prefix: string[] = [];
  const suffix: string[] = [];
  const patterns: ((s: string) => boolean)[] = [];
  let any = false;
  let hints: string[] | undefined = [];
  for (const v of list) {
    const shape = shapeOf(v.parts, !cased);
    switch (shape.kind) {
      case 'exact':
        exact.add(shape.text);
        break;
      case 'contains':
        contains.push(shape.text);
        break;
      case 'prefix':
        prefix.push(shape.text);
        break;
      case 'suffix':
        suffix.push(shape.text);
        break;
      case 'any':
        any = true;
        break;
      case 'pattern':
        patterns.push(shape.test);
        break;
    }
    const lit = v.bin ? '' : longestLiteral(v.parts).toLowerCase();
    if (!lit || !hints) hints = undefined;
    else hints.push(lit);
  }
  const subs: ((s: string) => boolean)[] = [];
  let cost = 0;
  if (any) {
    subs.push(() => true);
  } else {
    if (exact.size === 1) {
      const [only] = exact;
      subs.push((s) => s === only);
      cost += 1;
    } else if (exact.size > 1) {
      subs.push((s) => exact.has(s));
      cost += 1;
    }
    if (prefix.length) {
      subs.push(anyOf(prefix, (s, p) => s.startsWith(p)));
      cost += 2;
    }
    if (suffix.length) {
      subs.push(anyOf(suffix, (s, p) => s.endsWith(p)));
      cost += 2;
    }
    if (contains.length) {
      const ns = needleSet(contains);
      subs.push((s) => ns.test(s));
      cost += 3;
    }
    if (patterns.length) {
      subs.push(anyOf(patterns, (s, matches) => matches(s)));
      cost += 5;
    }
  }
  const one = subs.length === 1 ? subs[0] : undefined;
  const strTest = one ?? ((s: string) => {
    for (const f of subs) if (f(s)) return true;
    return false;
  });
  const test: ValueTest = cased
    ? (fv) => {
        for (const s of fv.strings()) if (s !== undefined && strTest(s)) return true;
        return false;
      }
    : (fv) => {
        for (const s of fv.lowers()) if (s !== undefined && strTest(s)) return true;
        return false;
      };
  return { test, cost: Math.max(cost, 1), hints: dedupe(hints) };
}

/** `s` relates to any of `list` (specialised for the common one-element list). */
function anyOf<T>(list: T[], rel: (s: string, p: T) => boolean): (s: string) => boolean {
  if (list.length === 1) {
    const only = list[0];
    return (s) => rel(s, only);
  }
  return (s) => {
    for (const p of list) if (rel(s, p)) return true;
    return false;
  };
}

function dedupe(h: string[] | undefined): string[] | undefined {
  return h ? [...new Set(h)] : undefined;
}

/**
 * How selective a clause looks: a short needle occurs in many values, so its shortest needle
 * counts most, then a field of its own (a needle anywhere meets more text), then fewer needles.
 */
function clauseScore(clause: HintClause): number {
  let shortest = Infinity;
  let anywhere = 0;
  for (const h of clause) {
    if (h.needle.length < shortest) shortest = h.needle.length;
    if (!h.access) anywhere = 1;
  }
  return shortest * 1000 - anywhere * 500 - clause.length;
}

/** Of clauses that must all hold (AND), the most selective few (see MAX_CLAUSES), the best first. */
function bestClauses(clauses: HintClause[]): HintClause[] | undefined {
  const byKey = new Map<string, HintClause>();
  for (const c of clauses) if (c.length > 0) byKey.set(clauseKey(c), c);
  if (byKey.size === 0) return undefined;
  const [best, ...others] = [...byKey.values()].sort((a, b) => clauseScore(b) - clauseScore(a));
  return [best, ...others.filter((c) => c.every((h) => h.needle.length >= EXTRA_CLAUSE_MIN_NEEDLE)).slice(0, MAX_CLAUSES - 1)];
}

function clauseKey(clause: HintClause): string {
  return clause
    .map((h) => `${h.access?.slot ?? 0}:${h.needle}`)
    .sort()
    .join('\u0000');
}

/**
 * Of alternatives (OR), clauses that hold whichever alternative does: any hint of the first clause
 * of each, and any hint of the second (or only) clause of each. Whichever alternative holds, all
 * its clauses do, so each union does; the second union keeps what an alternative's own second
 * clause excludes. SigmaHQ's "Command Line Path Traversal" reads `(Image contains \Windows\ and
 * CommandLine contains \..\) or CommandLine contains .exe\..\`: its first union holds for nearly
 * every process, the second only for command lines with a traversal in them.
 */
function eitherClauses(parts: readonly Condition[]): HintClause[] | undefined {
  if (parts.some((p) => !p.clauses)) return undefined;
  const unions: HintClause[] = [];
  for (let k = 0; k < MAX_CLAUSES; k++) {
    const byKey = new Map<string, FieldHint>();
    for (const p of parts) for (const h of p.clauses![Math.min(k, p.clauses!.length - 1)]) byKey.set(`${h.access?.slot ?? 0}:${h.needle}`, h);
    unions.push([...byKey.values()]);
  }
  return bestClauses(unions);
}

function and(parts: Condition[]): Condition {
  if (parts.length === 1) return parts[0];
  const sorted = [...parts].sort((a, b) => a.cost - b.cost);
  const fns = sorted.map((p) => p.test);
  const cost = parts.reduce((a, p) => a + p.cost, 0);
  const clauses = bestClauses(parts.flatMap((p) => p.clauses ?? []));
  const required = allRequired(parts.map((p) => p.required));
  if (fns.length === 2) {
    const [a, b] = fns;
    return { test: (ctx) => a(ctx) && b(ctx), cost, clauses, required };
  }
  return {
    test: (ctx) => {
      for (const f of fns) if (!f(ctx)) return false;
      return true;
    },
    cost,
    clauses,
    required,
  };
}

function or(parts: Condition[]): Condition {
  if (parts.length === 1) return parts[0];
  const sorted = [...parts].sort((a, b) => a.cost - b.cost);
  const fns = sorted.map((p) => p.test);
  const cost = parts.reduce((a, p) => a + p.cost, 0);
  const clauses = eitherClauses(parts);
  const required = eitherRequired(parts.map((p) => p.required));
  if (fns.length === 2) {
    const [a, b] = fns;
    return { test: (ctx) => a(ctx) || b(ctx), cost, clauses, required };
  }
  return {
    test: (ctx) => {
      for (const f of fns) if (f(ctx)) return true;
      return false;
    },
    cost,
    clauses,
    required,
  };
}

/**
 * The index keys of an item that matches only exact values (numbers, or strings without
 * wildcards): an event can only match when its field has one of them. Undefined for anything
 * looser (wildcards, modifiers other than exact matching, `all` over several values, encodings).
 */
function exactKeys(spec: ReturnType<typeof processItem>): string[] | undefined {
  if (spec.all && spec.values.length > 1) return undefined;
  const keys: string[] = [];
  const visit = (v: Spec): boolean => {
    if (v.t === 'any') return v.alts.every(visit);
    if (v.t === 'num') return keys.push('n:' + String(v.n)) > 0;
    if (v.t !== 'str' || v.bin) return false;
    const shape = shapeOf(v.parts, true);
    return shape.kind === 'exact' && keys.push('s:' + shape.text) > 0;
  };
  return spec.values.length > 0 && spec.values.every(visit) ? [...new Set(keys)] : undefined;
}

/**
 * What several conditions that must all hold require: every field any of them requires. Of two
 * requirements on one field the one with fewer values is kept, not their intersection: a field
 * can have several values (an array, or two mapped paths), and each requirement may be met by a
 * different one.
 */
function allRequired(lists: (RequiredValues[] | undefined)[]): RequiredValues[] | undefined {
  const bySlot = new Map<number, RequiredValues>();
  for (const list of lists) {
    for (const r of list ?? []) {
      const had = bySlot.get(r.access.slot);
      if (!had || r.keys.length < had.keys.length) bySlot.set(r.access.slot, r);
    }
  }
  return bySlot.size ? [...bySlot.values()] : undefined;
}

/** What one of several alternatives requires: a field every alternative requires, with any of their values. */
function eitherRequired(lists: (RequiredValues[] | undefined)[]): RequiredValues[] | undefined {
  const [first, ...rest] = lists;
  const out: RequiredValues[] = [];
  for (const r of first ?? []) {
    const others = rest.map((list) => list?.find((o) => o.access.slot === r.access.slot));
    if (others.every((o) => o !== undefined)) out.push({ access: r.access, keys: [...new Set([r, ...others].flatMap((o) => o!.keys))] });
  }
  return out.length ? out : undefined;
}
