import { readFileSync } from 'node:fs';
import type { StoredEvent } from '../events/index.js';
import { parseIso } from '../shared/iso-time.js';
import { valueAt } from '../shared/object-path.js';
import { conditionValues, eventIndexKeys, loadLogsourceMapping, type LogsourceMapping, type ResolvedLogsource } from './logsources.js';
import { dormancyText, loadPlaceholders, loadRulePack, scheduleOf, type DormantReason, type PackRule, type RulePack } from './rule-pack.js';
import { AhoCorasick, AnchorScanner, CorrelationEngine, PairSkipScanner, EvalContext, pathKeys, toStr, valueKeys, type CorrelationHit, type FieldAccess, type NeedleScanner, type PathKeys } from './sigma/index.js';

/** A rule or correlation firing, ready to become (or update) an alert. */
export interface RuleFiring {
  kind: 'rule' | 'correlation' | 'scheduled';
  ruleId: string;
  title: string;
  level: string;
  tags: string[];
  groupKey: string;
  /** The event that fired it (a correlation: the one that completed it). */
  event: StoredEvent;
  at: Date;
}

export interface RuleStats {
  id: string;
  title: string;
  level: string;
  kind: 'rule' | 'correlation' | 'scheduled';
  file: string;
  enabled: boolean;
  /** active: runs; disabled: switched off; dormant: valid, but cannot run yet (see reason). */
  state: 'active' | 'disabled' | 'dormant';
  /** Why a dormant rule sleeps, with the same said in a sentence. */
  reason?: DormantReason & { text: string };
  evaluations: number;
  matches: number;
  /** Mean evaluation time in microseconds, measured on the first evaluation and one in 16 after it. */
  meanMicros: number;
  /** Longest of the measured evaluations, in microseconds. */
  maxMicros: number;
}

/** Fields that name "who" when a rule says nothing: the attacker first, then the target. */
const DEFAULT_GROUP_FIELDS = ['source.ip', 'user.name', 'host.name', 'taishi.asset_id'];

/**
 * Reading the clock twice costs about as much as evaluating a typical rule, so one evaluation in
 * this many is timed (the first one always, so a rule that ran once shows its time).
 */
const TIMING_SAMPLE_EVERY = 16;

interface RuleCounters {
  evaluations: number;
  matches: number;
  sampledNanos: number;
  samples: number;
  maxNanos: number;
}

/** Dotted paths split into their keys, remembered: a few group-by fields are read on every firing. */
const pathSegments = new Map<string, string[]>();

function value(event: unknown, path: string): unknown {
  let keys = pathSegments.get(path);
  if (keys === undefined) {
    if (pathSegments.size >= 1024) pathSegments.clear();
    pathSegments.set(path, (keys = path.split('.')));
  }
  const v = valueAt(event, keys);
  return Array.isArray(v) ? v[0] : v;
}

type Fields = Record<string, unknown> | undefined;

/**
 * What an alert takes from the event of a correlation's hit: its id and time, where it came from
 * (asset, department, host, dataset) and who acted (`actorsOf`). Written out, as one object shape
 * for every event: this runs for every counted match, on the thread that ingests.
 */
function alertFields(event: StoredEvent): Record<string, unknown> {
  const { taishi, host, source, user } = event as unknown as Record<string, Fields>;
  return {
    '@timestamp': event['@timestamp'],
    event: { id: event.event.id, dataset: event.event.dataset },
    taishi: taishi && { asset_id: taishi.asset_id, department: taishi.department },
    host: host && { name: host.name },
    source: source && { ip: source.ip, domain: source.domain },
    user: user && { name: user.name },
  };
}

/**
 * Who acted in an event, as incident grouping compares them: the source address (`ip:`), the
 * source's name (`host:`) and the user (`user:`). A silence rule has no actor: nobody did it.
 */
export function actorsOf(firing: Pick<RuleFiring, 'kind' | 'event'>): string[] {
  if (firing.kind === 'scheduled') return [];
  const actors: string[] = [];
  const add = (prefix: string, v: unknown) => {
    if (typeof v === 'string' && v.trim() !== '') actors.push(`${prefix}:${v.trim().toLowerCase()}`);
  };
  add('ip', value(firing.event, 'source.ip'));
  add('host', value(firing.event, 'source.domain'));
  add('user', value(firing.event, 'user.name'));
  return actors;
}

/**
 * Sets `value` at a path (its keys), making objects on the way. A path running through a value
 * set before (`a` a text, then `a.b`) is left as it was: both cannot be kept, and the first is whole.
 */
function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i];
    const next = node[key];
    if (next === undefined) node = node[key] = {} as Record<string, unknown>;
    else if (next !== null && typeof next === 'object' && !Array.isArray(next)) node = next as Record<string, unknown>;
    else return;
  }
  const last = keys[keys.length - 1];
  if (node[last] === undefined) node[last] = value;
}

