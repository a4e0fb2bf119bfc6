import type { ConditionOperator, SigmaCorrelation, SigmaLevel, CorrelationType } from './ast.js';
import type { FieldMapper } from './compile.js';
import { SigmaError } from './errors.js';
import { EvalContext, fieldAccess, toStr, type FieldAccess } from './event.js';

/**
 * In-memory evaluation of Sigma correlation rules.
 *
 * Feed it every rule match: `process(rule, event, timestamp)`. Each correlation that references
 * the rule (by id or name) files the event under its group (the values of the `group-by` fields,
 * through `aliases` where given; an event that lacks a group-by field is not counted, as in SIEM
 * `stats ... by`) and checks its condition. Hits of a correlation are fed on to correlations that
 * reference it (chains).
 *
 * Windows. A window holds events whose timestamps lie at most `timespan` apart (inclusive).
 * - Conditions that can only become true when an event arrives — a count, distinct count, sum or
 *   max with only gt/gte, or a min with only lt/lte — use a sliding window and fire at once, on
 *   the event that completes them.
 * - All other conditions (upper bounds such as `lt: 5`, `eq`, `neq`, averages, medians and
 *   percentiles) need the whole window: a window opens at a group's first event and is judged
 *   when it closes — when a later event of the group falls outside it, or when `advance(now)` is
 *   called with a time past its end.
 * After a hit the group starts afresh, so one burst gives one hit.
 *
 * Memory is bounded: at most `maxGroups` groups (least recently updated evicted first) and
 * `maxEntriesPerGroup` entries per group (oldest dropped first); both evictions are counted.
 * State lives behind `CorrelationStateStore`, so a persistent store can replace the in-memory one.
 */

export interface CorrelationEntry {
  /** Event time, epoch milliseconds. */
  ts: number;
  /** Index of the referenced rule in the correlation's `rules` list. */
  rule: number;
  /** value_count: the distinct-value key; value_*: the number. */
  value?: string | number;
}

export interface GroupState {
  /** The group-by values, in group-by order. */
  group: unknown[];
  /** Ordered by ts. */
  entries: CorrelationEntry[];
  /** Whole-window conditions: start of the open window. */
  windowStart?: number;
  /** Whole-window conditions: the latest event (reported with the hit). */
  lastEvent?: unknown;
  /**
   * value_count and temporal: how many entries hold each distinct value (or rule), kept with
   * `entries`, so that a window judged on every arrival costs no pass over its entries (a flood
   * from one source made each arrival count up to `maxEntriesPerGroup` values again). Derived
   * from `entries`: a store may leave it out or serialise it into something else, and it is made
   * again when next needed.
   */
  tally?: Map<string | number | undefined, number>;
  /** value_sum and value_avg: the sum of the entries' values, kept the same way while every value is a whole number (a sum of those is exact). */
  sum?: number;
}

export interface CorrelationStateStore {
  get(correlation: string, group: string): GroupState | undefined;
  /** Insert or update; marks the group as most recently used. */
  set(correlation: string, group: string, state: GroupState): void;
  delete(correlation: string, group: string): void;
  /** All groups of one correlation (for closing windows in `advance`). */
  groups(correlation: string): Iterable<[string, GroupState]>;
  /** Number of groups held, and groups evicted for lack of room so far. */
  stats(): { groups: number; evictedGroups: number };
}

export class InMemoryStateStore implements CorrelationStateStore {
  private readonly map = new Map<string, { correlation: string; group: string; state: GroupState }>();
  private evicted = 0;
  constructor(private readonly maxGroups = 100_000) {}

  private static key(correlation: string, group: string) {
    return correlation + '\u0000' + group;
  }

  get(correlation: string, group: string): GroupState | undefined {
    return this.map.get(InMemoryStateStore.key(correlation, group))?.state;
  }

  set(correlation: string, group: string, state: GroupState): void {
    const k = InMemoryStateStore.key(correlation, group);
    this.map.delete(k); // re-insert: Map order is the LRU order
    this.map.set(k, { correlation, group, state });
    while (this.map.size > this.maxGroups) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evicted++;
    }
  }

  delete(correlation: string, group: string): void {
    this.map.delete(InMemoryStateStore.key(correlation, group));
  }

  *groups(correlation: string): Iterable<[string, GroupState]> {
    for (const v of [...this.map.values()]) if (v.correlation === correlation) yield [v.group, v.state];
  }

  stats() {
    return { groups: this.map.size, evictedGroups: this.evicted };
  }
}

