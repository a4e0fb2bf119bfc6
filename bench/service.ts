import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../src/database/embedded-postgres.js';
import { prepareLoad, runLoad } from './http-load.js';
import { cityLogLines, cpuMeter, shipperNdjson } from './support.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const REQUEST_EVENTS = 1_000;
const CONCURRENCY = 8;
const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'bench-admin-password';

/** The postmaster.pid under `dir`, wherever the service put its embedded PostgreSQL. */
function postmasterUnder(dir: string): number | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === 'postmaster.pid') return Number(readFileSync(path.join(entry.parentPath, entry.name), 'utf8').split('\n')[0]);
  }
  return undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, output: () => string): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`the service did not get ${what} within 2 minutes; its output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * End to end as the issue measures it: a fresh service started the way `npm start` starts it
 * (`node dist/main.js`, its own embedded PostgreSQL, masking on by default), and the ingest
 * bench's load generator in a process of its own posting the city logs. Each pass sends under a
 * source of its own, so its events are new to the store (an event's id hashes its source).
 * The in-process `ingest` bench runs the service inside the measuring process, after other
 * stages; this one shares nothing with it but the box.
 */
export async function serviceBenchmark(): Promise<void> {
  const main = path.join(ROOT, 'dist/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const scratch = await mkdtemp(path.join(tmpdir(), 'taishi-bench-service-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TAISHI_PORT: String(port),
      TAISHI_HOST: '127.0.0.1',
      TAISHI_DATA_DIR: scratch,
      TAISHI_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TAISHI_INGEST_QUEUE_EVENTS: '2000000',
      TAISHI_BODY_LIMIT: '50mb',
      TAISHI_SYSLOG_UDP_PORT: 'off',
      TAISHI_SYSLOG_TCP_PORT: 'off',
      ...(process.env.TAISHI_INGEST_WORKERS ? { TAISHI_INGEST_WORKERS: process.env.TAISHI_INGEST_WORKERS } : {}),
      ...(process.env.TAISHI_INGEST_BATCH ? { TAISHI_INGEST_BATCH: process.env.TAISHI_INGEST_BATCH } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c).slice(-20_000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await until('ready', async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined), () => output);
    const json = async (url: string, body: unknown, token?: string) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })).json();
    const { token } = (await json(`${base}/api/auth/login`, { username: 'admin', password: ADMIN_PASSWORD })) as { token: string };
    const { key } = (await json(`${base}/api/api-keys`, { name: 'bench-service', scopes: ['ingest'] }, token)) as { key: string };
    const postmaster = await until('its PostgreSQL', async () => postmasterUnder(scratch), () => output);
    const written = async () => {
      const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
      return Number(/^taishi_store_events_written_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const ndjson = shipperNdjson(cityLogLines(EVENTS));
    const bodies = Array.from({ length: Math.ceil(EVENTS / REQUEST_EVENTS) }, (_, i) => ndjson.slice(i * REQUEST_EVENTS, (i + 1) * REQUEST_EVENTS).join('\n'));
    const job = (source: string) => ({ url: `${base}/api/ingest?source=${source}`, token: key, bodies, concurrency: CONCURRENCY });

    // A whole pass first: a running service is warm.
    await runLoad(job('warm-up'));
    process.stdout.write(`\nEnd to end, a fresh service: node dist/main.js on its embedded PostgreSQL, ${bodies.length} requests of ${REQUEST_EVENTS} NDJSON events, ${CONCURRENCY} concurrent, the load generator in its own process\n`);
    process.stdout.write(`CPU per event, µs (main = the service's main thread)\n`);
    process.stdout.write(`${'pass'.padEnd(6)} ${'events/s'.padStart(10)} ${'stored'.padStart(9)} ${'main'.padStart(7)} ${'process'.padStart(8)} ${'PostgreSQL'.padStart(11)} ${'load gen'.padStart(9)}  target ≥ 30,000/s\n`);
    const rates: number[] = [];
    for (let pass = 1; pass <= PASSES; pass++) {
      const prepared = await prepareLoad(job(`pass-${pass}`));
      const before = await written();
      const cpu = cpuMeter(postmaster, child.pid);
      const load = await prepared.run();
      const used = cpu();
      const stored = (await written()) - before;
      const rate = EVENTS / load.seconds;
      rates.push(rate);
      const perEvent = (seconds: number | undefined) => (seconds === undefined ? '-' : ((seconds * 1e6) / EVENTS).toFixed(1));
      process.stdout.write(
        `${String(pass).padEnd(6)} ${Math.round(rate).toLocaleString('en').padStart(10)} ${stored.toLocaleString('en').padStart(9)} ${perEvent(used?.mainThread).padStart(7)} ${perEvent(used?.process).padStart(8)} ${perEvent(used?.postgres).padStart(11)} ${perEvent(load.cpuSeconds).padStart(9)}\n`,
      );
      if (stored !== EVENTS || load.failures) process.stdout.write(`WARNING: pass ${pass} stored ${stored} of ${EVENTS}; responses ${JSON.stringify(load.statuses)}\n`);
    }
    const sorted = [...rates].sort((a, b) => a - b);
    process.stdout.write(`median ${Math.round(sorted[sorted.length >> 1]).toLocaleString('en')} events/s over ${PASSES} passes\n`);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await rm(scratch, { recursive: true, force: true });
  }
}
