import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.js';
import { loadSettings } from '../src/config/index.js';
import { dataSourceOptions } from '../src/database/index.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { ElasticsearchEventStore } from '../src/events/elasticsearch-event-store.js';
import { filingTime, type EventStore, type StoredEvent } from '../src/events/event-store.js';
import { COPY_COLUMNS, COPY_HEADER, COPY_TRAILER, copyChunks } from '../src/events/postgres-copy.js';
import { PostgresEventStore } from '../src/events/postgres-event-store.js';
import { AssetIndex } from '../src/assets/index.js';
import { IngestPipeline, type RawRecord } from '../src/ingest/pipeline.js';
import { IngestService } from '../src/ingest/index.js';
import { prepareLoad, runLoad } from './http-load.js';
import { cityLogLines, cpuMeter, rate, shipperNdjson, table, type CpuSeconds } from './support.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH = 5_000;
const REQUEST_EVENTS = 1_000;
const CONCURRENCY = 8;

const context = { source: 'bench', transport: 'http' as const, receivedAt: new Date(), format: 'json' as const };

function assetIndex(): AssetIndex {
  return new AssetIndex(Array.from({ length: 1000 }, (_, i) => ({ ref: { id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, department: `dept-${i % 8}`, zone: null }, addresses: [`host-${i}`, `10.${i >> 8}.${i & 255}.1`] })));
}

function batches<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Each batch's rows, already serialised, in one binary COPY. */
async function copyRaw(pool: pg.Pool, table: string, batchRows: Buffer[]): Promise<void> {
  const client = await pool.connect();
  try {
    for (const rows of batchRows) {
      await streamPipeline(Readable.from([COPY_HEADER, rows, COPY_TRAILER]), client.query(copyFrom(`COPY ${table} (${COPY_COLUMNS.join(',')}) FROM STDIN (FORMAT binary)`)));
    }
  } finally {
    client.release();
  }
}

/** Accepts and forgets: isolates the HTTP front door and the pipeline from any store. */
class NullStore implements EventStore {
  readonly kind = 'postgres' as const;
  init = async () => undefined;
  write = async (events: StoredEvent[]) => ({ written: events.length, duplicateIds: [] });
  get = async () => undefined;
  search = async () => ({ events: [] });
  countBy = async () => [];
  histogram = async () => [];
  deleteBefore = async () => 0;
  oldest = async () => undefined;
  latestByAsset = async () => new Map<string, Date>();
  ping = async () => true;
  close = async () => undefined;
}

async function bareHttpServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let count = 0;
      for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) if (line) (JSON.parse(line), count++);
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: count }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// Both instances write the same database, whose audit trail the first one keys: the second
// must hold the same key or it refuses to start.
const BENCH_AUDIT_KEY = 'bench-audit-key-shared-by-both-instances';

/**
 * CPU per event, and what that allows on an otherwise idle box of this many cores: the main
 * thread cannot go beyond one core, and everything together (Taishi and PostgreSQL) not beyond all.
 * Over the run's wall time: how many cores Taishi, PostgreSQL and the load generator kept busy, and
 * the share the main thread ran. A main thread that runs nearly all the time is the limit, however
 * idle the other core.
 */
function cpuTable(rows: { name: string; cpu: CpuSeconds | undefined; load: { seconds: number; cpuSeconds: number } }[]): void {
  const cores = availableParallelism();
  process.stdout.write(`\nCPU per event, µs; projected = 1e6 / max(main, (process + PostgreSQL) / ${cores} cores); busy = all three over the run's wall time, in cores; main = the main thread's share of it\n`);
  process.stdout.write(`${'run'.padEnd(24)} ${'main thread'.padStart(12)} ${'process'.padStart(10)} ${'PostgreSQL'.padStart(11)} ${'load gen'.padStart(9)} ${'projected/s'.padStart(12)} ${'busy'.padStart(6)} ${'main'.padStart(6)}\n`);
  for (const { name, cpu, load } of rows) {
    if (!cpu) continue;
    const [main, all, postgres, sender] = [cpu.mainThread, cpu.process, cpu.postgres, load.cpuSeconds].map((s) => (s * 1e6) / EVENTS);
    const projected = 1e6 / Math.max(main, (all + postgres) / cores);
    const busy = (cpu.process + cpu.postgres + load.cpuSeconds) / load.seconds;
    const mainShare = cpu.mainThread / load.seconds;
    process.stdout.write(
      `${name.padEnd(24)} ${main.toFixed(1).padStart(12)} ${all.toFixed(1).padStart(10)} ${postgres.toFixed(1).padStart(11)} ${sender.toFixed(1).padStart(9)} ${Math.round(projected).toLocaleString('en').padStart(12)} ${busy.toFixed(2).padStart(6)} ${`${Math.round(mainShare * 100)}%`.padStart(6)}\n`,
    );
  }
}