export interface CorrelationEngineOptions {
  /** Default 100 000 (ignored when `store` is given). */
  maxGroups?: number;
  /** Default 10 000. */
  maxEntriesPerGroup?: number;
  store?: CorrelationStateStore;
  /** Same field mapping as the rules use, for group-by and value fields. */
  fieldMapper?: FieldMapper;
  /**
   * The rules that exist (id and/or name). When given, references to anything that is neither one
   * of these nor another correlation are errors.
   */
  knownRules?: readonly { id?: string; name?: string }[];
}

/** A rule as `process` receives it: its id or name, or both. */
export type RuleRef = string | { id?: string; name?: string };

export interface CorrelationHit {
  correlation: SigmaCorrelation;
  id?: string;
  name?: string;
  title: string;
  level?: SigmaLevel;
  type: CorrelationType;
  /** group-by field (or alias) → value. */
  group: Record<string, unknown>;
  groupKey: string;
  /** When the condition was met: the completing event's time, or the window's end. */
  timestamp: number;
  windowStart: number;
  windowEnd: number;
  /** Events in the window. */
  eventCount: number;
  /** The aggregate the condition was tested on (count, distinct count, sum, average, percentile ...). */
  value: number;
  /** The event that completed the correlation (or the last one in the window). */
  event: unknown;
  /**
   * False when an outer correlation references this one without `generate: true` — then only the
   * outer correlation's hit is meant to be an alert.
   */
  standalone: boolean;
}

interface Compiled {
  c: SigmaCorrelation;
  key: string;
  immediate: boolean;
}

const NON_DECREASING = new Set<CorrelationType>(['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_max']);
const MAX_CHAIN_DEPTH = 16;
/** Where an event reduced by `project` carries the values correlations read, by field. */
const READ_VALUES = '_correlation_reads';
/** Names a field by its paths: instances number their field accesses each in its own order. */
const readKey = (access: FieldAccess) => access.paths.join(',');

export class CorrelationEngine {
  private readonly store: CorrelationStateStore;
  private readonly maxEntries: number;
  private readonly mapper: FieldMapper;
  private readonly compiled: Compiled[];
  /** rule id / name → (correlation, index in its rules). */
  private readonly subs = new Map<string, { cc: Compiled; index: number }[]>();
  private readonly access = new Map<string, FieldAccess>();
  /** By rule: the fields read by the correlations its matches go to, and by the ones their hits go to. */
  private readonly readsByRule = new Map<string, FieldAccess[]>();
  private projecting: EvalContext | undefined;
  private evictedEntries = 0;

  constructor(correlations: readonly SigmaCorrelation[], options: CorrelationEngineOptions = {}) {
    const errors = CorrelationEngine.validate(correlations, options.knownRules);
    if (errors.length > 0) throw errors[0];
    this.store = options.store ?? new InMemoryStateStore(options.maxGroups);
    this.maxEntries = options.maxEntriesPerGroup ?? 10_000;
    this.mapper = options.fieldMapper ?? ((n) => [n]);
    this.compiled = correlations.map((c, i) => ({
      c,
      key: c.id ?? c.name ?? `${c.file}#${c.docIndex}:${i}`,
      immediate: isImmediate(c),
    }));
    for (const cc of this.compiled) {
      cc.c.rules.forEach((r, index) => {
        const k = r.ref.toLowerCase();
        const list = this.subs.get(k) ?? [];
        list.push({ cc, index });
        this.subs.set(k, list);
      });
    }
  }