/** Copies the value at a path (as `value` reads it, arrays whole) into the same path of `into`. */
function copyPath(event: unknown, into: Record<string, unknown>, keys: readonly string[]): void {
  const v = valueAt(event, keys);
  if (v !== undefined && v !== null) setPath(into, keys, v);
}

function groupKeyOf(rule: PackRule, event: StoredEvent): string {
  const declared = rule.rule.custom['x-taishi-group-by'];
  const fields = Array.isArray(declared) ? (declared as string[]) : DEFAULT_GROUP_FIELDS;
  for (const field of fields) {
    const v = value(event, field);
    if (v !== undefined && v !== null && v !== '') return `${field}=${String(v)}`;
  }
  return 'all';
}

function eventTime(event: StoredEvent): number {
  const t = parseIso(event['@timestamp']);
  return Number.isFinite(t) ? t : Date.now();
}

/** A rule the engine runs per event, numbered for the per-event stamps of `Candidates`. */
interface ActiveRule {
  rule: PackRule;
  /** Position in the engine's list of active rules. */
  index: number;
  standalone: boolean;
  counted: boolean;
  counters: RuleCounters;
}

/**
 * The candidate rules of one event. A rule found by several hints or buckets is kept once by
 * stamping it with the event's number instead of hashing it into a Set, so nothing is allocated
 * per event.
 */
class Candidates {
  readonly list: ActiveRule[] = [];
  private readonly ruleStamp: Uint32Array;
  private epoch = 0;

  constructor(rules: number) {
    this.ruleStamp = new Uint32Array(rules);
  }

  /** Starts a new event. */
  next(): void {
    this.list.length = 0;
    if (++this.epoch === 0xffffffff) {
      this.epoch = 1;
      this.ruleStamp.fill(0);
    }
  }

  add(rule: ActiveRule): void {
    if (this.ruleStamp[rule.index] === this.epoch) return;
    this.ruleStamp[rule.index] = this.epoch;
    this.list.push(rule);
  }

  /** The candidates in pack order: an event's firings come in the same order however they were found. */
  inPackOrder(): ActiveRule[] {
    // an insertion sort for the usual few dozen candidates, for which Array.prototype.sort's calls cost more
    const list = this.list;
    if (list.length > 64) return list.sort((a, b) => a.index - b.index);
    for (let i = 1; i < list.length; i++) {
      const rule = list[i];
      let j = i - 1;
      while (j >= 0 && list[j].index > rule.index) {
        list[j + 1] = list[j];
        j--;
      }
      list[j + 1] = rule;
    }
    return list;
  }
}

/**
 * Every piece of a hint is a hint too, so only the end of a long one is looked for: the automaton
 * of SigmaHQ's Windows rules is less than half the size (faster to build, and its scan touches
 * less memory), and as few rules turn up per event, since a hint's last characters (a file name,
 * a value's last word) tell most.
 */
const HINT_TAIL = 16;

function hintTail(hint: string): string {
  return hint.length > HINT_TAIL ? hint.slice(-HINT_TAIL) : hint;
}

/** One field's needles, scanned over its values (or, without `access`, over every value of the event). */
interface ScannedField {
  access?: FieldAccess;
  scanner: NeedleScanner;
  /** Per needle of the scanner: what finding it satisfies, as `local rule << CLAUSE_BITS | clause`. */
  satisfies: Int32Array[];
  /** The event (by number) each needle last matched in: a needle found many times counts once. */
  seen: Uint32Array;
  /** Some needle can occur in the text of a number or boolean; when none can, those values are not scanned. */
  readsScalars: boolean;
  /** Texts scanned lately and the needles found in each. */
  memo: ScanMemo;
}

/** Texts shorter than this are scanned about as fast as they are looked up; longer ones than MEMO_MAX are seldom seen twice. */
const MEMO_MIN = 16;
const MEMO_MAX = 1024;
const NO_NEEDLES: readonly number[] = [];

/**
 * The needles a field's scan found in texts it met lately. A host runs the same few programs, so
 * an image path or a service's command line comes back event after event, and a look-up costs
 * less than a scan (an anchor scan of SigmaHQ's image and command-line hints read a character in
 * 17 to 21 nanoseconds where measured). Texts that do not come back (command lines and file paths
 * with ids in them) would cost a look-up and an insertion each, for nothing: a memo that finds
 * fewer than three quarters of its texts in a trial of MEMO_TRIAL look-ups forgets them and rests
 * for MEMO_REST texts (twice as long after each trial that fails, up to MEMO_LONGEST_REST), then
 * tries again. It holds at most MEMO_CHARS characters, starting over when full.
 */
