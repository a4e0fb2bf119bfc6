import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DetectionEngine } from '../src/detection/detection-engine.js';
import { AssetIndex } from '../src/assets/index.js';
import { PII_TYPES, type MaskingPolicy } from '../src/classification/detectors/index.js';
import { privacyHook } from '../src/classification/privacy.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { pairedRates, rate, root, table } from './support.js';

/**
 * SigmaHQ's Windows rules over Windows event log records (evtx JSON, one per line), the way
 * `taishi hunt` runs them, against bare JSON.parse of the same lines measured in the same run.
 * Input: /tmp/bench-data/sigmahq-events.ndjson when present (made by
 * scripts/sigmahq-bench-data.mjs from SigmaHQ's regression data), otherwise the project's four
 * Windows records (fixtures/logs/windows-security.ndjson) repeated. Rules: $SIGMAHQ_DIR/rules/windows
 * (default /work/shared/data/sigmahq, else ../shared/data/sigmahq), otherwise the project's pack.
 */
const BENCH_FILE = process.env.BENCH_DATA ?? '/tmp/bench-data/sigmahq-events.ndjson';
const STAND_IN = path.join(root, 'fixtures/logs/windows-security.ndjson');
const STAND_IN_EVENTS = 20_000;

function sigmahqWindowsRules(): string | undefined {
  const candidates = [process.env.SIGMAHQ_DIR, '/work/shared/data/sigmahq', path.join(root, '../shared/data/sigmahq')];
  return candidates.map((dir) => dir && path.join(dir, 'rules/windows')).find((dir) => dir && existsSync(dir));
}

function inputLines(): { lines: string[]; from: string } {
  if (existsSync(BENCH_FILE)) return { lines: readFileSync(BENCH_FILE, 'utf8').split('\n').filter(Boolean), from: BENCH_FILE };
  const records = readFileSync(STAND_IN, 'utf8').split('\n').filter(Boolean);
  return { lines: Array.from({ length: STAND_IN_EVENTS }, (_, i) => records[i % records.length]), from: `${path.relative(root, STAND_IN)} (stand-in, repeated)` };
}

export async function windowsRulesBenchmark(): Promise<void> {
  const { lines, from } = inputLines();
  const rules = sigmahqWindowsRules() ?? path.join(root, 'rules/detection');
  process.stdout.write(`\nWindows rules benchmark: ${lines.length.toLocaleString('en')} events from ${from}\nrules: ${rules}\n`);
  // as earlier rounds measured it, for comparison: before the rules and the parsed events fill the heap
  const jsonAlone = await rate(lines.length, () => {
    for (const line of lines) JSON.parse(line);
  });
  const started = process.hrtime.bigint();
  const { engine } = DetectionEngine.fromFiles({ rules, logsources: path.join(root, 'rules/logsources.yml'), placeholders: path.join(root, 'rules/placeholders.yml') });
  const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const pipeline = new IngestPipeline(() => new AssetIndex([]));
  const context = { source: 'bench', transport: 'file' as const, receivedAt: new Date() };
  const batches: { text: string }[][] = [];
  for (let i = 0; i < lines.length; i += 2000) batches.push(lines.slice(i, i + 2000).map((text) => ({ text })));
  const parsed = batches.map((batch) => pipeline.process(batch, context, []));
  const loadedRss = process.memoryUsage().rss;
  // the service's default: every type masked
  const privacy = privacyHook('bench-key-of-32-bytes-for-masking!!', Object.fromEntries(PII_TYPES.map((type) => [type, 'mask'])) as MaskingPolicy);
  let firings = 0;
  const { baseline: jsonParse, rates } = await pairedRates(
    lines.length,
    () => {
      for (const line of lines) JSON.parse(line);
    },
    {
      parse: () => batches.forEach((batch) => pipeline.process(batch, context, [])),
      mask: () => {
        for (const events of parsed) for (const event of events) privacy.mask(event);
      },
      detect: () => {
        firings = 0;
        for (const events of parsed) firings += engine.evaluate(events).length;
      },
      hunt: () => batches.forEach((batch) => engine.evaluate(pipeline.process(batch, context, []))),
    },
  );
  table(`Windows rules (${engine.ruleCount} rules, loaded in ${loadSeconds.toFixed(2)} s; ${firings} firings per pass; RSS ${Math.round(loadedRss / 1e6)} MB with the rules loaded and the events parsed, ${Math.round(process.memoryUsage().rss / 1e6)} MB at the end)`, [
    { name: 'bare JSON.parse of the lines, alone before loading (best of 3)', perSecond: jsonAlone },
    { name: 'bare JSON.parse of the lines (paired with each row below)', perSecond: jsonParse },
    { name: 'parse + normalize, no rules', ...rates.parse },
    { name: 'personal-data masking of parsed events (as ingest does)', ...rates.mask },
    { name: 'rules on parsed events (detection alone)', ...rates.detect, target: '≥ 0.20 of JSON.parse' },
    { name: 'parse + normalize + rules (as taishi hunt)', ...rates.hunt },
  ]);
  process.stdout.write('(each row timed five times, each time right after a JSON.parse of the lines; rates and ratios are medians, the ratio taken run by run)\n');
}
