#!/usr/bin/env node
// Builds the detection benchmark's input from SigmaHQ's regression data (not committed: DRL 1.1
// data stays in its checkout): every recorded event (the pretty-printed evtx JSON exports) as one
// NDJSON line, the whole set repeated until there are at least MIN_EVENTS lines.
//   node scripts/sigmahq-bench-data.mjs [OUT_DIR]    (default /tmp/bench-data)
// Reads SIGMAHQ_DIR (default /work/shared/data/sigmahq); MIN_EVENTS defaults to 40000.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const repository = process.env.SIGMAHQ_DIR ?? '/work/shared/data/sigmahq';
const out = process.argv[2] ?? '/tmp/bench-data';
const minEvents = Number(process.env.MIN_EVENTS ?? 40_000);

/**
 * The records of one export file: pretty-printed JSON objects one after another, each closed by a
 * `}` alone at the start of a line (the only place a record's outermost brace can be).
 */
function jsonObjects(text) {
  const records = [];
  let start = 0;
  for (const match of text.matchAll(/^}\s*$/gm)) {
    const end = match.index + 1;
    records.push(JSON.parse(text.slice(start, end)));
    start = end;
  }
  return records;
}

function jsonFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...jsonFiles(full));
    else if (entry.name.endsWith('.json')) files.push(full);
  }
  return files;
}

const lines = jsonFiles(path.join(repository, 'regression_data')).flatMap((f) => jsonObjects(readFileSync(f, 'utf8')).map((o) => JSON.stringify(o)));
if (!lines.length) throw new Error(`no regression events under ${repository}/regression_data`);
const copies = Math.ceil(minEvents / lines.length);
const text = (lines.join('\n') + '\n').repeat(copies);
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'sigmahq-events.ndjson'), text);
process.stdout.write(`${path.join(out, 'sigmahq-events.ndjson')}: ${lines.length} regression events × ${copies} = ${lines.length * copies} lines, ${(text.length / 1e6).toFixed(1)} MB\n`);