  /** Reference and cycle errors of a set of correlations (the constructor throws the first). */
  static validate(correlations: readonly SigmaCorrelation[], knownRules?: readonly { id?: string; name?: string }[]): SigmaError[] {
    const errors: SigmaError[] = [];
    const keysOf = (x: { id?: string; name?: string }) => [x.id, x.name].filter((k): k is string => !!k).map((k) => k.toLowerCase());
    const corrByKey = new Map<string, SigmaCorrelation>();
    for (const c of correlations) for (const k of keysOf(c)) corrByKey.set(k, c);
    if (knownRules) {
      const known = new Set(knownRules.flatMap(keysOf));
      for (const c of correlations) {
        for (const r of c.rules) {
          const k = r.ref.toLowerCase();
          if (!known.has(k) && !corrByKey.has(k)) errors.push(SigmaError.at(`correlation references unknown rule '${r.ref}'`, c.file, r.pos));
        }
      }
    }
    // Cycles: a correlation must not (indirectly) reference itself.
    const state = new Map<SigmaCorrelation, 'visiting' | 'done'>();
    const visit = (c: SigmaCorrelation, path: string[]): void => {
      if (state.get(c) === 'done') return;
      state.set(c, 'visiting');
      for (const r of c.rules) {
        const next = corrByKey.get(r.ref.toLowerCase());
        if (!next) continue;
        if (state.get(next) === 'visiting') {
          errors.push(SigmaError.at(`correlation cycle: ${[...path, r.ref].join(' → ')}`, c.file, r.pos));
        } else visit(next, [...path, r.ref]);
      }
      state.set(c, 'done');
    };
    for (const c of correlations) visit(c, [c.name ?? c.id ?? c.title]);
    return errors;
  }

  /**
   * Should a match of this rule (or a hit of this correlation) be alerted on its own? Not when
   * correlations reference it and none of them says `generate: true`.
   */
  standalone(rule: RuleRef): boolean {
    const subs = this.subscriptions(rule);
    if (subs.length === 0) return true;
    return subs.some((s) => s.cc.c.generate);
  }

  /**
   * Puts into `into` the values of `event` that the correlations a match of `rule` goes to read
   * (and those their hits go to), by field: an event reduced to what `into` then holds counts
   * into their windows exactly as the whole event does.
   */
  project(rule: RuleRef, event: unknown, into: Record<string, unknown>, context?: EvalContext): void {
    const reads = this.fieldsReadAfter(rule);
    if (reads.length === 0) return;
    let ctx = context;
    if (!ctx || ctx.event !== event) {
      // One context for projections without one: a new one sizes its caches for every field a pack reads.
      ctx = this.projecting ??= new EvalContext(event);
      ctx.reset(event);
    }
    const read: Record<string, unknown[]> = {};
    for (const access of reads) {
      const values = ctx.field(access).values.filter((v) => v !== null);
      if (values.length > 0) read[readKey(access)] = values;
    }
    into[READ_VALUES] = read;
  }

  private fieldsReadAfter(rule: RuleRef): FieldAccess[] {
    const key = typeof rule === 'string' ? rule : `${rule.id ?? ''}\u0000${rule.name ?? ''}`;
    let reads = this.readsByRule.get(key);
    if (reads) return reads;
    const names = new Set<string>();
    const visited = new Set<Compiled>();
    const visit = (ref: RuleRef) => {
      for (const { cc } of this.subscriptions(ref)) {
        if (visited.has(cc)) continue;
        visited.add(cc);
        const c = cc.c;
        for (const name of [...c.groupBy, ...(c.condition.field ?? []), ...[...c.aliases.values()].flatMap((byRule) => [...byRule.values()])]) names.add(name);
        visit({ id: c.id, name: c.name });
      }
    };
    visit(rule);
    reads = [...names].map((name) => this.fieldAccess(name));
    this.readsByRule.set(key, reads);
    return reads;
  }

  /** The values of a field the correlations read, from a reduced event where it is one. */
  private values(ctx: EvalContext, access: FieldAccess): unknown[] {
    const event = ctx.event as Record<string, unknown> | null;
    const read = event && typeof event === 'object' ? (event[READ_VALUES] as Record<string, unknown[]> | undefined) : undefined;
    return read ? (read[readKey(access)] ?? []) : ctx.field(access).values.filter((v) => v !== null);
  }

  /**
   * Record a match of `rule` on `event` at `timestamp`; returns the correlation hits it completes.
   * `context`: the event's own, from the rule evaluation that matched it (its fields read once).
   */
  process(rule: RuleRef, event: unknown, timestamp: number | Date | string, context?: EvalContext): CorrelationHit[] {
    const ts = toMillis(timestamp);
    const hits: CorrelationHit[] = [];
    this.feed(rule, event, ts, hits, 0, context);
    return hits;
  }