class ScanMemo {
  private readonly texts = new Map<string, readonly number[]>();
  private chars = 0;
  private lookups = 0;
  private hits = 0;
  private resting = 0;
  /** How long the next rest lasts: doubled by each trial that fails, so a stream of texts that never recur soon costs no trials. */
  private rest = MEMO_REST;

  /** Whether the memo is in use for the next text (counts the texts it rests for). */
  open(): boolean {
    if (this.resting === 0) return true;
    this.resting--;
    return false;
  }

  get(text: string): readonly number[] | undefined {
    const needles = this.texts.get(text);
    if (needles !== undefined) this.hits++;
    if (++this.lookups === MEMO_TRIAL) {
      if (this.hits * 4 < MEMO_TRIAL * 3) {
        this.resting = this.rest;
        this.rest = Math.min(this.rest * 2, MEMO_LONGEST_REST);
        this.forget();
      } else this.rest = MEMO_REST;
      this.lookups = this.hits = 0;
    }
    return needles;
  }

  set(text: string, needles: readonly number[]): void {
    if (this.resting > 0) return;
    if (this.chars + text.length > MEMO_CHARS) this.forget();
    this.texts.set(text, needles);
    this.chars += text.length;
  }

  private forget(): void {
    this.texts.clear();
    this.chars = 0;
  }
}

/** 256 K characters: at most a quarter to half a megabyte of text held per scanned field. */
const MEMO_CHARS = 262_144;
const MEMO_TRIAL = 256;
const MEMO_REST = 16_384;
const MEMO_LONGEST_REST = 1_048_576;

/** Room for a rule's clause number in an entry of `ScannedField.satisfies`. */
const CLAUSE_BITS = 2;

/**
 * Rules indexed by their hint clauses (see `CompiledRule.hintClauses`): per field, one scan of its
 * values finds every needle the rules seek there, and a rule becomes a candidate once each of its
 * clauses has a needle found. So an event meets the rules its values could match, not those it
 * merely shares a word with: `\cmd.exe` in a parent's image does not make every rule about
 * cmd.exe a candidate. Values are read as they are, their ASCII letters folded (see
 * `NeedleScanner.forEachMatch`), so no lower-cased copy is made.
 */
class HintIndex {
  private readonly fields: ScannedField[] = [];
  /** The index's rules, numbered locally. */
  private readonly rules: readonly ActiveRule[];
  /** Per rule: the bits of all its clauses, and those the current event has satisfied. */
  private readonly full: Uint8Array;
  private readonly satisfied: Uint8Array;
  /** Per rule: the event `satisfied` is about. */
  private readonly stamp: Uint32Array;
  private eventNumber = 0;
  private into?: Candidates;
  /** The rules (by engine index) the scan may add, where the index holds more than the event's route. */
  private member?: Uint8Array;
  private scanning?: ScannedField;
  /** Where `found` also writes the needles of the text being scanned, for the field's memo. */
  private recording?: number[];
  private readonly scratch: number[] = [];
  private readonly found = (needle: number) => {
    this.recording?.push(needle);
    const field = this.scanning!;
    if (field.seen[needle] === this.eventNumber) return;
    field.seen[needle] = this.eventNumber;
    const { satisfied, stamp, eventNumber } = this;
    for (const entry of field.satisfies[needle]) {
      const r = entry >> CLAUSE_BITS;
      if (stamp[r] !== eventNumber) {
        stamp[r] = eventNumber;
        satisfied[r] = 0;
      }
      const was = satisfied[r];
      const now = was | (1 << (entry & ((1 << CLAUSE_BITS) - 1)));
      if (now === was) continue;
      satisfied[r] = now;
      if (now === this.full[r]) {
        const rule = this.rules[r];
        if (!this.member || this.member[rule.index]) this.into!.add(rule);
      }
    }
  };

  constructor(rules: readonly ActiveRule[]) {
    this.rules = rules;
    this.full = new Uint8Array(rules.length);
    this.satisfied = new Uint8Array(rules.length);
    this.stamp = new Uint32Array(rules.length);
    /** Per field (by slot, 0 for anywhere): its needles, and per needle the entries it satisfies. */
    const byField = new Map<number, { access?: FieldAccess; needles: Map<string, number[]> }>();
    rules.forEach((rule, r) => {
      const clauses = rule.rule.compiled.hintClauses!;
      this.full[r] = (1 << clauses.length) - 1;
      clauses.forEach((clause, c) => {
        for (const hint of clause) {
          const slot = hint.access?.slot ?? 0;
          const field = byField.get(slot) ?? byField.set(slot, { access: hint.access, needles: new Map() }).get(slot)!;
          const needle = hintTail(hint.needle);
          const entries = field.needles.get(needle) ?? field.needles.set(needle, []).get(needle)!;
          const entry = (r << CLAUSE_BITS) | c;
          if (!entries.includes(entry)) entries.push(entry);
        }
      });
    });
    for (const { access, needles } of byField.values()) {
      const hints = [...needles.keys()];
      this.fields.push({ access, scanner: scannerOf(hints), satisfies: [...needles.values()].map((e) => Int32Array.from(e)), seen: new Uint32Array(needles.size), readsScalars: hints.some(fitsScalarText), memo: new ScanMemo() });
    }
  }

