import {
  CONDITION_OPERATORS,
  CORRELATION_TYPES,
  LEVELS,
  STATUSES,
  type ConditionOperator,
  type ConditionSource,
  type CorrelationCondition,
  type CorrelationType,
  type Detection,
  type DetectionItem,
  type LogSource,
  type RuleTests,
  type SearchNode,
  type SigmaCorrelation,
  type SigmaFilter,
  type SigmaLevel,
  type SigmaRule,
  type SigmaStatus,
  type ValueNode,
} from './ast.js';
import { compileFilter, compileRule } from './compile.js';
import { parseCondition } from './condition.js';
import { SigmaError, type SourcePos } from './errors.js';
import { MODIFIER_NAMES } from './modifiers.js';
import { parseYamlDocuments, posInKey, posInScalar, toJS, yget, type YamlDocuments, type YMap, type YMapEntry, type YNode, type YScalar } from './yaml.js';

export interface ParseResult {
  rules: SigmaRule[];
  correlations: SigmaCorrelation[];
  filters: SigmaFilter[];
  /** Every problem found; a document with errors is left out of the lists above. */
  errors: SigmaError[];
  /** Things that are valid Sigma but probably not what the author meant; the documents still load. */
  warnings: SigmaError[];
  /** Documents left out because of errors (a YAML error counts once per line it is on). */
  invalid: number;
}

export interface ParseOptions {
  /** The text's documents when the caller has them already (a cache of parsed files). */
  yaml?: YamlDocuments;
  /**
   * In place of the test-compile of a rule: a compilation of the caller's own whose errors are
   * those the test-compile would report (so a rule that is compiled to run is compiled once).
   */
  checkRule?: (rule: SigmaRule) => SigmaError[];
}

/** Compiles a rule without settings, for its errors: placeholders of `expand` stay as written. */
export function testCompile(rule: SigmaRule): SigmaError[] {
  const collect: SigmaError[] = [];
  compileRule(rule, { lenientPlaceholders: true, collectErrors: collect });
  return collect;
}

/**
 * Parses a (multi-document) Sigma YAML file. Each document is a rule (`detection`), a correlation
 * rule (`correlation`) or a filter (`filter`). Rules and filters are also test-compiled so that
 * modifier, regex, CIDR and condition-reference errors are reported here, with positions.
 * Placeholders of `expand` are only checked at compile time, when their values are known.
 */
export function parseSigmaDocuments(text: string, fileName = '<input>', options: ParseOptions = {}): ParseResult {
  const { docs, errors } = options.yaml ?? parseYamlDocuments(text, fileName);
  const checkRule = options.checkRule ?? testCompile;
  const result: ParseResult = { rules: [], correlations: [], filters: [], errors: [...errors], warnings: [], invalid: new Set(errors.map((e) => e.line)).size };
  const seenIds = new Map<string, SourcePos>();
  const seenNames = new Map<string, SourcePos>();
  for (const doc of docs) {
    if (!doc.root) continue;
    const p = new DocParser(fileName, doc.index);
    if (doc.root.kind !== 'map') {
      result.errors.push(SigmaError.at('a Sigma document must be a YAML map', fileName, doc.root.pos));
      result.invalid++;
      continue;
    }
    const parsed = p.document(doc.root);
    result.warnings.push(...p.warnings);
    if (parsed) {
      for (const [key, seen] of [
        ['id', seenIds],
        ['name', seenNames],
      ] as const) {
        const v = parsed[key];
        if (!v) continue;
        const prev = seen.get(v);
        if (prev) p.errors.push(SigmaError.at(`duplicate ${key} '${v}' (first used at line ${prev.line})`, fileName, parsed.pos));
        else seen.set(v, parsed.pos);
      }
    }
    if (parsed && parsed.kind !== 'correlation' && p.errors.length === 0) {
      // Test-compile: modifier chains, regexes, CIDRs, condition references.
      if (parsed.kind === 'rule') p.errors.push(...checkRule(parsed));
      else {
        const collect: SigmaError[] = [];
        compileFilter(parsed, { lenientPlaceholders: true, collectErrors: collect });
        p.errors.push(...collect);
      }
    }
    if (p.errors.length > 0 || !parsed) {
      result.errors.push(...p.errors);
      result.invalid++;
      continue;
    }
    if (parsed.kind === 'rule') result.rules.push(parsed);
    else if (parsed.kind === 'correlation') result.correlations.push(parsed);
    else result.filters.push(parsed);
  }
  return result;
}

