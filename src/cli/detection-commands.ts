import { statSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../config/index.js';
import { DetectionEngine, type RuleFiring } from '../detection/detection-engine.js';
import { runCorrelationSequences, runRuleExamples, runScheduleTests } from '../detection/rule-pack.js';
import { AssetIndex } from '../ingest/enrichment/asset-index.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { UsageError } from './command-line.js';
import { lineBatches } from './line-reader.js';
import { progressBar } from './progress.js';

function loadEngine(rules: string[]) {
  const settings = loadSettings();
  return DetectionEngine.fromFiles({ rules, logsources: settings.TAISHI_LOGSOURCES, placeholders: settings.TAISHI_RULE_PLACEHOLDERS });
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

/** `rules validate PATH...`: every problem with file, line and column; exit 1 if any. */
export function rulesValidate(args: string[]): number {
  const { engine, errors } = loadEngine(rulePaths(args));
  for (const e of errors) process.stdout.write(`  ${e}\n`);
  const invalid = new Set(errors.map((e) => /^(.*?:\d+):/.exec(e)?.[1] ?? e)).size;
  const valid = engine.pack.rules.length + engine.pack.correlations.length;
  process.stdout.write(`${valid} valid, ${invalid} invalid 有效 / 无效\n`);
  return invalid ? 1 : 0;
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
  const origin = new Map<string, { file: string; line: number }>();
  const collect = (firings: RuleFiring[]) => {
    for (const f of firings) {
      const key = `${f.ruleId}\u0000${f.groupKey}`;
      const at = f.at.toISOString();
      const where = origin.get(f.event.event.id);
      const alert = alerts.get(key) ?? { rule_id: f.ruleId, title: f.title, level: f.level, tags: f.tags, kind: f.kind, group: f.groupKey, count: 0, first_seen: at, last_seen: at, events: [] };
      alert.count++;
      if (at < alert.first_seen) alert.first_seen = at;
      if (at > alert.last_seen) alert.last_seen = at;
      if (where) alert.events.push(where);
      alerts.set(key, alert);
    }
  };
  let lastTime = 0;
  for (const file of positionals) {
    const size = statSync(file).size;
    const bar = progressBar(`hunt ${path.basename(file)}`);
    for await (const { batch, bytesRead } of lineBatches(file, 2000)) {
      const events = pipeline.process(batch.map((b) => ({ bytes: b.bytes })), { source: `file:${path.basename(file)}`, transport: 'file', receivedAt: new Date(), timeZone }, []);
      events.forEach((e, i) => {
        origin.set(e.event.id, { file, line: batch[i].line });
        lastTime = Math.max(lastTime, Date.parse(e['@timestamp']) || 0);
      });
      collect(engine.evaluate(events));
      bar.update(bytesRead, size);
    }
    bar.update(size, size);
  }
  // Windows still open at the end of the files are judged as if time had moved on.
  collect(engine.advance(new Date(lastTime + 366 * 86_400_000)));
  const sorted = [...alerts.values()].sort((a, b) => a.first_seen.localeCompare(b.first_seen) || a.rule_id.localeCompare(b.rule_id));
  if (format === 'ndjson') for (const a of sorted) process.stdout.write(JSON.stringify(a) + '\n');
  else {
    process.stdout.write(`${'level'.padEnd(14)}${'count'.padStart(6)}  ${'first seen'.padEnd(25)}${'rule'.padEnd(48)}group\n`);
    for (const a of sorted) process.stdout.write(`${a.level.padEnd(14)}${String(a.count).padStart(6)}  ${a.first_seen.padEnd(25)}${a.title.slice(0, 46).padEnd(48)}${a.group}\n`);
    process.stdout.write(`${sorted.length} alerts 告警\n`);
  }
  return 0;
}