  /** Adds the rules of `member` whose every clause has a needle in the event's values. */
  collect(into: Candidates, context: EvalContext, member?: Uint8Array): void {
    this.eventNumber = (this.eventNumber % 0xfffffffe) + 1;
    if (this.eventNumber === 1) {
      this.stamp.fill(0);
      for (const field of this.fields) field.seen.fill(0);
    }
    this.into = into;
    this.member = member;
    for (const field of this.fields) {
      this.scanning = field;
      if (field.access) context.eachValue(field.access, this.scanValue);
      else {
        for (const v of context.restValues()) this.scanValue(v);
        const raw = context.original();
        if (raw && !field.scanner.forEachMatch(raw, this.found, true)) field.scanner.forEachMatch(context.lowerOriginal(), this.found);
      }
    }
    this.into = undefined;
    this.member = undefined;
    this.scanning = undefined;
  }

  private readonly scanValue = (v: unknown) => {
    const field = this.scanning!;
    // a Windows record's numbers (process and thread ids, version, task …) would each be
    // turned into a string that none of the needles can be in
    const text = typeof v === 'string' ? v : field.readsScalars ? toStr(v) : undefined;
    if (!text) return;
    const memo = text.length >= MEMO_MIN && text.length <= MEMO_MAX && field.memo.open() ? field.memo : undefined;
    if (memo) {
      const known = memo.get(text);
      if (known !== undefined) {
        for (let i = 0; i < known.length; i++) this.found(known[i]);
        return;
      }
      this.recording = this.scratch;
      this.scratch.length = 0;
    }
    if (!field.scanner.forEachMatch(text, this.found, true)) field.scanner.forEachMatch(text.toLowerCase(), this.found);
    if (memo) {
      this.recording = undefined;
      memo.set(text, this.scratch.length ? this.scratch.slice() : NO_NEEDLES);
    }
  };
}

/** Whether a needle can be in the text of some number (`-1.5e+21`, `Infinity`, `NaN`) or boolean, as `toStr` writes them and lower-cased. */
function fitsScalarText(needle: string): boolean {
  return /^[0-9.e+-]+$/.test(needle) || SCALAR_WORDS.some((word) => word.includes(needle));
}

const SCALAR_WORDS = ['-infinity', 'nan', 'true', 'false'];

/**
 * A scanner that skips needs long needles, and few pairs of characters in them, to skip far; an
 * automaton reads every character at a cost that grows with its table once that outgrows the
 * processor's cache; past ANCHOR_MIN_NEEDLES needles, an anchor scanner's step stays in it.
 */
const SKIP_MIN_LENGTH = 4;
const SKIP_MAX_PAIRS = 1024;
const ANCHOR_MIN_NEEDLES = 256;

function scannerOf(hints: string[]): NeedleScanner {
  const shortest = Math.min(...hints.map((h) => h.length));
  if (shortest >= SKIP_MIN_LENGTH && hints.length * (shortest - 1) <= SKIP_MAX_PAIRS) return new PairSkipScanner(hints);
  return hints.length >= ANCHOR_MIN_NEEDLES ? new AnchorScanner(hints) : new AhoCorasick(hints);
}

/**
 * The rules of a bucket that events of one kind (same logsource verdicts, same required values
 * present) can match, and how to find an event's candidates among them.
 */
interface Route {
  /** Evaluated on every such event: rules without hints, and all of them where a scan would cost more. */
  always: ActiveRule[];
  /** Hinted rules, found by scans of the values their hints are sought in. */
  hinted?: HintIndex;
  /** The hinted rules (by index), where the index is the bucket's and finds others too. */
  member?: Uint8Array;
}

/** A route with fewer hinted rules than this evaluates them all: evaluating a few rules costs less than scanning an event's text. */
const SCAN_MIN_RULES = 8;
/** Routes kept by the values that decide them; beyond this many (values no rule names, say, all different) the cache starts over. */
const MAX_ROUTE_CODES = 4096;
/** Routes kept by the rules they hold; beyond this many the cache starts over. */
const MAX_ROUTES = 1024;
/**
 * Routes of a bucket with automata of their own (smaller than the bucket's, so faster to scan):
 * the first this many; later ones (events of ever more kinds) share the bucket's, so no stream of
 * events can make the engine build automata over and over.
 */
const MAX_ROUTE_AUTOMATA = 32;

/** How many fields route events at most: those the most rules require values of. */
const MAX_ROUTING_FIELDS = 4;

