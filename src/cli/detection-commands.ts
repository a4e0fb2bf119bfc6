import { statSync } from 'node:fs';
import path from 'node:path';
import type { StoredEvent } from '../events/index.js';
import { loadSettings } from '../config/index.js';
import { DetectionEngine, ruleCacheDir, type RuleFiring } from '../detection/index.js';
import { dormancyText, runCorrelationSequences, runRuleExamples, runScheduleTests, type DormantRule } from '../detection/index.js';
import { AssetIndex } from '../assets/index.js';
import { IngestPipeline } from '../ingest/index.js';
import { UsageError } from './command-line.js';
import { lineBatches } from './line-reader.js';
import { progressBar } from './progress.js';

function loadEngine(rules: string[]) {
  const settings = loadSettings();
  return DetectionEngine.fromFiles({ rules, logsources: settings.TAISHI_LOGSOURCES, placeholders: settings.TAISHI_RULE_PLACEHOLDERS, cache: ruleCacheDir(settings.TAISHI_RULE_CACHE) });
}

function rulePaths(args: string[]): string[] {
  const paths = args.length ? args : [loadSettings().TAISHI_RULES_DIR];
  for (const p of paths) {
    try {
      statSync(p);
    } catch {
      throw new UsageError(`cannot read ${p}`);
    }
  }
  return paths;
}

/**
 * `rules validate [--list-dormant] PATH...`: every rule that breaks the Sigma specification with
 * file, line, column and reason (exit 1 if any); warnings; the count of valid rules, split into
 * active and dormant; with --list-dormant the dormant ones, grouped by what keeps them asleep.
 */
export function rulesValidate(values: { 'list-dormant'?: boolean }, positionals: string[]): number {
  const { engine, errors } = loadEngine(rulePaths(positionals));
  const { pack } = engine;
  for (const e of errors) process.stdout.write(`  ${e}\n`);
  for (const w of pack.warnings) process.stdout.write(`  warning 警告: ${w}\n`);
  if (values['list-dormant']) {
    const groups = new Map<string, DormantRule[]>();
    for (const d of pack.dormant) groups.set(dormancyText(d.reason), [...(groups.get(dormancyText(d.reason)) ?? []), d]);
    const sorted = [...groups].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
    process.stdout.write(`dormant 休眠 (valid, cannot run yet), ${sorted.length} cause(s):\n`);
    for (const [cause, group] of sorted) {
      process.stdout.write(`${String(group.length).padStart(5)}  ${cause}\n`);
      for (const { rule } of group) process.stdout.write(`         ${rule.file}:${rule.pos.line}:${rule.pos.column}  ${rule.title}\n`);
    }
  }
  const active = pack.rules.length + pack.correlations.length;
  const dormant = pack.dormant.length;
  process.stdout.write(`${active + dormant} valid (${active} active, ${dormant} dormant), ${pack.invalid} invalid 有效（运行 ${active}，休眠 ${dormant}），无效 ${pack.invalid}\n`);
  if (dormant && !values['list-dormant']) process.stdout.write('(--list-dormant lists the dormant rules by cause 列出休眠规则及原因)\n');
  return pack.invalid || errors.length ? 1 : 0;
}

/** `rules test [PATH...]`: runs every rule's own examples, correlation sequences and schedule examples. */
export function rulesTest(args: string[]): number {
  const { engine, mapping, errors } = loadEngine(rulePaths(args));
  const context = { source: 'rules-test', transport: 'file' as const, receivedAt: new Date(), timeZone: loadSettings().TAISHI_TIME_ZONE };
  const failures = [
    ...errors,
    ...engine.pack.rules.flatMap((r) => [...runRuleExamples(r, context), ...runScheduleTests(r, mapping, context)]),
    ...engine.pack.correlations.flatMap((c) => runCorrelationSequences(engine.pack, c, mapping, context)),
  ];
  for (const f of failures) process.stdout.write(`  ✗ ${f}\n`);
  const total = engine.pack.rules.length + engine.pack.correlations.length;
  process.stdout.write(`${total} rules, ${failures.length ? `${failures.length} failure(s)` : 'all examples pass'} 规则自测\n`);
  return failures.length ? 1 : 0;
}

