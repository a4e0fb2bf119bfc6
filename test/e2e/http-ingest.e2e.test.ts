import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { testDatabaseTargets } from '../support/databases.js';
import { listDepartments, seedUsers, startTestApp, type TestApp } from '../support/app.js';

describe.each(testDatabaseTargets())('HTTP ingest into PostgreSQL ($name)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let key: string;

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_INGEST_QUEUE_EVENTS: '1000' });
    users = await seedUsers(app);
    await listDepartments(app, users.admin, '信息中心');
    key = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'portal-shipper', scopes: ['ingest'] } })).body.key;
    await app.call('POST', '/api/assets', { token: users.admin, body: { name: '水务门户', type: 'web_application', department: '水务局', addresses: ['10.1.1.5', 'water-portal'] } });
  });
  afterAll(() => app.stop());

  const ndjson = (lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/x-ndjson' }, query = '') =>
    app.call('POST', `/api/ingest${query}`, { token: key, rawBody: body, headers });

  it('accepts NDJSON, reports a bad line by number without dropping the good ones, and enriches with the asset', async () => {
    const body = ndjson([
      { '@timestamp': '2026-11-29T01:00:00Z', message: 'login ok', host: { name: 'water-portal' }, user: { name: 'zhang' }, event: { action: 'web_login' } },
      '{"broken": ',
      { '@timestamp': '2026-11-29T01:00:01Z', message: 'sensor reading', host: { ip: ['10.1.1.5'] } },
    ]);
    const r = await post(body, undefined, '?source=portal');
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: 2, rejected: 1, errors: [{ line: 2, reason: expect.stringMatching(/^not JSON/) }] });
    const found = await app.call('GET', '/api/events?filter=taishi.department:水务局&from=2026-11-29T00:00:00Z', { token: users.analyst.token });
    expect(found.body.events).toHaveLength(2);
    expect(found.body.events.every((e: { taishi: { asset_id: string } }) => typeof e.taishi.asset_id === 'string')).toBe(true);
  });

  it('stores a retried batch once', async () => {
    const body = ndjson([{ '@timestamp': '2026-11-29T02:00:00Z', message: 'retry me', host: { name: 'water-portal' } }]);
    expect((await post(body)).status).toBe(202);
    expect((await post(body)).status).toBe(202);
    const found = await app.call('GET', `/api/events?q=retry%20me`, { token: users.admin });
    expect(found.body.events).toHaveLength(1);
  });

  it('keeps two identical lines in one batch as two events', async () => {
    const line = 'Dec 10 06:55:46 water-portal sshd[24200]: Connection closed by 173.234.31.186 [preauth]';
    expect((await post(`${line}\n${line}\n`, { 'content-type': 'text/plain' })).body.accepted).toBe(2);
    const found = await app.call('GET', `/api/events?q=${encodeURIComponent('closed by 173.234.31.186')}`, { token: users.admin });
    expect(found.body.events).toHaveLength(2);
    expect(new Set(found.body.events.map((e: { event: { id: string } }) => e.event.id)).size).toBe(2);
  });

  it('decodes GBK text lines and gzip bodies', async () => {
    const gbk = iconv.encode('Nov 29 09:12:01 water-portal app[77]: 用户 张三 登录失败 来自 10.9.8.7\n', 'gbk');
    expect((await post(gzipSync(gbk), { 'content-type': 'text/plain', 'content-encoding': 'gzip' })).status).toBe(202);
    const found = await app.call('GET', `/api/events?q=${encodeURIComponent('登录失败')}`, { token: users.admin });
    expect(found.body.events).toHaveLength(1);
    expect(found.body.events[0].tags).toContain('gb18030');
    expect(found.body.events[0].taishi.department).toBe('水务局');
  });

  it('confines owners to their own department’s events', async () => {
    const own = await app.call('GET', '/api/events?limit=1000', { token: users.ownerA.token });
    expect(own.body.events.length).toBeGreaterThan(0);
    expect(own.body.events.every((e: { taishi?: { department: string } }) => e.taishi?.department === '水务局')).toBe(true);
    const other = await app.call('GET', '/api/events?limit=1000', { token: users.ownerB.token });
    expect(other.body.events).toEqual([]);
    const id = own.body.events[0].event.id;
    expect((await app.call('GET', `/api/events/${id}`, { token: users.ownerB.token })).status).toBe(404);
    expect((await app.call('GET', `/api/events/${id}`, { token: users.ownerA.token })).status).toBe(200);
  });

  it('lists each unregistered sending host once, with counts', async () => {
    const lines = ndjson(Array.from({ length: 3 }, (_, i) => ({ '@timestamp': `2026-11-29T03:00:0${i}Z`, message: `m${i}`, host: { name: 'rogue-nas' } })));
    await post(lines);
    const hosts = await app.call('GET', '/api/ingest/unregistered-hosts', { token: users.compliance.token });
    expect(hosts.body).toEqual(expect.arrayContaining([expect.objectContaining({ address: 'rogue-nas', kind: 'hostname', eventCount: 3 })]));
    // Registering it makes the finding go away.
    await app.call('POST', '/api/assets', { token: users.admin, body: { name: 'NAS', type: 'server', department: '信息中心', addresses: ['rogue-nas'] } });
    const after = await app.call('GET', '/api/ingest/unregistered-hosts', { token: users.compliance.token });
    expect(after.body.map((h: { address: string }) => h.address)).not.toContain('rogue-nas');
  });

  it('answers a batch larger than the whole queue with 413 and the largest it can take (not a 503 that never clears)', async () => {
    const big = ndjson(Array.from({ length: 1500 }, (_, i) => ({ message: `flood ${i}` })));
    const r = await post(big);
    expect(r.status).toBe(413);
    expect(r.body.details).toEqual({ maxEvents: 1000, events: 1500 });
    expect(r.body.code).toBe('ingest.batch_too_large');
    expect(r.body.message).toMatch(/TAISHI_INGEST_QUEUE_EVENTS/);
    const metrics = await app.call('GET', '/metrics', { token: users.admin });
    expect(metrics.body).toMatch(/taishi_ingest_rejected_total\{collector="http"\} 1/);
    expect(metrics.body).toMatch(/taishi_store_events_written_total\{store="postgres"\} \d+/);
  });

  it('refuses bodies with nothing valid, with the reasons', async () => {
    const r = await post('nope\n{\n');
    expect(r.status).toBe(400);
    expect(r.body.details.errors).toHaveLength(2);
  });
});

