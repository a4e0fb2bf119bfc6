import { randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import mqtt from 'mqtt';
import { testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, startTestApp } from '../support/app.js';

const brokerUrl = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const [embedded] = testDatabaseTargets();

async function publish(topic: string, payloads: (string | Buffer)[]): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, { clientId: `taishi-test-pub-${randomBytes(4).toString('hex')}` });
  for (const payload of payloads) await client.publishAsync(topic, payload, { qos: 1 });
  await client.endAsync();
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

// stored: each message acknowledged once its event is stored; journal: once it is in the ingest journal.
describe.each(['stored', 'journal'])('MQTT collector against the local Mosquitto (TAISHI_INGEST_ACK=%s)', (ack) => {
  const run = randomBytes(4).toString('hex');
  const topicRoot = `taishi-test-${run}`;
  const env = { TAISHI_MQTT_URL: brokerUrl, TAISHI_MQTT_TOPICS: `${topicRoot}/#`, TAISHI_MQTT_CLIENT_ID: `taishi-test-${run}`, TAISHI_INGEST_ACK: ack };

  it('stores JSON telemetry, GBK text and garbage payloads, and gets QoS 1 messages published while it was down', async () => {
    let app = await startTestApp(embedded.adminUrl, env);
    const count = async (token: string, q: string) => (await app.call('GET', `/api/events?limit=100&q=${encodeURIComponent(q)}`, { token })).body.events;
    try {
      let token = await app.login('admin', ADMIN_PASSWORD);
      await eventually(async () => ((await app.call('GET', '/metrics', { token })).body.includes('taishi_mqtt_connected 1') ? true : undefined));
      await publish(`${topicRoot}/telemetry/cam-07`, [
        JSON.stringify({ ts: '2026-11-29T08:00:00+08:00', temperature: 61.5, status: 'overheat' }),
        iconv.encode('摄像头 cam-07 离线告警', 'gbk'),
        Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x80]),
      ]);
      const telemetry = await eventually(async () => {
        const events = (await app.call('GET', `/api/events?limit=100&filter=device.id:cam-07`, { token })).body.events;
        return events.length ? events : undefined;
      });
      expect(telemetry[0]).toMatchObject({ event: { kind: 'metric' }, metrics: { temperature: 61.5 } });
      await eventually(async () => ((await count(token, '离线告警')).length === 1 ? true : undefined));
      const metrics = await eventually(async () => {
        const text = (await app.call('GET', '/metrics', { token })).body as string;
        return /taishi_ingest_received_total\{collector="mqtt"\} 3/.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(/taishi_ingest_received_total\{collector="mqtt"\} 3/);

      // Down: the persistent session keeps QoS 1 messages at the broker until Taishi is back.
      const reuse = { databaseUrl: app.databaseUrl, dataDir: app.dataDir };
      await app.close();
      await publish(`${topicRoot}/telemetry/meter-3`, ['{"reading": 1}', '{"reading": 2}', '{"reading": 3}']);
      app = await startTestApp(embedded.adminUrl, env, reuse);
      token = await app.login('admin', ADMIN_PASSWORD);
      const meter = await eventually(async () => {
        const events = (await app.call('GET', `/api/events?limit=100&filter=device.id:meter-3`, { token })).body.events;
        return events.length === 3 ? events : undefined;
      });
      expect(meter.map((e: { metrics: { reading: number } }) => e.metrics.reading).sort()).toEqual([1, 2, 3]);
    } finally {
      await app.stop();
      // Drop the persistent session at the broker so test runs leave nothing behind.
      const cleaner = await mqtt.connectAsync(brokerUrl, { clientId: env.TAISHI_MQTT_CLIENT_ID, clean: true });
      await cleaner.endAsync();
    }
  });
});
