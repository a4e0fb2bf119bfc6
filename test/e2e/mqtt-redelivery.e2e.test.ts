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

describe('MQTT redelivery after a crash', () => {
  it('stores each redelivered message once, text and JSON without a time of their own', async () => {
    const run = randomBytes(4).toString('hex');
    const topicRoot = `taishi-redelivery-${run}`;
    const clientId = `taishi-redelivery-${run}`;
    const databaseUrl = await createTestDatabase(embedded.adminUrl);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-mqtt-'));
    const proxy = await relay();
    const env = {
      DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: 'mqtt-redelivery-pw', TAISHI_METRICS_PUBLIC: 'true',
      TAISHI_MQTT_URL: `mqtt://127.0.0.1:${proxy.port}`, TAISHI_MQTT_TOPICS: `${topicRoot}/#`, TAISHI_MQTT_CLIENT_ID: clientId,
    };
    const db = new pg.Client({ connectionString: databaseUrl });
    let service: Service | undefined;
    const metric = async (pattern: RegExp) => Number(pattern.exec(await (await fetch(`${service!.baseUrl}/metrics`)).text())?.[1] ?? NaN);
    try {
      service = await startService(env);
      await until('connected', async () => (await metric(/^taishi_mqtt_connected (\d)/m)) === 1, 30_000);
      await db.connect();

      proxy.swallowAcks = true;
      const publisher = await mqtt.connectAsync(broker.toString(), { clientId: `${clientId}-pub` });
      for (let i = 0; i < 6; i++) await publisher.publishAsync(`${topicRoot}/access/gate-${i}`, `gate-${i} door opened ${run}`, { qos: 1 });
      for (let i = 0; i < 4; i++) await publisher.publishAsync(`${topicRoot}/meter/m-${run}`, JSON.stringify({ reading: i }), { qos: 1 });
      await publisher.endAsync();
      const stored = async () =>
        (
          await db.query<{ message: string; copies: string }>(
            `SELECT message, count(*) AS copies FROM events WHERE message LIKE $1 OR device_id = $2 GROUP BY message`,
            [`%${run}%`, `m-${run}`],
          )
        ).rows;
      await until('all 10 stored', async () => (await stored()).length === 10, 30_000);

      // Stored, but the broker never got the acknowledgements: it delivers them again after the crash.
      service.child.kill('SIGKILL');
      await new Promise((r) => service!.child.once('exit', r));
      proxy.swallowAcks = false;
      service = await startService(env);
      await until('redelivered', async () => (await metric(/^taishi_ingest_received_total\{collector="mqtt"\} (\d+)/m)) >= 10, 30_000);
      await sleep(1000);
      const rows = await stored();
      expect(rows.length).toBe(10);
      expect(rows.filter((r) => Number(r.copies) > 1)).toEqual([]);
      expect(await metric(/^taishi_mqtt_redelivered_total (\d+)/m)).toBe(10);
    } finally {
      await db.end().catch(() => undefined);
      if (service) await stopService(service);
      await proxy.close();
      const cleaner = await mqtt.connectAsync(broker.toString(), { clientId, clean: true });
      await cleaner.endAsync();
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('loses no message whose journal write the disk refuses: unacknowledged, redelivered, stored once', async () => {
    const run = randomBytes(4).toString('hex');
    const topicRoot = `taishi-refused-${run}`;
    const clientId = `taishi-refused-${run}`;
    const databaseUrl = await createTestDatabase(embedded.adminUrl);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-mqtt-'));
    const env = {
      DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: 'mqtt-refused-pw', TAISHI_METRICS_PUBLIC: 'true', TAISHI_INGEST_ACK: 'journal',
      TAISHI_MQTT_URL: broker.toString(), TAISHI_MQTT_TOPICS: `${topicRoot}/#`, TAISHI_MQTT_CLIENT_ID: clientId,
    };
    const db = new pg.Client({ connectionString: databaseUrl });
    let service: Service | undefined;
    const metric = async (pattern: RegExp) => Number(pattern.exec(await (await fetch(`${service!.baseUrl}/metrics`)).text())?.[1] ?? NaN);
    const messages = 60;
    try {
      // No file of the service may grow past 64 KB, as a disk that fills up refuses a write
      // part-way: a journal file takes about 20 of these 3 KB messages, and the write that would
      // cross the limit fails (EFBIG).
      service = await startService(env, undefined, ['prlimit', '--fsize=65536', '--']);
      await until('connected', async () => (await metric(/^taishi_mqtt_connected (\d)/m)) === 1, 30_000);
      await db.connect();
      const publisher = await mqtt.connectAsync(broker.toString(), { clientId: `${clientId}-pub` });
      for (let i = 0; i < messages; i++) await publisher.publishAsync(`${topicRoot}/camera/c-${i}`, `camera-${i} motion ${run} ${'x'.repeat(3000)}`, { qos: 1 });
      await publisher.endAsync();
      const stored = async () => (await db.query<{ message: string; copies: string }>(`SELECT message, count(*) AS copies FROM events WHERE message LIKE $1 GROUP BY message`, [`%${run}%`])).rows;
      await until(`all ${messages} stored`, async () => (await stored()).length === messages, 60_000);
      await sleep(1000);
      expect((await stored()).filter((r) => Number(r.copies) > 1)).toEqual([]);
      // the refusals happened, and each refused message came again
      expect(service.output()).toContain('could not write a batch of 1 (EFBIG)');
      expect(service.output()).toContain('reconnecting so the broker redelivers it');
      expect(await metric(/^taishi_mqtt_redelivered_total (\d+)/m)).toBeGreaterThan(0);
      expect(await stopService(service)).toBe(0);
      service = undefined;
    } finally {
      await db.end().catch(() => undefined);
      if (service) await stopService(service);
      const cleaner = await mqtt.connectAsync(broker.toString(), { clientId, clean: true });
      await cleaner.endAsync();
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