  /**
   * Let time pass: judges whole-window groups whose window ended before `now`, and drops sliding
   * groups with nothing left inside their window.
   */
  advance(now: number | Date | string): CorrelationHit[] {
    const t = toMillis(now);
    const hits: CorrelationHit[] = [];
    for (const cc of this.compiled) {
      const span = cc.c.timespanMs;
      // Collect first, change after: a store need not support deletion while iterating.
      const stale: string[] = [];
      const done: [string, GroupState][] = [];
      for (const [key, st] of this.store.groups(cc.key)) {
        if (cc.immediate) {
          const last = st.entries[st.entries.length - 1];
          if (!last || last.ts < t - span) stale.push(key);
        } else if (st.windowStart !== undefined && t > st.windowStart + span) {
          done.push([key, st]);
        }
      }
      for (const key of stale) this.store.delete(cc.key, key);
      for (const [key, st] of done) {
        this.store.delete(cc.key, key);
        const hit = this.judge(cc, key, st, st.windowStart! + span, st.lastEvent);
        if (hit) this.emit(hit, hits, 0);
      }
    }
    return hits;
  }

  stats(): { groups: number; evictedGroups: number; evictedEntries: number } {
    return { ...this.store.stats(), evictedEntries: this.evictedEntries };
  }

  private subscriptions(rule: RuleRef) {
    const keys = typeof rule === 'string' ? [rule] : [rule.id, rule.name].filter((k): k is string => !!k);
    const seen = new Set<unknown>();
    const out: { cc: Compiled; index: number }[] = [];
    for (const k of keys) {
      for (const s of this.subs.get(k.toLowerCase()) ?? []) {
        const id = s.cc.key + '#' + s.index;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(s);
      }
    }
    return out;
  }

  private fieldAccess(name: string): FieldAccess {
    let a = this.access.get(name);
    if (!a) {
      const paths = this.mapper(name);
      a = fieldAccess(paths.length ? paths : [name]);
      this.access.set(name, a);
    }
    return a;
  }

  /** The event field behind a group-by or value field name, through the correlation's aliases. */
  private resolveField(c: SigmaCorrelation, field: string, rule: RuleRef, index: number): string {
    const alias = c.aliases.get(field);
    if (!alias) return field;
    const keys = [c.rules[index].ref, ...(typeof rule === 'string' ? [rule] : [rule.id, rule.name])];
    for (const k of keys) if (k && alias.has(k)) return alias.get(k)!;
    return field;
  }

  private feed(rule: RuleRef, event: unknown, ts: number, hits: CorrelationHit[], depth: number, context?: EvalContext): void {
    const subs = this.subscriptions(rule);
    if (subs.length === 0) return;
    const ctx = context && context.event === event ? context : new EvalContext(event);
    for (const { cc, index } of subs) {
      const c = cc.c;
      // Group key.
      const group: unknown[] = [];
      let complete = true;
      for (const g of c.groupBy) {
        const vals = this.values(ctx, this.fieldAccess(this.resolveField(c, g, rule, index)));
        if (vals.length === 0) {
          complete = false;
          break;
        }
        group.push(vals.length === 1 ? vals[0] : vals);
      }
      if (!complete) continue;
      // Value of the event for value_* correlations.
      let value: string | number | undefined;
      if (c.condition.field) {
        const parts: unknown[] = [];
        for (const f of c.condition.field) {
          const vals = this.values(ctx, this.fieldAccess(this.resolveField(c, f, rule, index)));
          parts.push(vals.length === 0 ? undefined : vals.length === 1 ? vals[0] : vals);
        }
        if (c.type === 'value_count') {
          if (parts.some((p) => p === undefined)) continue;
          value = parts.length === 1 && toStr(parts[0]) !== undefined ? toStr(parts[0]) : JSON.stringify(parts);
        } else {
          const n = numberOf(parts[0]);
          if (n === undefined) continue;
          value = n;
        }
      }
      const groupKey = JSON.stringify(group);
      const entry: CorrelationEntry = { ts, rule: index, value };
      const hit = cc.immediate ? this.slide(cc, groupKey, group, entry, event) : this.tumble(cc, groupKey, group, entry, event);
      if (hit) this.emit(hit, hits, depth);
    }
  }