/**
 * The rules of one dataset, routed: which of them an event can match is decided by a few of its
 * values, those its rules' logsource conditions read (dataset, channel, event id …) and those of
 * the routing fields (the EventID, Channel, provider most Windows rules require one of). Events
 * alike in those values meet the same rules, so the decision is made once per kind of event, and
 * an event of that kind meets only the rules whose logsource it belongs to and whose required
 * values it has; among those, hinted rules are found by a scan of the event's text.
 */
class RuleBucket {
  /** The paths the rules' logsource conditions read. */
  private readonly paths: PathKeys[];
  private readonly logsources: ResolvedLogsource[];
  /** Per rule: its logsource's position in `logsources`. */
  private readonly logsourceOf: number[];
  /** Per rule: the values it requires in the routing fields (by position in `routing`). */
  private readonly requires: { field: number; keys: string[] }[][];
  /** Per routing field: the values some rule requires, numbered. Other values decide nothing. */
  private readonly pinned: Map<string, number>[];
  /** Per routing field: what one value (as the event has it) adds to a route's code, remembered. */
  private readonly pieces: Map<unknown, string>[];
  private readonly byCode = new Map<string, Route>();
  private readonly byRules = new Map<string, Route>();
  /** Some rule's hints are sought in every value of the event (a keyword search). */
  private readonly searchesEveryValue: boolean;
  /** How many routes got automata of their own. */
  private automata = 0;
  /** All hinted rules of the bucket, for the routes that share them (made when the first needs them). */
  private shared?: HintIndex;

  constructor(
    private readonly rules: readonly ActiveRule[],
    private readonly routing: readonly FieldAccess[],
    /** How many rules the engine runs (the size of a route's `hinted`). */
    private readonly ruleCount: number,
  ) {
    this.logsources = [...new Set(rules.map((r) => r.rule.logsource))];
    this.searchesEveryValue = rules.some((r) => r.rule.compiled.hintClauses?.some((clause) => clause.some((h) => !h.access)));
    this.logsourceOf = rules.map((r) => this.logsources.indexOf(r.rule.logsource));
    this.paths = [...new Set(this.logsources.flatMap((l) => l.paths))].map(pathKeys);
    this.requires = rules.map((r) =>
      (r.rule.compiled.requiredValues ?? []).flatMap((req) => {
        const field = routing.findIndex((a) => a.slot === req.access.slot);
        return field < 0 ? [] : [{ field, keys: req.keys }];
      }),
    );
    this.pinned = routing.map(() => new Map());
    this.pieces = routing.map(() => new Map());
    for (const req of this.requires.flat()) for (const k of req.keys) if (!this.pinned[req.field].has(k)) this.pinned[req.field].set(k, this.pinned[req.field].size);
  }

  collect(context: EvalContext, into: Candidates): void {
    if (this.rules.length === 0) return;
    // walked now, the values a search of every value needs also tell the routing fields' reads whether keys have dots
    if (this.searchesEveryValue) context.restValues();
    const route = this.route(context);
    for (const rule of route.always) into.add(rule);
    route.hinted?.collect(into, context, route.member);
  }

  private route(context: EvalContext): Route {
    // each path's values end with \u0001 (a value's code starts with a letter); then per routing field the pinned values it has, by number
    let code = '';
    for (const segs of this.paths) code += conditionValues(context.event, segs) + '\u0001';
    for (let f = 0; f < this.routing.length; f++) {
      for (const v of context.field(this.routing[f]).values) if (v !== null && typeof v !== 'object') code += this.piece(f, v);
      code += ';';
    }
    return cached(this.byCode, code, MAX_ROUTE_CODES, () => this.decide(context));
  }

  private routeOf(rules: ActiveRule[]): Route {
    const always = rules.filter((r) => !r.rule.compiled.hintClauses);
    const hinted = rules.filter((r) => r.rule.compiled.hintClauses);
    if (hinted.length < SCAN_MIN_RULES) return { always: rules };
    if (this.automata < MAX_ROUTE_AUTOMATA) {
      this.automata++;
      return { always, hinted: new HintIndex(hinted) };
    }
    this.shared ??= new HintIndex(this.rules.filter((r) => r.rule.compiled.hintClauses));
    const member = new Uint8Array(this.ruleCount);
    for (const rule of hinted) member[rule.index] = 1;
    return { always, hinted: this.shared, member };
  }

  /** The pinned values (by number) one value of a routing field has: its text, its number (see valueKeys). */
  private piece(field: number, v: unknown): string {
    const pieces = this.pieces[field];
    let piece = pieces.get(v);
    if (piece === undefined) {
      const keys: string[] = [];
      valueKeys(v, keys);
      piece = '';
      for (const k of keys) {
        const n = this.pinned[field].get(k);
        if (n !== undefined) piece += n + ',';
      }
      if (pieces.size >= MAX_ROUTE_CODES) pieces.clear();
      pieces.set(v, piece);
    }
    return piece;
  }