describe('event aggregations and retention', () => {
  const [embedded] = testDatabaseTargets();
  let app: TestApp;
  let admin: string;
  beforeAll(async () => {
    app = await startTestApp(embedded.adminUrl);
    admin = (await seedUsers(app)).admin;
    const now = Date.now();
    const lines = [
      ...Array.from({ length: 6 }, (_, i) => ({ '@timestamp': new Date(now - i * 60_000).toISOString(), message: 'Failed password', source: { ip: '203.0.113.9' }, event: { action: 'ssh_login', outcome: 'failure' } })),
      ...Array.from({ length: 2 }, (_, i) => ({ '@timestamp': new Date(now - i * 60_000).toISOString(), message: 'Failed password', source: { ip: '198.51.100.4' }, event: { action: 'ssh_login', outcome: 'failure' } })),
      { '@timestamp': new Date(now - 200 * 86_400_000).toISOString(), message: 'ancient', event: { action: 'old' } },
    ];
    await app.call('POST', '/api/ingest', { token: admin, rawBody: lines.map((l) => JSON.stringify(l)).join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
  });
  afterAll(() => app.stop());

  it('counts by field and by time bucket for the dashboard', async () => {
    const counts = await app.call('GET', '/api/events/counts?field=source.ip&filter=event.action:ssh_login', { token: admin });
    expect(counts.body).toEqual({ field: 'source.ip', buckets: [{ value: '203.0.113.9', count: 6 }, { value: '198.51.100.4', count: 2 }] });
    const histogram = await app.call('GET', `/api/events/histogram?bucket=minute&filter=event.action:ssh_login&from=${new Date(Date.now() - 3_600_000).toISOString()}`, { token: admin });
    expect(histogram.body.buckets.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(8);
    expect((await app.call('GET', '/api/events/counts?field=colour', { token: admin })).status).toBe(400);
    expect((await app.call('GET', '/api/events?filter=colour:red', { token: admin })).status).toBe(400);
    expect((await app.call('GET', '/api/events?after=not-a-cursor', { token: admin })).status).toBe(400);
  });

  it('the retention job drops days older than 180 and keeps the rest', async () => {
    const { RetentionService } = await import('../../src/events/retention.service.js');
    const result = await app.running.app.get(RetentionService).run();
    expect(result).toMatchObject({ removed: 1 });
    expect((await app.call('GET', '/api/events?q=ancient', { token: admin })).body.events).toEqual([]);
    expect((await app.call('GET', '/api/events?filter=event.action:ssh_login', { token: admin })).body.events).toHaveLength(8);
  });
});

describe('log shipper envelopes', () => {
  const [embedded] = testDatabaseTargets();
  it('parses the message of a Filebeat/Fluent Bit style record as the log line it carries', async () => {
    const app = await startTestApp(embedded.adminUrl);
    try {
      const admin = await app.login('admin', 'admin-test-password-1');
      const record = { '@timestamp': '2026-11-29T02:00:00Z', message: 'Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 5.36.59.76 port 42393 ssh2', host: { name: 'labsz' }, agent: { type: 'filebeat' }, log: { file: { path: '/var/log/auth.log' } } };
      await app.call('POST', '/api/ingest', { token: admin, rawBody: JSON.stringify(record), headers: { 'content-type': 'application/x-ndjson' } });
      const found = await app.call('GET', '/api/events?filter=source.ip:5.36.59.76', { token: admin });
      expect(found.body.events[0]).toMatchObject({ event: { action: 'ssh_login', outcome: 'failure' }, user: { name: 'root' }, source: { ip: '5.36.59.76', port: 42393 } });
    } finally {
      await app.stop();
    }
  });
});
