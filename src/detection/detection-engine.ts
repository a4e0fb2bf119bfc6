import { readFileSync } from 'node:fs';
import type { StoredEvent } from '../events/event-store.js';
import { loadLogsourceMapping, type LogsourceMapping } from './logsources.js';
import { loadPlaceholders, loadRulePack, scheduleOf, type PackRule, type RulePack } from './rule-pack.js';
import { CorrelationEngine, EvalContext, eventMayMatch, type CorrelationHit } from './sigma/index.js';

/** A rule or correlation firing, ready to become (or update) an alert. */
export interface RuleFiring {
  kind: 'rule' | 'correlation';
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
  evaluations: number;
  matches: number;
  /** Mean evaluation time, sampled on one evaluation in 64. */
  meanMicros: number;
}

/** Fields that name "who" when a rule says nothing: the attacker first, then the target. */
const DEFAULT_GROUP_FIELDS = ['source.ip', 'user.name', 'host.name', 'taishi.asset_id'];

function value(event: unknown, path: string): unknown {
  let v: unknown = event;
  for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v[0] : v;
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

/**
 * Evaluates a rule pack on events: rules indexed by the datasets their logsource can match, so
 * an event meets only the candidates for its dataset; a cheap literal prefilter before each full
 * match; correlations fed from the matches. Scheduled (absence) rules are not evaluated per event.
 */
export class DetectionEngine {
  private readonly byDataset = new Map<string, PackRule[]>();
  private readonly anyDataset: PackRule[] = [];
  private readonly correlation: CorrelationEngine;
  private readonly stats = new Map<PackRule, { evaluations: number; matches: number; sampledNanos: bigint; samples: number }>();
  private readonly standalone = new Set<PackRule>();
  readonly scheduled: PackRule[] = [];

  constructor(
    readonly pack: RulePack,
    mapping: LogsourceMapping,
    private readonly disabled: ReadonlySet<string> = new Set(),
  ) {
    this.correlation = new CorrelationEngine(
      pack.correlations.filter((c) => !disabled.has(c.id ?? c.name ?? '')),
      { knownRules: pack.rules.map((r) => r.rule), fieldMapper: mapping.correlationFieldMapper },
    );
    for (const rule of pack.rules) {
      if (disabled.has(rule.rule.id ?? '')) continue;
      if (scheduleOf(rule.rule)) {
        this.scheduled.push(rule);
        continue;
      }
      this.stats.set(rule, { evaluations: 0, matches: 0, sampledNanos: 0n, samples: 0 });
      if (this.correlation.standalone({ id: rule.rule.id, name: rule.rule.name })) this.standalone.add(rule);
      const key = rule.logsource.indexKey;
      if (key === 'any') this.anyDataset.push(rule);
      else for (const dataset of key) (this.byDataset.get(dataset) ?? this.byDataset.set(dataset, []).get(dataset)!).push(rule);
    }
  }

  /** Loads rules, logsource mapping and placeholders from files; problems come back as messages. */
  static fromFiles(paths: { rules: string | readonly string[]; logsources: string; placeholders: string }, disabled?: ReadonlySet<string>): { engine: DetectionEngine; mapping: LogsourceMapping; errors: string[] } {
    const mapping = loadLogsourceMapping(readFileSync(paths.logsources, 'utf8'), paths.logsources);
    const placeholders = loadPlaceholders(readFileSync(paths.placeholders, 'utf8'), paths.placeholders);
    const pack = loadRulePack(paths.rules, mapping, placeholders);
    return { engine: new DetectionEngine(pack, mapping, disabled), mapping, errors: pack.errors };
  }

  get ruleCount(): number {
    return this.stats.size + this.scheduled.length;
  }

  evaluate(events: readonly StoredEvent[]): RuleFiring[] {
    const firings: RuleFiring[] = [];
    for (const event of events) {
      const candidates = this.byDataset.get(event.event.dataset);
      if (!candidates && this.anyDataset.length === 0) continue;
      const context = new EvalContext(event);
      const sample = (event.event.id.charCodeAt(0) & 63) === 0;
      for (const list of candidates ? [candidates, this.anyDataset] : [this.anyDataset]) {
        for (const rule of list) {
          const s = this.stats.get(rule)!;
          s.evaluations++;
          const started = sample ? process.hrtime.bigint() : 0n;
          const hit = eventMayMatch(rule.compiled.literalHints, context) && rule.logsource.matches(event) && rule.compiled.matches(event, context);
          if (sample) {
            s.sampledNanos += process.hrtime.bigint() - started;
            s.samples++;
          }
          if (!hit) continue;
          s.matches++;
          const at = eventTime(event);
          if (this.standalone.has(rule)) {
            firings.push({ kind: 'rule', ruleId: rule.rule.id ?? rule.rule.title, title: rule.rule.title, level: rule.rule.level ?? 'medium', tags: rule.rule.tags ?? [], groupKey: groupKeyOf(rule, event), event, at: new Date(at) });
          }
          for (const h of this.correlation.process({ id: rule.rule.id, name: rule.rule.name }, event, at)) firings.push(this.fromHit(h));
        }
      }
    }
    return firings;
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
    const rows: RuleStats[] = this.pack.rules.map((r) => {
      const s = this.stats.get(r);
      const id = r.rule.id ?? r.rule.title;
      return {
        id,
        title: r.rule.title,
        level: r.rule.level ?? 'medium',
        kind: scheduled.has(r) ? 'scheduled' : 'rule',
        file: r.rule.file,
        enabled: !this.disabled.has(id),
        evaluations: s?.evaluations ?? 0,
        matches: s?.matches ?? 0,
        meanMicros: s?.samples ? Number(s.sampledNanos / BigInt(s.samples)) / 1000 : 0,
      };
    });
    for (const c of this.pack.correlations) {
      const id = c.id ?? c.name ?? c.title;
      rows.push({ id, title: c.title, level: c.level ?? 'high', kind: 'correlation', file: c.file, enabled: !this.disabled.has(id), evaluations: 0, matches: 0, meanMicros: 0 });
    }
    return rows;
  }
}