  private emit(hit: CorrelationHit, hits: CorrelationHit[], depth: number) {
    hit.standalone = this.standalone({ id: hit.id, name: hit.name });
    hits.push(hit);
    if (depth >= MAX_CHAIN_DEPTH) return;
    this.feed({ id: hit.id, name: hit.name }, hit.event, hit.timestamp, hits, depth + 1);
  }

  private addEntry(c: SigmaCorrelation, st: GroupState, entry: CorrelationEntry) {
    const es = st.entries;
    let i = es.length;
    while (i > 0 && es[i - 1].ts > entry.ts) i--;
    if (i === es.length) es.push(entry);
    else es.splice(i, 0, entry);
    const tally = keptTally(st);
    if (tally) count(tally, tallyKey(c, entry), 1);
    if (typeof st.sum === 'number') st.sum = exactSum(st.sum, entry.value);
    if (es.length > this.maxEntries) {
      const excess = es.length - this.maxEntries;
      removeEntries(c, st, 0, excess);
      this.evictedEntries += excess;
    }
  }

  /** Sliding window, judged on every arrival. */
  private slide(cc: Compiled, key: string, group: unknown[], entry: CorrelationEntry, event: unknown): CorrelationHit | undefined {
    const span = cc.c.timespanMs;
    const st = this.store.get(cc.key, key) ?? { group, entries: [] };
    const newest = Math.max(entry.ts, st.entries.length ? st.entries[st.entries.length - 1].ts : -Infinity);
    if (entry.ts < newest - span) return undefined; // too late for any open window
    if (cc.c.type === 'temporal') {
      // Only the latest occurrence of each rule matters.
      const prev = st.entries.findIndex((e) => e.rule === entry.rule);
      if (prev >= 0 && st.entries[prev].ts <= entry.ts) removeEntries(cc.c, st, prev, 1);
    }
    this.addEntry(cc.c, st, entry);
    let drop = 0;
    while (drop < st.entries.length && st.entries[drop].ts < newest - span) drop++;
    if (drop) removeEntries(cc.c, st, 0, drop);
    const hit = this.judge(cc, key, st, newest, event);
    if (hit) this.store.delete(cc.key, key);
    else this.store.set(cc.key, key, st);
    return hit;
  }

  /** Whole window from the group's first event; judged when it closes. */
  private tumble(cc: Compiled, key: string, group: unknown[], entry: CorrelationEntry, event: unknown): CorrelationHit | undefined {
    const span = cc.c.timespanMs;
    let st = this.store.get(cc.key, key);
    let hit: CorrelationHit | undefined;
    if (st && st.windowStart !== undefined && entry.ts > st.windowStart + span) {
      hit = this.judge(cc, key, st, st.windowStart + span, st.lastEvent);
      st = undefined;
    }
    if (!st) st = { group, entries: [], windowStart: entry.ts };
    if (entry.ts < st.windowStart!) return hit; // late event of an earlier window
    this.addEntry(cc.c, st, entry);
    st.lastEvent = event;
    this.store.set(cc.key, key, st);
    return hit;
  }

  private judge(cc: Compiled, key: string, st: GroupState, end: number, event: unknown): CorrelationHit | undefined {
    const c = cc.c;
    if (st.entries.length === 0) return undefined;
    const value = aggregate(c, st);
    if (value === undefined || !c.condition.tests.every((t) => compare(t.op, value, t.value))) return undefined;
    const group: Record<string, unknown> = {};
    c.groupBy.forEach((g, i) => (group[g] = st.group[i]));
    const last = st.entries[st.entries.length - 1];
    return {
      correlation: c,
      id: c.id,
      name: c.name,
      title: c.title,
      level: c.level,
      type: c.type,
      group,
      groupKey: key,
      timestamp: cc.immediate ? last.ts : end,
      windowStart: st.windowStart ?? st.entries[0].ts,
      windowEnd: cc.immediate ? last.ts : end,
      eventCount: st.entries.length,
      value,
      event,
      standalone: true,
    };
  }
}

function isImmediate(c: SigmaCorrelation): boolean {
  const ops = c.condition.tests.map((t) => t.op);
  if (NON_DECREASING.has(c.type)) return ops.every((o) => o === 'gt' || o === 'gte');
  if (c.type === 'value_min') return ops.every((o) => o === 'lt' || o === 'lte');
  return false;
}

