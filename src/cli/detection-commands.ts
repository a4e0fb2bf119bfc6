import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { StoredEvent } from '../events/index.js';
import { loadSettings } from '../config/index.js';
import { DetectionEngine, dormancyText, ruleCacheDir, runCorrelationSequences, runRuleExamples, runScheduleTests, type DormantRule, type RuleFiles, type RuleFiring } from '../detection/core.js';
import { UsageError } from './command-line.js';
import { BatchDetector, BatchDetectorPool, packLines, type BatchOutcome } from './hunt-batches.js';
import { lineBatches } from './line-reader.js';
import { progressBar } from './progress.js';

/** The files a detection engine is loaded from: the rules and what the settings name. */
function engineFiles(rules: string[]): RuleFiles {
  const settings = loadSettings();
  return { rules, logsources: settings.TAISHI_LOGSOURCES, placeholders: settings.TAISHI_RULE_PLACEHOLDERS, cache: ruleCacheDir(settings.TAISHI_RULE_CACHE) };
}

function loadEngine(rules: string[]) {
  return DetectionEngine.fromFiles(engineFiles(rules));
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
 * Below this much input, loading the rules once more in each worker costs more than it saves:
 * over SigmaHQ's Windows rules, 59 MB ran no faster with a worker on two cores and 237 MB ran
 * 1.13-1.29x faster, each worker adding about 300 MB.
 */
const WORKERS_FROM_BYTES = 256 << 20;

function workerCount(option: string | undefined, inputBytes: number): number {
  if (option === undefined) return inputBytes >= WORKERS_FROM_BYTES ? Math.min(availableParallelism() - 1, 3) : 0;
  if (!/^\d+$/.test(option) || Number(option) > 64) throw new UsageError('--workers must be a whole number from 0 to 64 (0: only this thread)');
  return Number(option);
}

/**
 * `hunt --rules PATH... FILE...`: the live pipeline's parsers, logsource mapping, rules and
 * correlations over log files, offline. Firings of one rule on one group become one alert. Large
 * inputs are parsed and matched in worker threads beside this one, which also reads the files and
 * keeps the correlation windows, fed in file order, so the alerts are the same as with no workers.
 */
export async function hunt(options: { rules?: string[]; format?: string; workers?: string }, positionals: string[]): Promise<number> {
  if (!positionals.length) throw new UsageError('hunt needs at least one log FILE');
  const format = options.format ?? 'table';
  if (format !== 'table' && format !== 'ndjson') throw new UsageError('--format must be table or ndjson');
  const sizes = new Map(positionals.map((file) => [file, statSync(file).size]));
  const workers = workerCount(options.workers, [...sizes.values()].reduce((a, b) => a + b, 0));
  const files = engineFiles(rulePaths(options.rules ?? []));
  const timeZone = loadSettings().TAISHI_TIME_ZONE;
  // Started first, the workers load their rules while this thread loads its own.
  const pool = workers ? new BatchDetectorPool(() => local, workers, { files, timeZone }) : undefined;
  const { engine, errors } = DetectionEngine.fromFiles(files);
  for (const e of errors) process.stderr.write(`rule problem: ${e}\n`);
  const local = new BatchDetector(engine, timeZone);
  const alerts = new Map<string, HuntAlert>();
  // Where each counted event came from, held only as long as the event itself (a correlation
  // window may keep one): memory follows what the rules hold, not the size of the files.
  const origin = new WeakMap<StoredEvent, { file: string; line: number }>();
  const record = (f: Omit<RuleFiring, 'event'>, where: { file: string; line: number } | undefined) => {
    const key = `${f.ruleId}\u0000${f.groupKey}`;
    const at = f.at.toISOString();
    const alert = alerts.get(key) ?? { rule_id: f.ruleId, title: f.title, level: f.level, tags: f.tags, kind: f.kind, group: f.groupKey, count: 0, first_seen: at, last_seen: at, events: [] };
    alert.count++;
    if (at < alert.first_seen) alert.first_seen = at;
    if (at > alert.last_seen) alert.last_seen = at;
    if (where && alert.events.length < MAX_EVENTS_PER_ALERT) alert.events.push(where);
    alerts.set(key, alert);
  };
  const correlated = (firings: RuleFiring[]) => {
    for (const f of firings) record(f, origin.get(f.event));
  };
  let lastTime = 0;
  let eventCount = 0;
  const apply = (file: string, outcome: BatchOutcome) => {
    eventCount += outcome.events;
    lastTime = Math.max(lastTime, outcome.lastTime);
    for (const found of outcome.found) {
      const where = { file, line: found.line };
      if ('firing' in found) record(found.firing, where);
      else {
        origin.set(found.counted.event, where);
        correlated(engine.correlate(found.counted));
      }
    }
  };
  const started = performance.now();
  try {
    for (const file of positionals) {
      const size = sizes.get(file)!;
      const bar = progressBar(`hunt ${path.basename(file)}`);
      const inFlight: { outcome: Promise<BatchOutcome>; bytesRead: number }[] = [];
      const settleOldest = async () => {
        const { outcome, bytesRead } = inFlight.shift()!;
        apply(file, await outcome);
        bar.update(bytesRead, size);
      };
      for await (const { batch, bytesRead } of lineBatches(file, 2000)) {
        const packed = packLines(file, batch);
        if (!pool) {
          apply(file, local.detect(packed));
          bar.update(bytesRead, size);
          continue;
        }
        inFlight.push({ outcome: pool.detect(packed), bytesRead });
        if (inFlight.length >= pool.capacity) await settleOldest();
      }
      while (inFlight.length) await settleOldest();
      bar.update(size, size);
    }
  } finally {
    await pool?.close();
  }
  // Windows still open at the end of the files are judged as if time had moved on.
  correlated(engine.advance(new Date(lastTime + 366 * 86_400_000)));
  const seconds = (performance.now() - started) / 1000;
  const threads = pool ? `, ${workers + 1} threads` : '';
  process.stderr.write(`${eventCount} events in ${seconds.toFixed(1)} s (${Math.round(eventCount / Math.max(seconds, 1e-3))} events/s${threads}) 事件/秒\n`);
  const sorted = [...alerts.values()].sort((a, b) => a.first_seen.localeCompare(b.first_seen) || a.rule_id.localeCompare(b.rule_id));
  if (format === 'ndjson') for (const a of sorted) process.stdout.write(JSON.stringify(a) + '\n');
  else {
    process.stdout.write(`${'level'.padEnd(14)}${'count'.padStart(6)}  ${'first seen'.padEnd(25)}${'rule'.padEnd(48)}group\n`);
    for (const a of sorted) process.stdout.write(`${a.level.padEnd(14)}${String(a.count).padStart(6)}  ${a.first_seen.padEnd(25)}${a.title.slice(0, 46).padEnd(48)}${a.group}\n`);
    process.stdout.write(`${sorted.length} alerts 告警\n`);
  }
  return 0;
}