  /** The route of an event: the rules whose logsource it belongs to and whose required values it has. */
  private decide(context: EvalContext): Route {
    const verdicts = this.logsources.map((l) => l.matches(context.event));
    const present = this.routing.map((access) => {
      const keys: string[] = [];
      for (const v of context.field(access).values) valueKeys(v, keys);
      return new Set(keys);
    });
    const rules = this.rules.filter((_, i) => verdicts[this.logsourceOf[i]] && this.requires[i].every((req) => req.keys.some((k) => present[req.field].has(k))));
    const key = rules.map((r) => r.index).join(',');
    return cached(this.byRules, key, MAX_ROUTES, () => this.routeOf(rules));
  }
}

/** The fields to route by: those whose exact values many rules require. */
function routingFields(rules: readonly ActiveRule[]): FieldAccess[] {
  const bySlot = new Map<number, { access: FieldAccess; rules: number }>();
  for (const rule of rules) {
    for (const { access } of rule.rule.compiled.requiredValues ?? []) {
      const field = bySlot.get(access.slot) ?? bySlot.set(access.slot, { access, rules: 0 }).get(access.slot)!;
      field.rules++;
    }
  }
  return [...bySlot.values()]
    .sort((a, b) => b.rules - a.rules)
    .slice(0, MAX_ROUTING_FIELDS)
    .map((f) => f.access);
}

/** Where a pack comes from: rule files or folders, the logsource mapping, placeholders, and a parse cache. */
export interface RuleFiles {
  rules: string | readonly string[];
  logsources: string;
  placeholders: string;
  cache?: string;
}

/**
 * Events whose candidates are found before any of them is evaluated: the scans of a chunk run
 * one after another while the hint automata's tables (megabytes for SigmaHQ's process creation
 * rules) are in the processor's cache, where evaluating rules between two scans pushed them out.
 */
const SCAN_CHUNK = 256;

/** A match of a rule that correlations count, handed to whoever keeps the correlation windows. */
export interface CorrelationInput {
  rule: { id?: string; name?: string };
  event: StoredEvent;
  /** Event time, epoch milliseconds. */
  at: number;
  /** The event's evaluation context, with what the rules read of it; valid only during the call it is passed to. */
  context?: EvalContext;
}

/**
 * Evaluates a rule pack on events: rules indexed by the datasets (or modules) their logsource can
 * match, so an event meets only the candidates for its dataset and module; a cheap literal prefilter before each full
 * match; correlations fed from the matches. Scheduled (absence) rules are not evaluated per event.
 */
export class DetectionEngine {
  /** Rule buckets by index key: an event's dataset or module (see eventIndexKeys). */
  private readonly byKey = new Map<string, RuleBucket>();
  private readonly unindexed: RuleBucket;
  private readonly correlation: CorrelationEngine;
  /** The rules evaluated per event (not disabled, not scheduled), numbered in pack order. */
  private readonly active: ActiveRule[] = [];
  private readonly contexts: EvalContext[] = [];
  private evaluating = false;
  private readonly stats = new Map<PackRule, ActiveRule>();
  readonly scheduled: PackRule[] = [];
  /** The longest correlation timespan: how much of the past a new owner of the windows replays. */
  readonly longestTimespanMs: number;

  constructor(
    readonly pack: RulePack,
    readonly mapping: LogsourceMapping,
    private readonly disabled: ReadonlySet<string> = new Set(),
  ) {
    this.correlation = new CorrelationEngine(
      pack.correlations.filter((c) => !disabled.has(c.id ?? c.name ?? '')),
      { knownRules: pack.rules.map((r) => r.rule), fieldMapper: mapping.correlationFieldMapper },
    );
    const referenced = new Set(pack.correlations.flatMap((c) => c.rules.map((r) => r.ref.toLowerCase())));
    this.longestTimespanMs = Math.max(0, ...pack.correlations.map((c) => c.timespanMs));
    const byKey = new Map<string, ActiveRule[]>();
    const unindexed: ActiveRule[] = [];
    for (const rule of pack.rules) {
      if (disabled.has(rule.rule.id ?? '')) continue;
      if (scheduleOf(rule.rule)) {
        this.scheduled.push(rule);
        continue;
      }
      const active: ActiveRule = {
        rule,
        index: this.active.length,
        standalone: this.correlation.standalone({ id: rule.rule.id, name: rule.rule.name }),
        counted: [rule.rule.id, rule.rule.name].some((k) => k && referenced.has(k.toLowerCase())),
        counters: { evaluations: 0, matches: 0, sampledNanos: 0, samples: 0, maxNanos: 0 },
      };
      this.active.push(active);
      this.stats.set(rule, active);
      const key = rule.logsource.indexKey;
      if (key === 'any') unindexed.push(active);
      else for (const k of key) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(active);
    }
    const routing = routingFields(this.active);
    for (const [k, rules] of byKey) this.byKey.set(k, new RuleBucket(rules, routing, this.active.length));
    this.unindexed = new RuleBucket(unindexed, routing, this.active.length);
  }

