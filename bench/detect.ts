import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectionEngine } from '../src/detection/detection-engine.js';
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
}