interface HuntAlert {
  rule_id: string;
  title: string;
  level: string;
  tags: string[];
  kind: RuleFiring['kind'];
  group: string;
  count: number;
  first_seen: string;
  last_seen: string;
  events: { file: string; line: number }[];
}

/** An alert lists where its first events are; its count says how many there were. */
const MAX_EVENTS_PER_ALERT = 100;

/**
 * `hunt --rules PATH... FILE...`: the live pipeline's parsers, logsource mapping, rules and
 * correlations over log files, offline. Firings of one rule on one group become one alert.
 */
export async function hunt(options: { rules?: string[]; format?: string }, positionals: string[]): Promise<number> {
  if (!positionals.length) throw new UsageError('hunt needs at least one log FILE');
  const format = options.format ?? 'table';
  if (format !== 'table' && format !== 'ndjson') throw new UsageError('--format must be table or ndjson');
  const { engine, errors } = loadEngine(rulePaths(options.rules ?? []));
  for (const e of errors) process.stderr.write(`rule problem: ${e}\n`);
  const pipeline = new IngestPipeline(() => new AssetIndex([]));
  const timeZone = loadSettings().TAISHI_TIME_ZONE;
  const alerts = new Map<string, HuntAlert>();
  // Where each event came from, held only as long as the event itself (a correlation window may
  // keep one): memory follows what the rules hold, not the size of the files.
  const origin = new WeakMap<StoredEvent, { file: string; line: number }>();
  const collect = (firings: RuleFiring[]) => {
    for (const f of firings) {
      const key = `${f.ruleId}\u0000${f.groupKey}`;
      const at = f.at.toISOString();
      const where = origin.get(f.event);
      const alert = alerts.get(key) ?? { rule_id: f.ruleId, title: f.title, level: f.level, tags: f.tags, kind: f.kind, group: f.groupKey, count: 0, first_seen: at, last_seen: at, events: [] };
      alert.count++;
      if (at < alert.first_seen) alert.first_seen = at;
      if (at > alert.last_seen) alert.last_seen = at;
      if (where && alert.events.length < MAX_EVENTS_PER_ALERT) alert.events.push(where);
      alerts.set(key, alert);
    }
  };
  let lastTime = 0;
  let eventCount = 0;
  const started = performance.now();
  for (const file of positionals) {
    const size = statSync(file).size;
    const bar = progressBar(`hunt ${path.basename(file)}`);
    for await (const { batch, bytesRead } of lineBatches(file, 2000)) {
      const events = pipeline.process(batch.map((b) => ({ bytes: b.bytes })), { source: `file:${path.basename(file)}`, transport: 'file', receivedAt: new Date(), timeZone }, []);
      eventCount += events.length;
      events.forEach((e, i) => {
        origin.set(e, { file, line: batch[i].line });
        lastTime = Math.max(lastTime, Date.parse(e['@timestamp']) || 0);
      });
      collect(engine.evaluate(events));
      bar.update(bytesRead, size);
    }
    bar.update(size, size);
  }
  // Windows still open at the end of the files are judged as if time had moved on.
  collect(engine.advance(new Date(lastTime + 366 * 86_400_000)));
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`${eventCount} events in ${seconds.toFixed(1)} s (${Math.round(eventCount / Math.max(seconds, 1e-3))} events/s) 事件/秒\n`);
  const sorted = [...alerts.values()].sort((a, b) => a.first_seen.localeCompare(b.first_seen) || a.rule_id.localeCompare(b.rule_id));
  if (format === 'ndjson') for (const a of sorted) process.stdout.write(JSON.stringify(a) + '\n');
  else {
    process.stdout.write(`${'level'.padEnd(14)}${'count'.padStart(6)}  ${'first seen'.padEnd(25)}${'rule'.padEnd(48)}group\n`);
    for (const a of sorted) process.stdout.write(`${a.level.padEnd(14)}${String(a.count).padStart(6)}  ${a.first_seen.padEnd(25)}${a.title.slice(0, 46).padEnd(48)}${a.group}\n`);
    process.stdout.write(`${sorted.length} alerts 告警\n`);
  }
  return 0;
}