const COMMON_KEYS = new Set([
  'title',
  'id',
  'name',
  'status',
  'description',
  'author',
  'date',
  'modified',
  'references',
  'tags',
  'falsepositives',
  'level',
]);

const TIMESPAN = /^(\d+)([smhdwMy])$/;
const TIMESPAN_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_629_746_000,
  y: 31_556_952_000,
};

class DocParser {
  readonly errors: SigmaError[] = [];
  readonly warnings: SigmaError[] = [];
  constructor(
    private readonly file: string,
    private readonly docIndex: number,
  ) {}

  private error(message: string, pos: SourcePos): undefined {
    this.errors.push(SigmaError.at(message, this.file, pos));
    return undefined;
  }

  document(root: YMap): SigmaRule | SigmaCorrelation | SigmaFilter | undefined {
    if (yget(root, 'action')) {
      return this.error("'action' documents (Sigma v1 collections: global/repeat/reset) are not supported in Sigma v2", yget(root, 'action')!.keyPos);
    }
    const has = (k: string) => yget(root, k) !== undefined;
    const kinds = ['detection', 'correlation', 'filter'].filter(has);
    if (kinds.length === 0) {
      return this.error("not a Sigma document: expected a 'detection' (rule), 'correlation' or 'filter' section", root.pos);
    }
    if (kinds.length > 1) return this.error(`a document cannot have both '${kinds[0]}' and '${kinds[1]}'`, yget(root, kinds[1])!.keyPos);
    if (kinds[0] === 'detection') return this.rule(root);
    if (kinds[0] === 'correlation') return this.correlation(root);
    return this.filter(root);
  }

  // -- scalars ---------------------------------------------------------------------------

  private scalar(e: YMapEntry | undefined, what: string): YScalar | undefined {
    if (!e) return undefined;
    if (e.value.kind !== 'scalar') return this.error(`'${what}' must be a single value`, e.value.pos);
    return e.value;
  }

  private str(root: YMap, key: string, required = false): string | undefined {
    const e = yget(root, key);
    if (!e) {
      if (required) this.error(`'${key}' is required`, root.pos);
      return undefined;
    }
    const s = this.scalar(e, key);
    if (!s) return undefined;
    if (s.value === null || s.value === '') {
      if (required) this.error(`'${key}' must not be empty`, s.pos);
      return undefined;
    }
    return String(s.value);
  }

  private strList(root: YMap, key: string): string[] {
    const e = yget(root, key);
    if (!e) return [];
    if (e.value.kind === 'scalar') return e.value.value === null ? [] : [String(e.value.value)];
    if (e.value.kind === 'map') {
      this.error(`'${key}' must be a value or a list of values`, e.value.pos);
      return [];
    }
    const out: string[] = [];
    for (const item of e.value.items) {
      if (item.kind !== 'scalar') this.error(`'${key}' entries must be single values`, item.pos);
      else if (item.value !== null) out.push(String(item.value));
    }
    return out;
  }