  /**
   * Loads rules, logsource mapping and placeholders from files; problems come back as messages.
   * `cache`: a folder that keeps the parsed rule files for the next load (see RuleFileCache).
   */
  static fromFiles(paths: RuleFiles, disabled?: ReadonlySet<string>): { engine: DetectionEngine; mapping: LogsourceMapping; errors: string[] } {
    const mapping = loadLogsourceMapping(readFileSync(paths.logsources, 'utf8'), paths.logsources);
    const placeholders = loadPlaceholders(readFileSync(paths.placeholders, 'utf8'), paths.placeholders);
    const pack = loadRulePack(paths.rules, mapping, placeholders, process.cwd(), paths.cache);
    return { engine: new DetectionEngine(pack, mapping, disabled), mapping, errors: pack.errors };
  }

  /**
   * Takes over the counters of the rules an earlier engine ran under the same id, so a reload
   * (a rule file changed, a rule switched off and on) does not wipe what GET /api/rules reports.
   */
  keepCountersOf(earlier: DetectionEngine): void {
    const byId = new Map<string, RuleCounters>();
    for (const [rule, active] of earlier.stats) byId.set(rule.rule.id ?? rule.rule.title, active.counters);
    for (const [rule, active] of this.stats) {
      const counters = byId.get(rule.rule.id ?? rule.rule.title);
      if (counters) active.counters = counters;
    }
  }

  get ruleCount(): number {
    return this.stats.size + this.scheduled.length;
  }

  /**
   * Rule firings of the events. Matches that correlations count go through `correlate`, which
   * answers the correlations they complete: by default this engine's own windows; a caller that
   * shares windows with other instances passes its own.
   */
  evaluate(events: readonly StoredEvent[], correlate: (input: CorrelationInput) => RuleFiring[] = (input) => this.correlate(input)): RuleFiring[] {
    const firings: RuleFiring[] = [];
    const candidates = new Candidates(this.active.length);
    // One per event of a chunk, reused by the next chunk and the next call: a new context sizes its
    // caches for every field the pack reads, and a journaled slice is shorter than a chunk. A call
    // made from `correlate` while this one runs gets contexts of its own.
    const contexts = this.evaluating ? [] : this.contexts;
    const outer = this.evaluating;
    this.evaluating = true;
    try {
      this.evaluateChunks(events, contexts, candidates, firings, correlate);
    } finally {
      this.evaluating = outer;
    }
    return firings;
  }

  private evaluateChunks(events: readonly StoredEvent[], contexts: EvalContext[], candidates: Candidates, firings: RuleFiring[], correlate: (input: CorrelationInput) => RuleFiring[]): void {
    /** The candidates of the chunk's events one after another, those of event i from ends[i - 1]. */
    const found: ActiveRule[] = [];
    const ends: number[] = [];
    for (let start = 0; start < events.length; start += SCAN_CHUNK) {
      const end = Math.min(events.length, start + SCAN_CHUNK);
      found.length = ends.length = 0;
      for (let i = start; i < end; i++) {
        let context = contexts[i - start];
        if (context) context.reset(events[i]);
        else contexts.push((context = new EvalContext(events[i])));
        candidates.next();
        this.collectCandidates(events[i], context, candidates);
        for (const rule of candidates.inPackOrder()) found.push(rule);
        ends.push(found.length);
      }
      for (let i = start; i < end; i++) {
        const k = i - start;
        this.fire(events[i], contexts[k], found, k ? ends[k - 1] : 0, ends[k], firings, correlate);
      }
    }
  }

  /** Evaluates the candidates `from` … `to` - 1 of `found` on the event; adds their firings. */
  private fire(event: StoredEvent, context: EvalContext, found: readonly ActiveRule[], from: number, to: number, firings: RuleFiring[], correlate: (input: CorrelationInput) => RuleFiring[]): void {
    let at: number | undefined;
    for (let c = from; c < to; c++) {
      const active = found[c];
      const s = active.counters;
      const rule = active.rule;
      const timed = s.evaluations++ % TIMING_SAMPLE_EVERY === 0;
      const started = timed ? process.hrtime.bigint() : 0n;
      const hit = rule.compiled.matches(event, context);
      if (timed) {
        const nanos = Number(process.hrtime.bigint() - started);
        s.sampledNanos += nanos;
        s.samples++;
        if (nanos > s.maxNanos) s.maxNanos = nanos;
      }
      if (!hit) continue;
      s.matches++;
      at ??= eventTime(event);
      if (active.standalone) {
        firings.push({ kind: 'rule', ruleId: rule.rule.id ?? rule.rule.title, title: rule.rule.title, level: rule.rule.level ?? 'medium', tags: rule.rule.tags ?? [], groupKey: groupKeyOf(rule, event), event, at: new Date(at) });
      }
      if (active.counted) firings.push(...correlate({ rule: { id: rule.rule.id, name: rule.rule.name }, event, at, context }));
    }
  }

