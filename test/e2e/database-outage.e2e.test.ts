import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/database/embedded-postgres.js';
import { debianPostgresBin, embeddedPostgresOf, startDisposablePostgres, type PostgresControl } from '../support/postgres-control.js';
import { login, startService, stopService, type Service } from '../support/service-process.js';

/**
 * The database goes away while the service ingests at load, and comes back. Every event the
 * service answered 202 for must be stored, once, and the service must not exit on the way. The
 * server case runs its own PostgreSQL (the shared one on 5432 is never stopped).
 */
const ADMIN = 'outage-admin-password';
const SENDERS = 4;
const BATCH = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Load {
  /** Batches answered 202, as `sender:batch`. */
  acknowledged: string[];
  /** Other answers and network errors, by status (0 for no answer). */
  refused: Map<number, number>;
  stop(): Promise<void>;
}

/** SENDERS clients, each sending its next batch as soon as the previous one is answered. */
function load(baseUrl: string, key: string, run: string): Load {
  const acknowledged: string[] = [];
  const refused = new Map<number, number>();
  let stopped = false;
  const sender = async (s: number) => {
    for (let b = 0; !stopped; b++) {
      const at = new Date().toISOString();
      const body = Array.from({ length: BATCH }, (_, i) => JSON.stringify({ '@timestamp': at, message: `outage ${run} ${s}:${b}:${i}`, event: { action: 'load' }, host: { name: 'loadgen' } })).join('\n');
      const status = await fetch(`${baseUrl}/api/ingest`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, body }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 202) acknowledged.push(`${s}:${b}`);
      else {
        refused.set(status, (refused.get(status) ?? 0) + 1);
        await sleep(100);
      }
    }
  };
  const running = Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s)));
  return {
    acknowledged,
    refused,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

async function metric(baseUrl: string, token: string, pattern: RegExp): Promise<string | undefined> {
  const text = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text(), () => '');
  return pattern.exec(text)?.[1];
}

/**
 * Resolves while the event store has a write open, so the database stops under a checked-out
 * client (the case that used to kill the process), not between two writes.
 */
async function writeInFlight(url: string): Promise<void> {
  const probe = new pg.Client({ connectionString: url });
  probe.on('error', () => undefined); // terminated with the rest when the server stops
  await probe.connect();
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const { rowCount } = await probe.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'taishi-events' AND state = 'active' AND query LIKE 'COPY%'`);
    if (rowCount) break;
  }
  void probe.end().catch(() => undefined);
}

/**
 * Ingest at load, stop the database for a few seconds, start it again, keep ingesting, then
 * check the store against the acknowledgements.
 */
async function outage(service: Service, database: () => Promise<{ url: string; control: PostgresControl }>): Promise<void> {
  let exited: string | undefined;
  service.child.once('exit', (code, signal) => (exited = `exit ${code} ${signal}`));
  const run = randomBytes(4).toString('hex');
  const token = await login(service.baseUrl, ADMIN);
  const created = await fetch(`${service.baseUrl}/api/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: `outage-${run}`, scopes: ['ingest'] }) });
  const key = ((await created.json()) as { key: string }).key;
  const { url, control } = await database();

  const started = Date.now();
  const traffic = load(service.baseUrl, key, run);
  await sleep(3000);
  await writeInFlight(url);
  const beforeStop = traffic.acknowledged.length;
  await control.stop();
  const stoppedAt = Date.now();
  await sleep(4000);
  const duringOutage = traffic.acknowledged.length - beforeStop;
  if (!control.running()) control.start();
  const restartedAt = Date.now();
  await sleep(3000);
  await traffic.stop();
  const seconds = (Date.now() - started) / 1000;

  // The spool drains once the database is back.
  let drainedAt = 0;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline && !exited; await sleep(250)) {
    const pending = await metric(service.baseUrl, token, /^taishi_spool_pending_events (\d+)/m);
    const up = await metric(service.baseUrl, token, /^taishi_store_up\{store="postgres"\} (\d)/m);
    if (pending === '0' && up === '1') {
      drainedAt = Date.now();
      break;
    }
  }
  const spooled = Number(await metric(service.baseUrl, token, /^taishi_spool_events_total (\d+)/m));
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const { rows } = await db.query<{ message: string; copies: string }>(`SELECT message, count(*) AS copies FROM events WHERE message LIKE $1 GROUP BY message`, [`outage ${run} %`]);
  await db.end();

  const stored = new Set(rows.map((r) => r.message));
  const lost = traffic.acknowledged.flatMap((batch) => Array.from({ length: BATCH }, (_, i) => `outage ${run} ${batch}:${i}`)).filter((m) => !stored.has(m));
  const duplicated = rows.filter((r) => Number(r.copies) > 1);
  const events = traffic.acknowledged.length * BATCH;
  process.stdout.write(
    `database outage: ${events} events acknowledged in ${seconds.toFixed(1)} s (${Math.round(events / seconds)}/s), ${duringOutage * BATCH} of them while the database was down ` +
      `(${((restartedAt - stoppedAt) / 1000).toFixed(1)} s); ${spooled} events spooled; spool drained ${drainedAt ? ((drainedAt - restartedAt) / 1000).toFixed(1) : '—'} s after the restart; ` +
      `refused: ${JSON.stringify([...traffic.refused])}\n`,
  );
  expect(exited ? `${exited}: ${service.output().slice(-3000)}` : undefined).toBeUndefined();
  expect(service.output()).not.toMatch(/Unhandled 'error' event|uncaught/i);
  expect(drainedAt).toBeGreaterThan(0);
  expect(lost).toEqual([]);
  expect(duplicated).toEqual([]);
  expect(duringOutage).toBeGreaterThan(0); // the spool took over: ingest went on while the database was down
}

describe('the database stops and starts again during ingest', () => {
  it('server PostgreSQL: nothing acknowledged is lost or stored twice, and the service keeps running', async () => {
    const bin = debianPostgresBin();
    if (!bin) throw new Error('needs PostgreSQL server binaries in /usr/lib/postgresql/<version>/bin (Debian package postgresql)');
    const server = await startDisposablePostgres(bin);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-outage-'));
    let service: Service | undefined;
    try {
      service = await startService({ DATABASE_URL: server.url, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: ADMIN });
      await outage(service, async () => ({ url: server.url, control: server.control }));
    } finally {
      if (service) await stopService(service);
      await server.remove();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  it('embedded PostgreSQL: nothing acknowledged is lost or stored twice, and the service keeps running', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-outage-embedded-'));
    let service: Service | undefined;
    let control: PostgresControl | undefined;
    try {
      service = await startService({ TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: ADMIN, TAISHI_EMBEDDED_DB_PORT: String(await freePort()) });
      await outage(service, async () => {
        const embedded = await embeddedPostgresOf(dataDir);
        control = embedded.control;
        return embedded;
      });
    } finally {
      if (service) await stopService(service);
      // Started again by this test, so not the service's child: stop it here.
      if (control?.running()) await control.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
