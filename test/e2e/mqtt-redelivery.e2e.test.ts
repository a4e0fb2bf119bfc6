import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { startService, stopService, type Service } from '../support/service-process.js';
import { until } from '../support/until.js';

/**
 * A crash after an MQTT message is stored but before the broker has its acknowledgement makes the
 * broker deliver it again. Payloads without a time of their own are stamped with the receive
 * time, which differs on the second delivery; each must still be stored once.
 */
const broker = new URL(process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883');
const [embedded] = testDatabaseTargets();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay to the broker that can swallow what the client sends (its PUBACKs), as a broken network or a crash at the wrong moment would. */
async function relay(): Promise<{ port: number; swallowAcks: boolean; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { port: 0, swallowAcks: false, close: async () => undefined as void };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(broker.port || 1883), broker.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => (client.destroy(), upstream.destroy(), sockets.delete(s)));
    }
    upstream.pipe(client);
    client.on('data', (chunk) => {
      if (!state.swallowAcks) upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return state;
}

/**
 * One test's own names, database, data folder and database client, and the service it runs
 * (`current`); `finish` stops and removes all of it, the broker's session of the client included.
 */
async function testRun(name: string) {
  const run = randomBytes(4).toString('hex');
  const topicRoot = `taishi-${name}-${run}`;
  const clientId = `taishi-${name}-${run}`;
  const databaseUrl = await createTestDatabase(embedded.adminUrl);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-mqtt-'));
  const db = new pg.Client({ connectionString: databaseUrl });
  const state = {
    run,
    topicRoot,
    clientId,
    db,
    current: undefined as Service | undefined,
    env: (mqttUrl: string, extra: Record<string, string> = {}) => ({
      DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: `mqtt-${name}-pw`, TAISHI_METRICS_PUBLIC: 'true',
      TAISHI_MQTT_URL: mqttUrl, TAISHI_MQTT_TOPICS: `${topicRoot}/#`, TAISHI_MQTT_CLIENT_ID: clientId, ...extra,
    }),
    metric: async (pattern: RegExp) => Number(pattern.exec(await (await fetch(`${state.current!.baseUrl}/metrics`)).text())?.[1] ?? NaN),
    /** Each distinct message stored, with how many copies of it. */
    stored: async (where: string, params: unknown[]) => (await db.query<{ message: string; copies: string }>(`SELECT message, count(*) AS copies FROM events WHERE ${where} GROUP BY message`, params)).rows,
    finish: async () => {
      await db.end().catch(() => undefined);
      if (state.current) await stopService(state.current);
      const cleaner = await mqtt.connectAsync(broker.toString(), { clientId, clean: true });
      await cleaner.endAsync();
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return state;
}

describe('MQTT redelivery after a crash', () => {
  it('stores each redelivered message once, text and JSON without a time of their own', async () => {
    const t = await testRun('redelivery');
    const proxy = await relay();
    const env = t.env(`mqtt://127.0.0.1:${proxy.port}`);
    try {
      t.current = await startService(env);
      await until('connected', async () => (await t.metric(/^taishi_mqtt_connected (\d)/m)) === 1, 30_000);
      await t.db.connect();

      proxy.swallowAcks = true;
      const publisher = await mqtt.connectAsync(broker.toString(), { clientId: `${t.clientId}-pub` });
      for (let i = 0; i < 6; i++) await publisher.publishAsync(`${t.topicRoot}/access/gate-${i}`, `gate-${i} door opened ${t.run}`, { qos: 1 });
      for (let i = 0; i < 4; i++) await publisher.publishAsync(`${t.topicRoot}/meter/m-${t.run}`, JSON.stringify({ reading: i }), { qos: 1 });
      await publisher.endAsync();
      const stored = () => t.stored('message LIKE $1 OR device_id = $2', [`%${t.run}%`, `m-${t.run}`]);
      await until('all 10 stored', async () => (await stored()).length === 10, 30_000);

      // Stored, but the broker never got the acknowledgements: it delivers them again after the crash.
      const crashed = t.current;
      t.current = undefined;
      crashed.child.kill('SIGKILL');
      await new Promise((r) => crashed.child.once('exit', r));
      proxy.swallowAcks = false;
      t.current = await startService(env);
      await until('redelivered', async () => (await t.metric(/^taishi_ingest_received_total\{collector="mqtt"\} (\d+)/m)) >= 10, 30_000);
      await sleep(1000);
      const rows = await stored();
      expect(rows.length).toBe(10);
      expect(rows.filter((r) => Number(r.copies) > 1)).toEqual([]);
      expect(await t.metric(/^taishi_mqtt_redelivered_total (\d+)/m)).toBe(10);
    } finally {
      await t.finish();
      await proxy.close();
    }
  }, 120_000);

  it('loses no message whose journal write the disk refuses: unacknowledged, redelivered, stored once', async () => {
    const t = await testRun('refused');
    const messages = 60;
    try {
      // No file of the service may grow past 64 KB, as a disk that fills up refuses a write
      // part-way: a journal file takes about 20 of these 3 KB messages, and the write that would
      // cross the limit fails (EFBIG).
      t.current = await startService(t.env(broker.toString(), { TAISHI_INGEST_ACK: 'journal' }), undefined, ['prlimit', '--fsize=65536', '--']);
      await until('connected', async () => (await t.metric(/^taishi_mqtt_connected (\d)/m)) === 1, 30_000);
      await t.db.connect();
      const publisher = await mqtt.connectAsync(broker.toString(), { clientId: `${t.clientId}-pub` });
      for (let i = 0; i < messages; i++) await publisher.publishAsync(`${t.topicRoot}/camera/c-${i}`, `camera-${i} motion ${t.run} ${'x'.repeat(3000)}`, { qos: 1 });
      await publisher.endAsync();
      const stored = () => t.stored('message LIKE $1', [`%${t.run}%`]);
      await until(`all ${messages} stored`, async () => (await stored()).length === messages, 60_000);
      await sleep(1000);
      expect((await stored()).filter((r) => Number(r.copies) > 1)).toEqual([]);
      // the refusals happened, and each refused message came again
      expect(t.current.output()).toContain('could not write a batch of 1 (EFBIG)');
      expect(t.current.output()).toContain('reconnecting so the broker redelivers it');
      expect(await t.metric(/^taishi_mqtt_redelivered_total (\d+)/m)).toBeGreaterThan(0);
      const service = t.current;
      t.current = undefined;
      expect(await stopService(service)).toBe(0);
    } finally {
      await t.finish();
    }
  }, 120_000);
});