async function taishiFrontDoor(databaseUrl: string, dataDir: string, eventStore?: EventStore, ack: 'stored' | 'journal' = 'stored') {
  const settings = loadSettings({ DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_AUDIT_KEY: BENCH_AUDIT_KEY, TAISHI_ADMIN_PASSWORD: 'bench-admin-password', TAISHI_INGEST_QUEUE_EVENTS: '2000000', TAISHI_BODY_LIMIT: '50mb', TAISHI_SYSLOG_UDP_PORT: 'off', TAISHI_SYSLOG_TCP_PORT: 'off', TAISHI_INGEST_WORKERS: process.env.TAISHI_INGEST_WORKERS, TAISHI_INGEST_ACK: ack });
  const running = await createApp(settings, { logger: false, eventStore });
  await running.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(running.app.getHttpServer().address() as AddressInfo).port}`;
  const login = (await (await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }) })).json()) as { token: string };
  const key = (await (await fetch(`${base}/api/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` }, body: JSON.stringify({ name: `bench-${Date.now()}`, scopes: ['ingest'] }) })).json()) as { key: string };
  const ingest = running.app.get(IngestService);
  /** Until every accepted batch is stored (the journal and the writer's queue are empty). */
  const drained = async () => {
    while (!ingest.idle) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return { url: `${base}/api/ingest`, key: key.key, drained, close: () => running.close() };
}

export async function ingestBenchmark(): Promise<void> {
  process.stdout.write(`Ingest benchmark: ${EVENTS.toLocaleString('en')} events of city logs (loghub OpenSSH and Apache, access, firewall, syslog samples) as shipper NDJSON\n`);
  let ndjson = shipperNdjson(cityLogLines(EVENTS));
  let body = ndjson.join('\n');
  const index = assetIndex();
  const ingestPipeline = new IngestPipeline(() => index);

  // 1. Parse and normalize, against the least any JSON ingest must do.
  const bareParse = await rate(EVENTS, () => {
    for (const line of body.split('\n')) JSON.parse(line);
  });
  let events: StoredEvent[] = [];
  const fullParse = await rate(EVENTS, () => {
    const records: RawRecord[] = body.split('\n').map((line) => ({ json: JSON.parse(line), original: line }));
    events = ingestPipeline.process(records, context, []);
  });
  table('Parse + normalize (one core)', [
    { name: 'baseline: split + JSON.parse', perSecond: bareParse },
    { name: 'Taishi: split + JSON.parse + parse line + normalize + id + enrich', perSecond: fullParse, baseline: bareParse },
  ]);

  // 2. PostgreSQL store against raw COPY of the same rows into the same table shape.
  const scratch = await mkdtemp(path.join(tmpdir(), 'taishi-bench-'));
  await chmod(scratch, 0o711);
  const server = await startEmbeddedPostgres(path.join(scratch, 'pg'));
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const databaseUrl = server.url.replace(/\/[^/]*$/, '/bench');
    const migrate = new DataSource(dataSourceOptions(databaseUrl));
    await migrate.initialize();
    await migrate.destroy();

    const store = new PostgresEventStore(databaseUrl);
    await store.init();
    await store.write(events.slice(0, 10)); // creates today's partitions outside the timing
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // An idle client hears of the server stopping (the finally below, when a stage fails): that
    // must not kill the process and hide the stage's own error.
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE bench_raw (LIKE events INCLUDING ALL) PARTITION BY RANGE (ts)');
    const now = Date.now();
    const days = new Set(events.map((e) => Math.floor(filingTime(e, now) / 86_400_000)));
    for (const day of days) {
      await pool.query(`CREATE TABLE bench_raw_${day} PARTITION OF bench_raw FOR VALUES FROM ('${new Date(day * 86_400_000).toISOString()}') TO ('${new Date((day + 1) * 86_400_000).toISOString()}')`);
    }
    let copyRows = batches(events, BATCH).map((batch) => Buffer.concat([...copyChunks(batch, batch.map((e) => filingTime(e, now)), BATCH)]));
    const rawCopy = await rate(EVENTS, async () => {
      await pool.query('TRUNCATE bench_raw');
      await copyRaw(pool, 'bench_raw', copyRows);
    });
    const storeWrite = await rate(EVENTS, async () => {
      await pool.query('TRUNCATE events');
      for (const batch of batches(events, BATCH)) await store.write(batch);
    });
    await store.close();
    copyRows = [];
    const rows = [
      { name: 'baseline: raw batched COPY (pre-serialized rows)', perSecond: rawCopy },
      { name: 'Taishi PostgresEventStore.write (serialize + COPY)', perSecond: storeWrite, baseline: rawCopy, target: '≥ 0.70' },
    ];
    table('PostgreSQL store (embedded PostgreSQL 18, 5,000-event batches)', rows);

    // 3. Elasticsearch store against a plain _bulk loader of the same documents.
    const esUrl = process.env.BENCH_ELASTICSEARCH_URL ?? process.env.TEST_ELASTICSEARCH_URL;
    if (esUrl) {
      const prefix = `taishi-bench-${Date.now().toString(36)}`;
      // Matches the store's index template, so both load into the same mappings.
      const rawIndex = `${prefix}-raw`;
      // A plain loader serialises its documents too, so that is inside the timing.
      const bulkBody = (batch: StoredEvent[]) => batch.map((e) => `{"create":{"_index":"${rawIndex}","_id":"${e.event.id}"}}\n${JSON.stringify(e)}\n`).join('');
      const esStore = new ElasticsearchEventStore(esUrl, prefix);
      await esStore.init();
      let run = 0;
      const plainBulk = await rate(EVENTS, async () => {
        await fetch(`${esUrl}/${rawIndex}`, { method: 'DELETE' });
        for (const batch of batches(events, BATCH)) await (await fetch(`${esUrl}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: bulkBody(batch) })).arrayBuffer();
        run++;
      });
      const esWrite = await rate(EVENTS, async () => {
        await fetch(`${esUrl}/${prefix}-2*`, { method: 'DELETE' });
        for (const batch of batches(events, BATCH)) await esStore.write(batch);
      });
      await esStore.close();
      await fetch(`${esUrl}/${prefix}-*`, { method: 'DELETE' });
      await fetch(`${esUrl}/_index_template/${prefix}`, { method: 'DELETE' });
      table(`Elasticsearch store (${esUrl}, 5,000-document bulks, ${run} baseline runs)`, [
        { name: 'baseline: plain _bulk of the same documents', perSecond: plainBulk },
        { name: 'Taishi ElasticsearchEventStore.write', perSecond: esWrite, baseline: plainBulk, target: '≥ 0.80' },
      ]);
    } else process.stdout.write('\nElasticsearch store: skipped (set BENCH_ELASTICSEARCH_URL or TEST_ELASTICSEARCH_URL)\n');

    // 4. The HTTP front door against a bare node:http + JSON.parse server, then end to end into PostgreSQL.
    const bodies = batches(ndjson, REQUEST_EVENTS).map((lines) => lines.join('\n'));
    // What the stages above kept (100,000 parsed events, their lines and COPY rows) is no part of
    // a running service: left in this process's heap, every full collection of the service
    // under test would mark it too.
    [events, ndjson, body] = [[], [], ''];
    const bare = await bareHttpServer();
    const bareLoad = await runLoad({ url: bare.url, bodies, concurrency: CONCURRENCY });
    await bare.close();
    const dataDirectory = (await pool.query('SHOW data_directory')).rows[0].data_directory as string;
    const postmaster = Number(readFileSync(path.join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const front = await taishiFrontDoor(databaseUrl, path.join(scratch, 'front'), new NullStore());
    // A whole pass first: the pipeline's code is compiled per thread, and a running service is warm.
    await runLoad({ url: front.url, token: front.key, bodies, concurrency: CONCURRENCY });
    const frontPrepared = await prepareLoad({ url: front.url, token: front.key, bodies, concurrency: CONCURRENCY });
    let cpu = cpuMeter(postmaster);
    const frontLoad = await frontPrepared.run();
    const frontCpu = cpu();
    await front.close();
    await pool.query('TRUNCATE events');
    const full = await taishiFrontDoor(databaseUrl, path.join(scratch, 'full'));
    await runLoad({ url: full.url, token: full.key, bodies, concurrency: CONCURRENCY });
    await pool.query('TRUNCATE events');
    const fullPrepared = await prepareLoad({ url: full.url, token: full.key, bodies, concurrency: CONCURRENCY });
    cpu = cpuMeter(postmaster);
    const fullLoad = await fullPrepared.run();
    const fullCpu = cpu();
    await full.close();
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const countStored = async () => Number((await check.query('SELECT count(*) FROM events')).rows[0].count);
    const stored = await countStored();

    // 5. The same with TAISHI_INGEST_ACK=journal: answered once each body is fsynced to the journal.
    const journalFront = await taishiFrontDoor(databaseUrl, path.join(scratch, 'journal-front'), new NullStore(), 'journal');
    await runLoad({ url: journalFront.url, token: journalFront.key, bodies, concurrency: CONCURRENCY });
    await journalFront.drained();
    const journalFrontPrepared = await prepareLoad({ url: journalFront.url, token: journalFront.key, bodies, concurrency: CONCURRENCY });
    const journalFrontLoad = await journalFrontPrepared.run();
    await journalFront.close();
    await pool.query('TRUNCATE events');
    const journalFull = await taishiFrontDoor(databaseUrl, path.join(scratch, 'journal-full'), undefined, 'journal');
    await runLoad({ url: journalFull.url, token: journalFull.key, bodies, concurrency: CONCURRENCY });
    await journalFull.drained();
    await pool.query('TRUNCATE events');
    const journalFullPrepared = await prepareLoad({ url: journalFull.url, token: journalFull.key, bodies, concurrency: CONCURRENCY });
    cpu = cpuMeter(postmaster);
    const journalStarted = process.hrtime.bigint();
    const journalFullLoad = await journalFullPrepared.run();
    await journalFull.drained();
    const journalFullSeconds = Number(process.hrtime.bigint() - journalStarted) / 1e9;
    const journalCpu = cpu();
    await journalFull.close();
    const journalStored = await countStored();
    await check.end();
    await pool.end();
    table(`HTTP ingest (${bodies.length} requests of ${REQUEST_EVENTS} NDJSON events, ${CONCURRENCY} concurrent, client in its own process)`, [
      { name: 'baseline: bare node:http + JSON.parse', perSecond: EVENTS / bareLoad.seconds },
      { name: 'Taishi front door: auth + parse + normalize, no store', perSecond: EVENTS / frontLoad.seconds, baseline: EVENTS / bareLoad.seconds, target: '≥ 0.50' },
      { name: `Taishi end to end into PostgreSQL (${stored.toLocaleString('en')} stored)`, perSecond: EVENTS / fullLoad.seconds, target: '≥ 30,000/s' },
      { name: 'journal ack: front door, answered once fsynced', perSecond: EVENTS / journalFrontLoad.seconds, baseline: EVENTS / bareLoad.seconds, target: '≥ 0.50' },
      { name: `journal ack: end to end, until all stored (${journalStored.toLocaleString('en')})`, perSecond: EVENTS / journalFullSeconds, target: '≥ 30,000/s' },
      { name: 'journal ack: senders answered (of the end-to-end run)', perSecond: EVENTS / journalFullLoad.seconds, baseline: EVENTS / bareLoad.seconds },
    ]);
    cpuTable([
      { name: 'Taishi front door', cpu: frontCpu, load: frontLoad },
      { name: 'Taishi end to end', cpu: fullCpu, load: fullLoad },
      // Until all is stored, which is after the senders were answered.
      { name: 'journal ack, end to end', cpu: journalCpu, load: { seconds: journalFullSeconds, cpuSeconds: journalFullLoad.cpuSeconds } },
    ]);
    if (stored !== EVENTS || journalStored !== EVENTS || journalFullLoad.failures || journalFrontLoad.failures || fullLoad.failures || frontLoad.failures || bareLoad.failures) process.stdout.write(`WARNING: stored ${stored} (journal ack: ${journalStored}) of ${EVENTS}; responses (0: connection reset) bare ${JSON.stringify(bareLoad.statuses)}, front door ${JSON.stringify(frontLoad.statuses)}, end to end ${JSON.stringify(fullLoad.statuses)}, journal front door ${JSON.stringify(journalFrontLoad.statuses)}, journal end to end ${JSON.stringify(journalFullLoad.statuses)}\n`);
  } finally {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