  private oneOf<T extends string>(root: YMap, key: string, allowed: readonly T[]): T | undefined {
    const v = this.str(root, key);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      return this.error(`'${key}' must be one of ${allowed.join(', ')}; got '${v}'`, yget(root, key)!.value.pos);
    }
    return v as T;
  }

  private common(root: YMap, known: Set<string>) {
    const custom: Record<string, unknown> = {};
    for (const e of root.entries) if (!COMMON_KEYS.has(e.key) && !known.has(e.key)) custom[e.key] = toJS(e.value);
    return {
      file: this.file,
      docIndex: this.docIndex,
      pos: root.pos,
      title: this.str(root, 'title', true) ?? '',
      id: this.str(root, 'id'),
      name: this.str(root, 'name'),
      status: this.oneOf<SigmaStatus>(root, 'status', STATUSES),
      description: this.str(root, 'description'),
      author: this.str(root, 'author'),
      date: this.str(root, 'date'),
      modified: this.str(root, 'modified'),
      references: this.strList(root, 'references'),
      tags: this.strList(root, 'tags'),
      falsepositives: this.strList(root, 'falsepositives'),
      level: this.oneOf<SigmaLevel>(root, 'level', LEVELS),
      custom,
    };
  }

  private logsource(root: YMap, required: boolean): LogSource {
    const e = yget(root, 'logsource');
    if (!e) {
      if (required) this.error("'logsource' is required", root.pos);
      return {};
    }
    if (e.value.kind !== 'map') {
      this.error("'logsource' must be a map (product, category, service)", e.value.pos);
      return {};
    }
    const ls: LogSource = {};
    for (const key of ['product', 'category', 'service', 'definition'] as const) {
      const v = this.str(e.value, key);
      if (v !== undefined) ls[key] = v;
    }
    return ls;
  }

  // -- rules -----------------------------------------------------------------------------

  private rule(root: YMap): SigmaRule | undefined {
    const known = new Set(['logsource', 'detection', 'fields', 'x-taishi-tests']);
    const base = this.common(root, known);
    const logsource = this.logsource(root, true);
    const det = yget(root, 'detection')!;
    const detection = this.detection(det, false);
    const tests = this.tests(root);
    if (!detection) return undefined;
    return { kind: 'rule', ...base, logsource, fields: this.strList(root, 'fields'), detection, tests };
  }

  private tests(root: YMap): RuleTests | undefined {
    const e = yget(root, 'x-taishi-tests');
    if (!e) return undefined;
    if (e.value.kind !== 'map') return this.error("'x-taishi-tests' must be a map with 'match' and/or 'nomatch' lists of events", e.value.pos);
    const tests: RuleTests = { match: [], nomatch: [], pos: e.keyPos };
    for (const entry of e.value.entries) {
      if (entry.key !== 'match' && entry.key !== 'nomatch') {
        this.error(`unknown key '${entry.key}' in x-taishi-tests (expected match, nomatch)`, entry.keyPos);
        continue;
      }
      if (entry.value.kind !== 'seq') {
        this.error(`'x-taishi-tests.${entry.key}' must be a list of events`, entry.value.pos);
        continue;
      }
      for (const ev of entry.value.items) {
        if (ev.kind !== 'map') this.error('a test event must be a map of fields', ev.pos);
        else tests[entry.key].push({ event: toJS(ev) as Record<string, unknown>, pos: ev.pos });
      }
    }
    return tests;
  }

  /** `detection` of a rule, or `filter` of a filter document (which also holds `rules`). */
  private detection(e: YMapEntry, isFilter: boolean): Detection | undefined {
    if (e.value.kind !== 'map') return this.error(`'${e.key}' must be a map of search identifiers and a condition`, e.value.pos);
    const map = e.value;
    const searches = new Map<string, { node: SearchNode; pos: SourcePos }>();
    const conditions: ConditionSource[] = [];
    let condEntry: YMapEntry | undefined;
    for (const entry of map.entries) {
      if (entry.key === 'condition') {
        condEntry = entry;
        continue;
      }
      if (entry.key === 'timeframe' && !isFilter) continue; // Sigma v1 aggregation window; correlations replace it
      if (isFilter && entry.key === 'rules') continue;
      // The specification puts no limit on identifier names and pySigma takes any (SigmaHQ has
      // `filter_main_mdadm.conf`); `1 of` patterns reach the ones a condition cannot name.
      if (entry.key === '') {
        this.error('a search identifier needs a name', entry.keyPos);
        continue;
      }
      if (entry.key.includes('|')) {
        const modifier = entry.key.slice(entry.key.indexOf('|'));
        this.warnings.push(
          SigmaError.at(`search identifier '${entry.key}': '${modifier}' is part of its name, not a modifier (modifiers go on the field names inside it)`, this.file, entry.keyPos),
        );
      }
      const node = this.search(entry.value, 0);
      if (node) searches.set(entry.key, { node, pos: entry.keyPos });
    }
    if (!condEntry) return this.error(`'${e.key}' needs a 'condition'`, map.pos);
    const condNodes: YNode[] = condEntry.value.kind === 'seq' ? condEntry.value.items : [condEntry.value];
    if (condNodes.length === 0) return this.error("'condition' must not be empty", condEntry.value.pos);
    if (isFilter && condNodes.length > 1) return this.error("a filter has exactly one condition", condEntry.value.pos);
    for (const cn of condNodes) {
      if (cn.kind !== 'scalar' || typeof cn.value !== 'string' || cn.value.trim() === '') {
        this.error("'condition' must be a non-empty string (or a list of them)", cn.pos);
        continue;
      }
      try {
        const tree = parseCondition(cn.value, { file: this.file, at: (offset) => posInScalar(cn, offset) });
        conditions.push({ text: cn.value, node: cn, tree });
      } catch (err) {
        if (err instanceof SigmaError) this.errors.push(err);
        else throw err;
      }
    }
    if (searches.size === 0) this.error(`'${e.key}' defines no search identifier`, map.pos);
    return { searches, conditions, pos: map.pos };
  }

  private search(node: YNode, depth: number): SearchNode | undefined {
    if (node.kind === 'map') {
      if (node.entries.length === 0) return this.error('a search identifier must not be an empty map', node.pos);
      const children: SearchNode[] = [];
      for (const entry of node.entries) {
        const item = this.item(entry);
        if (item) children.push({ kind: 'item', item });
      }
      return children.length === 1 ? children[0] : { kind: 'and', children, pos: node.pos };
    }
    if (node.kind === 'scalar') {
      if (node.value === null) return this.error('a search identifier must not be empty', node.pos);
      return { kind: 'item', item: { field: null, modifiers: [], values: [valueNode(node)], listForm: false, pos: node.pos } };
    }
    if (node.items.length === 0) return this.error('a search identifier must not be an empty list', node.pos);
    if (node.items.every((i) => i.kind === 'scalar')) {
      const values = (node.items as YScalar[]).map(valueNode);
      for (const v of values) if (v.value === null) this.error('a keyword must not be null', v.pos);
      return { kind: 'item', item: { field: null, modifiers: [], values, listForm: true, pos: node.pos } };
    }
    if (depth > 0) return this.error('lists of maps cannot be nested', node.pos);
    const children: SearchNode[] = [];
    for (const el of node.items) {
      if (el.kind === 'seq') {
        this.error('lists of maps cannot be nested', el.pos);
        continue;
      }
      const child = this.search(el, depth + 1);
      if (child) children.push(child);
    }
    return { kind: 'or', children, pos: node.pos };
  }

  private item(entry: YMapEntry): DetectionItem | undefined {
    const segments = entry.key.split('|');
    const field = segments[0];
    const modifiers: DetectionItem['modifiers'] = [];
    let offset = field.length + 1;
    let ok = true;
    for (const seg of segments.slice(1)) {
      const pos = posInKey(entry, offset);
      const name = seg.toLowerCase();
      if (!seg) {
        this.error(`empty modifier in '${entry.key}'`, pos);
        ok = false;
      } else if (!MODIFIER_NAMES.has(name)) {
        this.error(`unknown modifier '${seg}'`, pos);
        ok = false;
      } else {
        modifiers.push({ name, pos });
      }
      offset += seg.length + 1;
    }
    const v = entry.value;
    let values: ValueNode[];
    let listForm = false;
    if (v.kind === 'scalar') values = [valueNode(v)];
    else if (v.kind === 'seq') {
      listForm = true;
      values = [];
      for (const el of v.items) {
        if (el.kind !== 'scalar') {
          this.error(`values of '${entry.key}' must be plain values, not ${el.kind === 'map' ? 'maps' : 'lists'}`, el.pos);
          ok = false;
        } else values.push(valueNode(el));
      }
      if (v.items.length === 0) {
        this.error(`'${entry.key}' has an empty list of values`, v.pos);
        ok = false;
      }
    } else {
      return this.error(`the value of '${entry.key}' must be a value or a list of values, not a map`, v.pos);
    }
    if (!ok) return undefined;
    return { field: field === '' ? null : field, modifiers, values, listForm, pos: entry.keyPos };
  }

  // -- filters ---------------------------------------------------------------------------

  private filter(root: YMap): SigmaFilter | undefined {
    const base = this.common(root, new Set(['logsource', 'filter']));
    const logsource = this.logsource(root, true);
    const fe = yget(root, 'filter')!;
    const detection = this.detection(fe, true);
    if (!detection || fe.value.kind !== 'map') return undefined;
    const re = yget(fe.value, 'rules');
    let rules: SigmaFilter['rules'] = 'any';
    if (!re) {
      this.error("a filter needs 'rules': rule ids or names, or 'any'", fe.keyPos);
    } else if (re.value.kind === 'scalar') {
      const s = String(re.value.value ?? '');
      if (!s) this.error("'rules' must not be empty (use 'any' for every rule)", re.value.pos);
      else rules = ['any', 'all'].includes(s.toLowerCase()) ? 'any' : [{ ref: s, pos: re.value.pos }];
    } else if (re.value.kind === 'seq') {
      const refs = this.refs(re.value.items);
      rules = refs.length === 0 ? 'any' : refs;
    } else {
      this.error("'rules' must be a rule id or name, a list of them, or 'any'", re.value.pos);
    }
    return { kind: 'filter', ...base, logsource, rules, detection };
  }

  private refs(items: YNode[]): { ref: string; pos: SourcePos }[] {
    const out: { ref: string; pos: SourcePos }[] = [];
    for (const it of items) {
      if (it.kind !== 'scalar' || it.value === null || it.value === '') this.error('a rule reference must be a rule id or name', it.pos);
      else out.push({ ref: String(it.value), pos: it.pos });
    }
    return out;
  }

  // -- correlations ----------------------------------------------------------------------

  private correlation(root: YMap): SigmaCorrelation | undefined {
    const base = this.common(root, new Set(['correlation', 'generate']));
    const ce = yget(root, 'correlation')!;
    if (ce.value.kind !== 'map') return this.error("'correlation' must be a map", ce.value.pos);
    const c = ce.value;
    const allowed = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate']);
    for (const e of c.entries) if (!allowed.has(e.key)) this.error(`unknown correlation attribute '${e.key}'`, e.keyPos);

    const type = this.oneOf<CorrelationType>(c, 'type', CORRELATION_TYPES);
    if (!yget(c, 'type')) this.error("correlation 'type' is required", c.pos);

    let rules: SigmaCorrelation['rules'] = [];
    const re = yget(c, 'rules');
    if (!re) this.error("correlation 'rules' is required", c.pos);
    else if (re.value.kind === 'scalar') rules = this.refs([re.value]);
    else if (re.value.kind === 'seq') rules = this.refs(re.value.items);
    else this.error("'rules' must be a list of rule ids or names", re.value.pos);
    if (re && rules.length === 0 && re.value.kind === 'seq') this.error("'rules' must not be empty", re.value.pos);
    const seen = new Set<string>();
    for (const r of rules) {
      if (seen.has(r.ref)) this.error(`rule '${r.ref}' is listed twice`, r.pos);
      seen.add(r.ref);
    }

    const groupBy = this.strList(c, 'group-by');

    let timespanMs = 0;
    let timespanText = '';
    const te = yget(c, 'timespan');
    if (!te) this.error("correlation 'timespan' is required", c.pos);
    else {
      const s = this.scalar(te, 'timespan');
      const m = s && typeof s.value === 'string' ? TIMESPAN.exec(s.value.trim()) : null;
      if (!m || Number(m[1]) <= 0) {
        if (s) this.error(`invalid timespan '${s.value}': expected a positive number and a unit s, m, h, d, w, M or y (e.g. 5m)`, s.pos);
      } else {
        timespanMs = Number(m[1]) * TIMESPAN_MS[m[2]];
        timespanText = m[0];
      }
    }

    const condition = this.correlationCondition(c, type, rules.length);

    const aliases = new Map<string, Map<string, string>>();
    const ae = yget(c, 'aliases');
    if (ae) {
      if (ae.value.kind !== 'map') this.error("'aliases' must map alias names to {rule: field} maps", ae.value.pos);
      else {
        for (const alias of ae.value.entries) {
          if (alias.value.kind !== 'map') {
            this.error(`alias '${alias.key}' must map rule names to field names`, alias.value.pos);
            continue;
          }
          const m = new Map<string, string>();
          for (const r of alias.value.entries) {
            if (r.value.kind !== 'scalar' || r.value.value === null) this.error(`alias '${alias.key}': field for '${r.key}' must be a field name`, r.value.pos);
            else {
              if (!seen.has(r.key)) this.error(`alias '${alias.key}' names rule '${r.key}', which is not in 'rules'`, r.keyPos);
              m.set(r.key, String(r.value.value));
            }
          }
          aliases.set(alias.key, m);
        }
      }
    }

    let generate = false;
    const ge = yget(c, 'generate') ?? yget(root, 'generate');
    if (ge) {
      if (ge.value.kind !== 'scalar' || typeof ge.value.value !== 'boolean') this.error("'generate' must be true or false", ge.value.pos);
      else generate = ge.value.value;
    }

    if (!type || !condition) return undefined;
    return { kind: 'correlation', ...base, type, rules, groupBy, timespanMs, timespanText, condition, aliases, generate };
  }

  private correlationCondition(c: YMap, type: CorrelationType | undefined, ruleCount: number): CorrelationCondition | undefined {
    const temporal = type === 'temporal' || type === 'temporal_ordered';
    const needsField = type !== undefined && type.startsWith('value_');
    const ce = yget(c, 'condition');
    if (!ce) {
      if (temporal) return { tests: [{ op: 'gte', value: ruleCount }] };
      if (type) this.error(`a ${type} correlation needs a 'condition' (e.g. gte: 10)`, c.pos);
      return undefined;
    }
    if (ce.value.kind !== 'map') {
      return this.error("correlation 'condition' must be a map like {gte: 10} (extended string conditions are not supported)", ce.value.pos);
    }
    const cond: CorrelationCondition = { tests: [] };
    for (const e of ce.value.entries) {
      if ((CONDITION_OPERATORS as readonly string[]).includes(e.key)) {
        const s = this.scalar(e, e.key);
        if (s && (typeof s.value !== 'number' || !Number.isFinite(s.value))) this.error(`'${e.key}' needs a number`, s.pos);
        else if (s) cond.tests.push({ op: e.key as ConditionOperator, value: s.value as number });
      } else if (e.key === 'field') {
        if (e.value.kind === 'map') this.error("'field' must be a field name or a list of them", e.value.pos);
        else {
          const list = e.value.kind === 'seq' ? e.value.items : [e.value];
          cond.field = list.filter((x): x is YScalar => x.kind === 'scalar' && x.value !== null).map((x) => String(x.value));
          if (cond.field.length === 0) this.error("'field' must name a field", e.value.pos);
        }
      } else if (e.key === 'percentile') {
        const s = this.scalar(e, 'percentile');
        if (s && (typeof s.value !== 'number' || s.value <= 0 || s.value > 100)) this.error("'percentile' must be a number in (0, 100]", s.pos);
        else if (s) cond.percentile = s.value as number;
      } else {
        this.error(`unknown condition key '${e.key}' (expected ${CONDITION_OPERATORS.join(', ')}, field, percentile)`, e.keyPos);
      }
    }
    if (cond.tests.length === 0) this.error(`the condition needs one of ${CONDITION_OPERATORS.join(', ')}`, ce.value.pos);
    if (needsField && !cond.field) this.error(`a ${type} correlation needs 'field' in its condition`, ce.value.pos);
    if (cond.percentile !== undefined && type !== 'value_percentile') this.error("'percentile' is only used by value_percentile", ce.value.pos);
    if (type === 'value_percentile' && cond.percentile === undefined) cond.percentile = 50;
    return cond;
  }
}

function valueNode(n: YScalar): ValueNode {
  return { value: n.value, pos: n.pos, node: n };
}
