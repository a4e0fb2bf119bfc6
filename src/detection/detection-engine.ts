import { readFileSync } from 'node:fs';
import type { StoredEvent } from '../events/index.js';
import { eventIndexKeys, loadLogsourceMapping, type LogsourceMapping } from './logsources.js';
import { dormancyText, loadPlaceholders, loadRulePack, scheduleOf, type DormantReason, type PackRule, type RulePack } from './rule-pack.js';
import { AhoCorasick, CorrelationEngine, EvalContext, ORIGINAL_PATH, valueKeys, type CorrelationHit, type FieldAccess } from './sigma/index.js';

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

function value(event: unknown, path: string): unknown {
  let v: unknown = event;
  for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v[0] : v;
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
  const t = Date.parse(event['@timestamp']);
  return Number.isFinite(t) ? t : Date.now();
}

/** A rule the engine runs per event, numbered for the per-event stamps of `Candidates`. */
interface ActiveRule {
  rule: PackRule;
  /** Position in the engine's list of active rules. */
  index: number;
  /** Number of the rule's logsource among the engine's distinct logsources. */
  logsource: number;
  standalone: boolean;
  counted: boolean;
  counters: RuleCounters;
}

/**
 * The candidate rules of one event, in the order they were first added. A rule found by several
 * hints or buckets is kept once by stamping it with the event's number instead of hashing it into
 * a Set; logsource verdicts are stamped the same way, so nothing is allocated per event.
 */
class Candidates {
  readonly list: ActiveRule[] = [];
  private readonly ruleStamp: Uint32Array;
  private readonly logsourceStamp: Uint32Array;
  private readonly logsourceVerdict: Uint8Array;
  private epoch = 0;

  constructor(rules: number, logsources: number) {
    this.ruleStamp = new Uint32Array(rules);
    this.logsourceStamp = new Uint32Array(logsources);
    this.logsourceVerdict = new Uint8Array(logsources);
  }

  /** Starts a new event. */
  next(): void {
    this.list.length = 0;
    if (++this.epoch === 0xffffffff) {
      this.epoch = 1;
      this.ruleStamp.fill(0);
      this.logsourceStamp.fill(0);
    }
  }

  add(rule: ActiveRule): void {
    if (this.ruleStamp[rule.index] === this.epoch) return;
    this.ruleStamp[rule.index] = this.epoch;
    this.list.push(rule);
  }

  /** Does the event belong to the rule's logsource? Many rules share one: each is tested once per event. */
  belongs(rule: ActiveRule, event: StoredEvent): boolean {
    const n = rule.logsource;
    if (this.logsourceStamp[n] !== this.epoch) {
      this.logsourceStamp[n] = this.epoch;
      this.logsourceVerdict[n] = rule.rule.logsource.matches(event) ? 1 : 0;
    }
    return this.logsourceVerdict[n] === 1;
  }
}

/**
 * Rules that pin one field to exact values (an EventID, a Channel, a provider), indexed by those
 * values: an event meets only the rules that name a value it has.
 */
class ValueIndex {
  private readonly byField = new Map<number, { access: FieldAccess; rules: Map<string, ActiveRule[]> }>();
  private readonly keys: string[] = [];

  add(rule: ActiveRule): boolean {
    const required = rule.rule.compiled.requiredValues;
    if (!required) return false;
    const slot = required.access.slot;
    const field = this.byField.get(slot) ?? this.byField.set(slot, { access: required.access, rules: new Map() }).get(slot)!;
    for (const key of required.keys) (field.rules.get(key) ?? field.rules.set(key, []).get(key)!).push(rule);
    return true;
  }