function compare(op: ConditionOperator, a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'eq':
      return a === b;
    case 'neq':
      return a !== b;
  }
}

function numberOf(v: unknown): number | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  if (typeof x === 'number') return Number.isFinite(x) ? x : undefined;
  if (typeof x === 'string' && x.trim() !== '') {
    const n = Number(x);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Linear interpolation between closest ranks (the common spreadsheet / numpy definition). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 1) return sorted[0];
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** What `GroupState.tally` counts an entry under: its value (value_count) or its rule (temporal). */
function tallyKey(c: SigmaCorrelation, entry: CorrelationEntry): string | number | undefined {
  return c.type === 'temporal' ? entry.rule : entry.value;
}

function count(tally: Map<string | number | undefined, number>, key: string | number | undefined, by: number): void {
  const n = (tally.get(key) ?? 0) + by;
  if (n === 0) tally.delete(key);
  else tally.set(key, n);
}

/** Removes `n` entries from `start`, and takes them out of the tally. */
function removeEntries(c: SigmaCorrelation, st: GroupState, start: number, n: number): void {
  // the oldest entry alone, as a full window drops one on every arrival: shift moves the array's
  // start where splice copies every entry after it
  const removed = start === 0 && n === 1 ? [st.entries.shift()!] : st.entries.splice(start, n);
  const tally = keptTally(st);
  if (tally) for (const entry of removed) count(tally, tallyKey(c, entry), -1);
  if (typeof st.sum === 'number') for (const entry of removed) st.sum = exactSum(st.sum, -(entry.value as number));
}

/** `sum + value` when both are whole numbers and so is the result, exactly; otherwise undefined (the sum is then made afresh). */
function exactSum(sum: number | undefined, value: unknown): number | undefined {
  if (sum === undefined || typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
  const next = sum + value;
  return Number.isSafeInteger(next) ? next : undefined;
}

function sumOf(st: GroupState): number {
  if (typeof st.sum === 'number') return st.sum;
  let sum = 0;
  let exact: number | undefined = 0;
  for (const e of st.entries) {
    sum += e.value as number;
    exact = exactSum(exact, e.value);
  }
  st.sum = exact;
  return sum;
}

/** The group's tally, unless a store dropped it or turned it into something else on the way. */
function keptTally(st: GroupState): GroupState['tally'] {
  return st.tally instanceof Map ? st.tally : undefined;
}

/** How many distinct values (value_count) or rules (temporal) the window holds. */
function distinct(c: SigmaCorrelation, st: GroupState): number {
  let tally = keptTally(st);
  if (!tally) {
    st.tally = tally = new Map();
    for (const entry of st.entries) count(tally, tallyKey(c, entry), 1);
  }
  return tally.size;
}

function aggregate(c: SigmaCorrelation, st: GroupState): number | undefined {
  const entries = st.entries;
  switch (c.type) {
    case 'event_count':
      return entries.length;
    case 'value_count':
    case 'temporal':
      return distinct(c, st);
    case 'temporal_ordered': {
      // Longest prefix of `rules` found in order (greedy earliest matching is optimal).
      let next = 0;
      for (const e of entries) {
        if (e.rule === next) next++;
        if (next === c.rules.length) break;
      }
      return next;
    }
  }
  // a plain pass, without an array of the numbers: sliding windows are judged on every arrival
  switch (c.type) {
    case 'value_sum':
      return sumOf(st);
    case 'value_avg':
      return sumOf(st) / entries.length;
    case 'value_min':
    case 'value_max': {
      let extreme = c.type === 'value_min' ? Infinity : -Infinity;
      for (const e of entries) extreme = c.type === 'value_min' ? Math.min(extreme, e.value as number) : Math.max(extreme, e.value as number);
      return extreme;
    }
  }
  const nums = entries.map((e) => e.value as number);
  switch (c.type) {
    case 'value_median':
      return percentile([...nums].sort((a, b) => a - b), 50);
    case 'value_percentile':
      return percentile([...nums].sort((a, b) => a - b), c.condition.percentile ?? 50);
  }
  return undefined;
}

function toMillis(t: number | Date | string): number {
  const ms = typeof t === 'number' ? t : t instanceof Date ? t.getTime() : Date.parse(t);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid correlation timestamp: ${String(t)}`);
  return ms;
}
