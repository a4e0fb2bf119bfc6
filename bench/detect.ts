import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectionEngine } from '../src/detection/detection-engine.js';
import { CorrelationEngine, parseSigmaDocuments } from '../src/detection/sigma/index.js';
import type { StoredEvent } from '../src/events/event-store.js';
import { AssetIndex } from '../src/assets/index.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { cityLogLines, rate, root, table } from './support.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const files = { logsources: path.join(root, 'rules/logsources.yml'), placeholders: path.join(root, 'rules/placeholders.yml') };

/** Deterministic pseudo-random words, so every run generates the same rules. */
function words(seed: number) {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  return (length = 6) => Array.from({ length }, () => alphabet[next() % 26]).join('');
}

/**
 * Rules shaped like community rules: a logsource, a selection of several fields each with a few
 * `contains`/`endswith`/`startswith` values, often a filter, `selection and not filter`. They
 * run on the same datasets as the events, and, like most real rules, rarely match.
 */
function generatedRules(count: number): string {
  const word = words(count);
  const shapes = [
    { logsource: '{ product: linux, service: sshd }', fields: ['user.name', 'source.ip', 'message'] },
    { logsource: '{ category: webserver }', fields: ['url.original', 'user_agent.original', 'http.request.method'] },
    { logsource: '{ product: linux }', fields: ['process.name', 'message', 'host.name'] },
    { logsource: '{ category: firewall }', fields: ['destination.port', 'source.ip', 'event.action'] },
  ];
  const modifiers = ['contains', 'endswith', 'startswith', 'contains|all'];
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const shape = shapes[i % shapes.length];
    const selection = shape.fields
      .slice(0, 1 + (i % shape.fields.length))
      .map((field, j) => `    ${field}|${modifiers[(i + j) % modifiers.length]}:\n${Array.from({ length: 2 + ((i + j) % 4) }, () => `      - '${word()}${word(3)}'`).join('\n')}`)
      .join('\n');
    docs.push(
      [
        `title: Generated ${i}`,
        `id: 00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
        'status: experimental',
        'level: medium',
        `logsource: ${shape.logsource}`,
        'detection:',
        '  selection:',
        selection,
        ...(i % 3 ? ['  filter:', `    message|contains: '${word(8)}'`, '  condition: selection and not filter'] : ['  condition: selection']),
      ].join('\n'),
    );
  }
  return docs.join('\n---\n') + '\n';
}

export async function detectBenchmark(): Promise<void> {
  process.stdout.write(`\nDetection benchmark: ${EVENTS.toLocaleString('en')} events of city logs (raw lines → parse → rules)\n`);
  const lines = cityLogLines(EVENTS).map((text) => ({ text }));
  const pipeline = new IngestPipeline(() => new AssetIndex([]));
  const context = { source: 'bench', transport: 'file' as const, receivedAt: new Date() };
  let events: StoredEvent[] = [];
  const parseOnly = await rate(EVENTS, () => {
    events = pipeline.process(lines, context, []);
  });

  const scratch = await mkdtemp(path.join(tmpdir(), 'taishi-bench-rules-'));
  try {
    const withRules = async (label: string, rules: string[]) => {
      const started = process.hrtime.bigint();
      const { engine, errors } = DetectionEngine.fromFiles({ rules, ...files });
      const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (errors.length) throw new Error(`${label}: ${errors.length} rule errors, first: ${errors[0]}`);
      const perSecond = await rate(EVENTS, () => engine.evaluate(pipeline.process(lines, context, [])));
      return { label, perSecond, loadSeconds, rules: engine.ruleCount + engine.pack.correlations.length };
    };
    const pack = await withRules('project pack', [path.join(root, 'rules/detection')]);
    const results = [pack];
    for (const count of [200, 1000]) {
      const file = path.join(scratch, `generated-${count}.yml`);
      await writeFile(file, generatedRules(count));
      results.push(await withRules(`${count} generated rules`, [file]));
    }
    const [, r200, r1000] = results;
    table('Parse + detect (one core)', [
      { name: 'parse + normalize, no rules', perSecond: parseOnly },
      ...results.map((r) => ({
        name: `parse + ${r.label} (${r.rules} rules, loaded in ${r.loadSeconds.toFixed(2)} s)`,
        perSecond: r.perSecond,
        baseline: parseOnly,
        target: r === r200 ? '≥ 0.50 of no rules' : r === r1000 ? `≥ 0.50 of 200 rules (${(r1000.perSecond / r200.perSecond).toFixed(2)}); load < 2 s` : '',
      })),
    ]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await correlationFlood();
}

/** Matches of one source that keep a correlation window full (10,000 entries, the per-group limit). */
const FLOOD = 30_000;

/**
 * One source flooding a sliding correlation window, as a port scan, a brute force or a busy NAT
 * gateway does: each arrival is judged, so what a judgement costs with a full window decides
 * whether the engine keeps up. Against event_count, the cheapest judgement, in the same run.
 */
async function correlationFlood(): Promise<void> {
  const feed = async (type: string, condition: string) => {
    const { correlations } = parseSigmaDocuments(`title: flood\nname: flood\ncorrelation:\n  type: ${type}\n  rules: [r]\n  group-by: [source.ip]\n  timespan: 1h\n  condition: ${condition}\n`, 'flood.yml');
    const start = Date.UTC(2026, 0, 1);
    return rate(FLOOD, () => {
      const engine = new CorrelationEngine(correlations);
      for (let i = 0; i < FLOOD; i++) engine.process('r', { source: { ip: '203.0.113.9' }, destination: { port: i % 50 }, http: { response: { body: { bytes: 1000 + i } } } }, start + i * 10);
    });
  };
  const count = await feed('event_count', '{ gte: 1000000 }');
  table(`Correlation window under a flood (${FLOOD.toLocaleString('en')} matches of one source, 1 h window, 10,000 entries kept)`, [
    { name: 'event_count (baseline)', perSecond: count },
    { name: 'value_count of destination.port', perSecond: await feed('value_count', '{ field: destination.port, gte: 100000 }'), baseline: count },
    { name: 'value_sum of http.response.body.bytes', perSecond: await feed('value_sum', '{ field: http.response.body.bytes, gt: 1e15 }'), baseline: count },
  ]);
}
