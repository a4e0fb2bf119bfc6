#!/usr/bin/env node
// Detection CPU time of several builds loaded in one process and run interleaved, so the load of a
// shared box (wall-clock numbers swing 2-3x on it) falls on all of them alike.
//   node scripts/detection-interleaved.mjs EVENTS PASSES ROUNDS DIR...
// Each DIR is a checkout with a build (DIR/dist). Input: the first EVENTS lines of
// /tmp/bench-data/sigmahq-events.ndjson (scripts/sigmahq-bench-data.mjs); rules: SIGMAHQ_DIR's
// rules/windows (default /work/shared/data/sigmahq). Each round runs PASSES passes of every build,
// the builds' order reversed every other round; medians of CPU time (user + system) are reported,
// with bare JSON.parse of the same lines measured between rounds.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [events, passes, rounds, ...dirs] = process.argv.slice(2);
if (!dirs.length) throw new Error('usage: detection-interleaved.mjs EVENTS PASSES ROUNDS DIR...');
const rules = path.join(process.env.SIGMAHQ_DIR ?? '/work/shared/data/sigmahq', 'rules/windows');
const lines = readFileSync('/tmp/bench-data/sigmahq-events.ndjson', 'utf8').split('\n').filter(Boolean).slice(0, Number(events));
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];

const builds = [];
for (const dir of dirs.map((d) => path.resolve(d))) {
  const { DetectionEngine } = await import(`${dir}/dist/detection/detection-engine.js`);
  const { IngestPipeline } = await import(`${dir}/dist/ingest/pipeline.js`);
  const { AssetIndex } = await import(`${dir}/dist/assets/asset-index.js`);
  const started = cpu();
  const { engine } = DetectionEngine.fromFiles({ rules, logsources: `${dir}/rules/logsources.yml`, placeholders: `${dir}/rules/placeholders.yml` });
  const load = cpu() - started;
  const pipeline = new IngestPipeline(() => new AssetIndex([]));
  const context = { source: 'bench', transport: 'file', receivedAt: new Date() };
  const batches = [];
  for (let i = 0; i < lines.length; i += 2000) batches.push(pipeline.process(lines.slice(i, i + 2000).map((text) => ({ text })), context, []));
  builds.push({ dir, engine, batches, load, rates: [], firings: 0 });
}

const jsonParse = [];
for (let round = 0; round < Number(rounds); round++) {
  const started = cpu();
  for (let i = 0; i < 3; i++) for (const line of lines) JSON.parse(line);
  jsonParse.push((3 * lines.length) / (cpu() - started));
  for (let pass = 0; pass < Number(passes); pass++) {
    for (const build of round % 2 ? [...builds].reverse() : builds) {
      const started = cpu();
      let firings = 0;
      for (const batch of build.batches) firings += build.engine.evaluate(batch).length;
      build.rates.push(lines.length / (cpu() - started));
      build.firings = firings;
    }
  }
}
process.stdout.write(`JSON.parse: median ${Math.round(median(jsonParse))} lines/s CPU\n`);
for (const b of builds) {
  const rate = median(b.rates);
  process.stdout.write(`${b.dir}: rule load ${b.load.toFixed(2)} s CPU, ${b.firings} firings per pass, detection median ${Math.round(rate)} events/s CPU (best ${Math.round(Math.max(...b.rates))}), ${(rate / median(jsonParse)).toFixed(3)} of JSON.parse\n`);
}