  private collectCandidates(event: StoredEvent, context: EvalContext, into: Candidates): void {
    const [dataset, module] = eventIndexKeys(event);
    this.byKey.get(dataset)?.collect(context, into);
    this.byKey.get(module)?.collect(context, into);
    this.unindexed.collect(context, into);
  }

  /**
   * Ids of every per-event rule whose detection matches the event, including rules that only feed
   * a correlation and never alert alone; no counter or correlation window changes.
   */
  matchingRules(event: StoredEvent): string[] {
    const context = new EvalContext(event);
    const candidates = new Candidates(this.active.length);
    candidates.next();
    this.collectCandidates(event, context, candidates);
    return candidates.inPackOrder().filter((r) => r.rule.compiled.matches(event, context)).map((r) => r.rule.rule.id ?? r.rule.rule.title);
  }

  /**
   * The part of a counted match's event that the correlation feed keeps: what the match's
   * correlations read, what an alert takes from it, and `alsoKeep` (fields that rule exceptions
   * compare). A match read back from the feed counts and raises alerts as the whole event would.
   */
  feedEvent(input: CorrelationInput, alsoKeep: readonly string[] = []): StoredEvent {
    const kept = alertFields(input.event);
    for (const path of alsoKeep) copyPath(input.event, kept, path.split('.'));
    this.correlation.project(input.rule, input.event, kept, input.context);
    return kept as unknown as StoredEvent;
  }

  /** Counts a match in this engine's correlation windows; answers the correlations it completes. */
  correlate(input: CorrelationInput): RuleFiring[] {
    return this.correlation.process(input.rule, input.event, input.at, input.context).map((h) => this.fromHit(h));
  }

  /** Closes windows that ended before `now` (conditions judged at the end of a window). */
  advance(now: Date): RuleFiring[] {
    return this.correlation.advance(now).map((h) => this.fromHit(h));
  }

  private fromHit(h: CorrelationHit): RuleFiring {
    return {
      kind: 'correlation',
      ruleId: h.id ?? h.name ?? h.title,
      title: h.title,
      level: h.level ?? 'high',
      tags: h.correlation.tags ?? [],
      groupKey: Object.entries(h.group).map(([field, v]) => `${field}=${String(v)}`).join(',') || 'all',
      event: h.event as StoredEvent,
      at: new Date(h.timestamp),
    };
  }

  ruleStats(): RuleStats[] {
    const scheduled = new Set(this.scheduled);
    const switchedOn = (id: string) => ({ enabled: !this.disabled.has(id), state: this.disabled.has(id) ? ('disabled' as const) : ('active' as const) });
    const rows: RuleStats[] = this.pack.rules.map((r) => {
      const s = this.stats.get(r)?.counters;
      const id = r.rule.id ?? r.rule.title;
      return {
        id,
        title: r.rule.title,
        level: r.rule.level ?? 'medium',
        kind: scheduled.has(r) ? 'scheduled' : 'rule',
        file: r.rule.file,
        ...switchedOn(id),
        evaluations: s?.evaluations ?? 0,
        matches: s?.matches ?? 0,
        meanMicros: s?.samples ? Math.round(s.sampledNanos / s.samples) / 1000 : 0,
        maxMicros: (s?.maxNanos ?? 0) / 1000,
      };
    });
    for (const c of this.pack.correlations) {
      const id = c.id ?? c.name ?? c.title;
      rows.push({ id, title: c.title, level: c.level ?? 'high', kind: 'correlation', file: c.file, ...switchedOn(id), evaluations: 0, matches: 0, meanMicros: 0, maxMicros: 0 });
    }
    for (const { rule, reason } of this.pack.dormant) {
      const id = rule.id ?? rule.name ?? rule.title;
      const kind = rule.kind === 'correlation' ? 'correlation' : scheduleOf(rule) ? 'scheduled' : 'rule';
      rows.push({
        id,
        title: rule.title,
        level: rule.level ?? (kind === 'correlation' ? 'high' : 'medium'),
        kind,
        file: rule.file,
        enabled: !this.disabled.has(id),
        state: 'dormant',
        reason: { ...reason, text: dormancyText(reason) },
        evaluations: 0,
        matches: 0,
        meanMicros: 0,
        maxMicros: 0,
      });
    }
    return rows;
  }
}

/** Gets or makes a cached value; a full cache starts over, so a stream of ever-new kinds of event cannot grow it without bound. */
function cached<K, V>(cache: Map<K, V>, key: K, limit: number, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= limit) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}