  collect(context: EvalContext, into: Candidates): void {
    for (const { access, rules } of this.byField.values()) {
      const keys = this.keys;
      keys.length = 0;
      for (const v of context.field(access).values) valueKeys(v, keys);
      for (const key of keys) {
        const found = rules.get(key);
        if (found) for (const rule of found) into.add(rule);
      }
    }
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

/**
 * Rules indexed by their literal hints: one automaton pass over an event's text finds every rule
 * that could match it, so the cost of an event grows with the rules it might trigger, not with the
 * number of rules loaded.
 */
class HintIndex {
  private readonly byHint: ActiveRule[][] = [];
  private readonly automaton: AhoCorasick;
  /** The event (by number) each hint last matched in: a hint found many times adds its rules once. */
  private readonly seen: Uint32Array;
  private eventNumber = 0;
  private into?: Candidates;
  private readonly found = (hint: number) => {
    if (this.seen[hint] === this.eventNumber) return;
    this.seen[hint] = this.eventNumber;
    for (const rule of this.byHint[hint]) this.into!.add(rule);
  };

  constructor(rules: readonly ActiveRule[]) {
    const hintIndex = new Map<string, number>();
    for (const rule of rules) {
      for (const hint of new Set(rule.rule.compiled.literalHints!.map(hintTail))) {
        let index = hintIndex.get(hint);
        if (index === undefined) {
          index = hintIndex.size;
          hintIndex.set(hint, index);
          this.byHint.push([]);
        }
        this.byHint[index].push(rule);
      }
    }
    this.automaton = new AhoCorasick([...hintIndex.keys()]);
    this.seen = new Uint32Array(hintIndex.size);
  }

  /** Adds the rules whose hints occur in one of the texts (values of one event). */
  collect(into: Candidates, text: string, more = ''): void {
    this.eventNumber = (this.eventNumber % 0xfffffffe) + 1;
    if (this.eventNumber === 1) this.seen.fill(0);
    this.into = into;
    this.automaton.forEachMatch(text, this.found);
    if (more) this.automaton.forEachMatch(more, this.found);
    this.into = undefined;
  }
}

/**
 * The rules of one dataset. Rules with literal hints are found by a scan of the event's text;
 * those whose hints can only be in fields other than the raw record (`event.original`, most of an
 * event's text) by a scan that leaves it out. Rules without hints are indexed by the exact values
 * they require, where they have some.
 */
class RuleBucket {
  private readonly unfiltered: ActiveRule[] = [];
  private readonly byValue = new ValueIndex();
  /** Rules whose hints are never in the raw record. */
  private readonly besideOriginal: HintIndex | undefined;
  /** Rules that search every value, or read the raw record. */
  private readonly anywhere: HintIndex | undefined;
  /** One rule of `anywhere` per logsource: the raw record is scanned only for an event one of them fits. */
  private readonly anywhereLogsources: ActiveRule[] = [];

  constructor(rules: ActiveRule[]) {
    const beside: ActiveRule[] = [];
    const anywhere: ActiveRule[] = [];
    for (const rule of rules) {
      const { literalHints, literalHintPaths } = rule.rule.compiled;
      if (literalHints) (literalHintPaths && !literalHintPaths.includes(ORIGINAL_PATH) ? beside : anywhere).push(rule);
      else if (!this.byValue.add(rule)) this.unfiltered.push(rule);
    }
    this.besideOriginal = beside.length ? new HintIndex(beside) : undefined;
    this.anywhere = anywhere.length ? new HintIndex(anywhere) : undefined;
    const logsources = new Set<number>();
    for (const rule of anywhere) if (!logsources.has(rule.logsource)) this.anywhereLogsources.push(rule), logsources.add(rule.logsource);
  }

  collect(context: EvalContext, into: Candidates): void {
    for (const rule of this.unfiltered) into.add(rule);
    this.byValue.collect(context, into);
    if (!this.besideOriginal && !this.anywhere) return;
    this.besideOriginal?.collect(into, context.lowerRest());
    // (a candidate outside its logsource is never evaluated, so finding it would be wasted)
    if (this.anywhere && this.anywhereLogsources.some((rule) => into.belongs(rule, context.event as StoredEvent))) this.anywhere.collect(into, context.lowerRest(), context.lowerOriginal());
  }
}

/** A match of a rule that correlations count, handed to whoever keeps the correlation windows. */
export interface CorrelationInput {
  rule: { id?: string; name?: string };
  event: StoredEvent;
  /** Event time, epoch milliseconds. */
  at: number;
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
  private readonly stats = new Map<PackRule, ActiveRule>();
  /** How many distinct logsources the active rules have (see ActiveRule.logsource). */
  private readonly logsourceCount: number;
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
    const logsources = new Map<PackRule['logsource'], number>();
    for (const rule of pack.rules) {
      if (disabled.has(rule.rule.id ?? '')) continue;
      if (scheduleOf(rule.rule)) {
        this.scheduled.push(rule);
        continue;
      }
      let logsource = logsources.get(rule.logsource);
      if (logsource === undefined) logsources.set(rule.logsource, (logsource = logsources.size));
      const active: ActiveRule = {
        rule,
        index: this.active.length,
        logsource,
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
    this.logsourceCount = logsources.size;
    for (const [k, rules] of byKey) this.byKey.set(k, new RuleBucket(rules));
    this.unindexed = new RuleBucket(unindexed);
  }

  /**
   * Loads rules, logsource mapping and placeholders from files; problems come back as messages.
   * `cache`: a folder that keeps the parsed rule files for the next load (see RuleFileCache).
   */
  static fromFiles(paths: { rules: string | readonly string[]; logsources: string; placeholders: string; cache?: string }, disabled?: ReadonlySet<string>): { engine: DetectionEngine; mapping: LogsourceMapping; errors: string[] } {
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
    const candidates = new Candidates(this.active.length, this.logsourceCount);
    for (const event of events) {
      const context = new EvalContext(event);
      candidates.next();
      this.collectCandidates(event, context, candidates);
      for (const active of candidates.list) {
        const s = active.counters;
        const rule = active.rule;
        const timed = s.evaluations++ % TIMING_SAMPLE_EVERY === 0;
        const started = timed ? process.hrtime.bigint() : 0n;
        const hit = candidates.belongs(active, event) && rule.compiled.matches(event, context);
        if (timed) {
          const nanos = Number(process.hrtime.bigint() - started);
          s.sampledNanos += nanos;
          s.samples++;
          if (nanos > s.maxNanos) s.maxNanos = nanos;
        }
        if (!hit) continue;
        s.matches++;
        const at = eventTime(event);
        if (active.standalone) {
          firings.push({ kind: 'rule', ruleId: rule.rule.id ?? rule.rule.title, title: rule.rule.title, level: rule.rule.level ?? 'medium', tags: rule.rule.tags ?? [], groupKey: groupKeyOf(rule, event), event, at: new Date(at) });
        }
        if (active.counted) firings.push(...correlate({ rule: { id: rule.rule.id, name: rule.rule.name }, event, at }));
      }
    }
    return firings;
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
    const candidates = new Candidates(this.active.length, this.logsourceCount);
    candidates.next();
    this.collectCandidates(event, context, candidates);
    return candidates.list.filter((r) => candidates.belongs(r, event) && r.rule.compiled.matches(event, context)).map((r) => r.rule.rule.id ?? r.rule.rule.title);
  }

  /** Counts a match in this engine's correlation windows; answers the correlations it completes. */
  correlate(input: CorrelationInput): RuleFiring[] {
    return this.correlation.process(input.rule, input.event, input.at).map((h) => this.fromHit(h));
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
