import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { LiveDetection, ScheduledRules } from '../../src/detection/index.js';
import { Database } from '../../src/database/index.js';
import type { StoredEvent } from '../../src/events/index.js';

const [embedded] = testDatabaseTargets();

describe('live detection', () => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    app = await startTestApp(embedded.adminUrl);
    users = await seedUsers(app);
    await app.call('POST', '/api/assets', { token: users.admin, body: { name: 'LabSZ 堡垒机', type: 'server', department: '水务局', addresses: ['labsz'] } });
  });
  afterAll(() => app.stop());

  it('turns an SSH attack replayed into the running service into grouped alerts, visible in the API', async () => {
    const lines = (await readFile(new URL('../../fixtures/loghub/OpenSSH_2k.log', import.meta.url), 'utf8')).split('\n').filter(Boolean);
    for (let i = 0; i < lines.length; i += 500) {
      const r = await app.call('POST', '/api/ingest?source=labsz', { token: users.admin, rawBody: lines.slice(i, i + 500).join('\n'), headers: { 'content-type': 'text/plain' } });
      expect(r.status).toBe(202);
    }
    await app.running.app.get(LiveDetection).settled();
    const brute = await app.call('GET', `/api/alerts?limit=100&ruleId=f8f1436b-5e79-43de-8227-e9421d8f666d`, { token: users.analyst.token });
    expect(brute.body.total).toBeGreaterThan(3);
    const biggest = brute.body.items.find((a: { groupKey: string }) => a.groupKey === 'source.address=183.62.140.253');
    // Repeated firings on one source within the window are one alert with a count, not a flood.
    expect(biggest).toMatchObject({ level: 'high', status: 'open', ruleKind: 'correlation', department: '水务局' });
    expect(biggest.count).toBeGreaterThan(1);
    // Two alerts for one source only when its bursts are more than the grouping window (60 min) apart.
    const byGroup = new Map<string, { firstSeen: string; lastSeen: string }[]>();
    for (const a of brute.body.items) byGroup.set(a.groupKey, [...(byGroup.get(a.groupKey) ?? []), a]);
    for (const alerts of byGroup.values()) {
      const sorted = alerts.sort((x, y) => x.firstSeen.localeCompare(y.firstSeen));
      for (let i = 1; i < sorted.length; i++) expect(Date.parse(sorted[i].firstSeen) - Date.parse(sorted[i - 1].lastSeen)).toBeGreaterThan(60 * 60_000);
    }
    // The owner of the asset sees them; another department does not.
    expect((await app.call('GET', '/api/alerts', { token: users.ownerA.token })).body.total).toBeGreaterThan(0);
    expect((await app.call('GET', '/api/alerts', { token: users.ownerB.token })).body.total).toBe(0);
    const rules = await app.call('GET', '/api/rules', { token: users.analyst.token });
    expect(rules.body.errors).toEqual([]);
    const failureRule = rules.body.rules.find((r: { id: string }) => r.id.startsWith('4d9838f3'));
    expect(failureRule.matches).toBeGreaterThan(100);
  });

  it('counts a batch its sender sends again (an answer lost on the way) once: stored once, detected once', async () => {
    const failure = (i: number) => `Dec  6 09:0${i}:00 labsz sshd[4100${i}]: Failed password for root from 198.51.100.23 port 5100${i} ssh2`;
    const send = async (lines: string[]) => {
      const r = await app.call('POST', '/api/ingest?source=labsz', { token: users.admin, rawBody: lines.join('\n'), headers: { 'content-type': 'text/plain' } });
      expect(r.status).toBe(202);
    };
    const brute = async () => {
      await app.running.app.get(LiveDetection).settled();
      const alerts = await app.call('GET', `/api/alerts?limit=100&ruleId=f8f1436b-5e79-43de-8227-e9421d8f666d`, { token: users.analyst.token });
      return alerts.body.items.filter((a: { groupKey: string }) => a.groupKey === 'source.address=198.51.100.23');
    };
    const six = [0, 1, 2, 3, 4, 5].map(failure);
    await send(six);
    await send(six);
    // Counted twice, these 12 failures would pass the rule's threshold of ten within ten minutes.
    expect(await brute()).toEqual([]);
    const rules = async () => (await app.call('GET', '/api/rules', { token: users.analyst.token })).body.rules.find((r: { id: string }) => r.id.startsWith('4d9838f3')).matches as number;
    const before = await rules();
    await send(six);
    expect(await rules()).toBe(before);
    // Four new failures make ten: the rule fires, once.
    await send([6, 7, 8, 9].map(failure));
    expect(await brute()).toEqual([expect.objectContaining({ count: 1, ruleKind: 'correlation' })]);
  });

  it('writes firings that come while an alert write is in flight together, in order, as one grouped alert', async () => {
    const detection = app.running.app.get(LiveDetection);
    const db = app.running.app.get(Database);
    await detection.settled();
    const firing = (i: number) => ({
      kind: 'rule' as const,
      ruleId: 'coalesce-check',
      title: 'Coalesce check',
      level: 'low',
      tags: [],
      groupKey: 'source.address=192.0.2.7',
      event: { '@timestamp': `2026-12-06T10:00:0${i}.000Z`, event: { id: `coalesce-${i}`, kind: 'event', action: 'test', dataset: 'test' }, source: { ip: '192.0.2.7' } } as unknown as StoredEvent,
      at: new Date(`2026-12-06T10:00:0${i}.000Z`),
    });
    const writes = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM domain_outbox WHERE topic = 'alerts.recorded'`))[0].n);
    const before = await writes();
    // Three batches' firings in one turn: the first write has not begun when the others come.
    detection.record([firing(0)]);
    detection.record([firing(1), firing(2)]);
    detection.record([firing(3)]);
    await detection.settled();
    expect(await writes()).toBe(before + 1);
    const [alert] = await db.query<{ count: number; first_seen: Date; last_seen: Date; event_ids: string[] }>(`SELECT count, first_seen, last_seen, event_ids FROM alerts WHERE rule_id = 'coalesce-check'`);
    expect(alert).toMatchObject({ count: 4, event_ids: ['coalesce-0', 'coalesce-1', 'coalesce-2', 'coalesce-3'] });
    expect([alert.first_seen.toISOString(), alert.last_seen.toISOString()]).toEqual(['2026-12-06T10:00:00.000Z', '2026-12-06T10:00:03.000Z']);
    // One that comes after the write is done is a write of its own.
    detection.record([firing(4)]);
    await detection.settled();
    expect(await writes()).toBe(before + 2);
  });

  it('lets analysts acknowledge, close with a resolution and reopen with a note, and refuses illegal moves', async () => {
    const [alert] = (await app.call('GET', '/api/alerts?limit=1', { token: users.analyst.token })).body.items;
    const path = `/api/alerts/${alert.id}`;
    expect((await app.call('PATCH', path, { token: users.ownerA.token, body: { status: 'acknowledged' } })).status).toBe(403);
    expect((await app.call('PATCH', path, { token: users.analyst.token, body: { status: 'acknowledged' } })).body.status).toBe('acknowledged');
    expect((await app.call('PATCH', path, { token: users.analyst.token, body: { status: 'closed' } })).status).toBe(400);
    const closed = await app.call('PATCH', path, { token: users.analyst.token, body: { status: 'closed', resolution: 'true_positive', note: '已封禁来源地址' } });
    expect(closed.body).toMatchObject({ status: 'closed', resolution: 'true_positive', statusBy: 'analyst1' });
    const illegal = await app.call('PATCH', path, { token: users.analyst.token, body: { status: 'acknowledged' } });
    expect(illegal.status).toBe(409);
    expect(illegal.body.details).toEqual({ allowed: ['open'] });
    expect((await app.call('PATCH', path, { token: users.analyst.token, body: { status: 'open' } })).status).toBe(400);
    expect((await app.call('PATCH', path, { token: users.analyst.token, body: { status: 'open', note: '同一来源再次出现' } })).body.status).toBe('open');
    const trail = await app.call('GET', `/api/audit?targetType=alert&targetId=${alert.id}`, { token: users.admin });
    expect(trail.body.map((r: { action: string }) => r.action)).toEqual(['alert.open', 'alert.closed', 'alert.acknowledged']);
  });

  it('suppresses firings covered by an exception with who, why and expiry, and counts them', async () => {
    const rule = (await app.call('GET', '/api/rules', { token: users.analyst.token })).body.rules.find((r: { id: string }) => r.id.startsWith('a56a65b7'));
    const before = (await app.call('GET', `/api/alerts?ruleId=${rule.id}`, { token: users.analyst.token })).body.items.find((a: { groupKey: string }) => a.groupKey === 'source.ip=119.137.62.142');
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await app.call('POST', '/api/rules/exceptions', { token: users.analyst.token, body: { ruleId: rule.id, field: 'source.ip', value: '119.137.62.142', reason: '运维人员固定出口地址', expiresAt } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ createdBy: 'analyst1', reason: '运维人员固定出口地址', suppressed: 0 });
    expect((await app.call('POST', '/api/rules/exceptions', { token: users.analyst.token, body: { ruleId: rule.id, field: 'source.ip', value: 'x', reason: 'old', expiresAt: '2020-01-01T00:00:00Z' } })).status).toBe(400);
    // a new login (a line the service has stored already would be a repeat, not detected again)
    const line = 'Dec 10 09:32:20 LabSZ sshd[24999]: Accepted password for fztu from 119.137.62.142 port 49999 ssh2';
    await app.call('POST', '/api/ingest?source=labsz', { token: users.admin, rawBody: line, headers: { 'content-type': 'text/plain' } });
    await app.running.app.get(LiveDetection).settled();
    const after = (await app.call('GET', `/api/alerts?ruleId=${rule.id}`, { token: users.analyst.token })).body.items.find((a: { groupKey: string }) => a.groupKey === 'source.ip=119.137.62.142');
    expect(after.count).toBe(before.count);
    const listed = (await app.call('GET', '/api/rules/exceptions', { token: users.compliance.token })).body;
    expect(listed[0]).toMatchObject({ id: created.body.id, suppressed: 1 });
    expect((await app.call('DELETE', `/api/rules/exceptions/${created.body.id}`, { token: users.analyst.token })).status).toBe(204);
    // The removal is audited under the rule, with what the exception was; it cannot be removed twice.
    const trail = (await app.call('GET', `/api/audit?targetType=rule&targetId=${rule.id}`, { token: users.admin })).body as { action: string; before: { reason?: string } | null }[];
    expect(trail.find((r) => r.action === 'rule-exception.delete')?.before).toMatchObject({ reason: '运维人员固定出口地址' });
    const again = await app.call('DELETE', `/api/rules/exceptions/${created.body.id}`, { token: users.analyst.token });
    expect([again.status, again.body.code]).toEqual([404, 'rule.exception_not_found']);
  });

  it('switches a rule off and on, audited, without a restart', async () => {
    const id = '4d9838f3';
    const rule = (await app.call('GET', '/api/rules', { token: users.analyst.token })).body.rules.find((r: { id: string }) => r.id.startsWith(id));
    const off = await app.call('PATCH', `/api/rules/${rule.id}`, { token: users.analyst.token, body: { enabled: false } });
    expect(off.body.enabled).toBe(false);
    expect((await app.call('PATCH', `/api/rules/${rule.id}`, { token: users.compliance.token, body: { enabled: true } })).status).toBe(403);
    expect((await app.call('PATCH', `/api/rules/${rule.id}`, { token: users.analyst.token, body: { enabled: true } })).body.enabled).toBe(true);
    const bad = await app.call('POST', '/api/rules/validate', { token: users.analyst.token, rawBody: 'title: x\nlogsource: {product: linux}\ndetection:\n  sel: {a|nope: 1}\n  condition: sel\n', headers: { 'content-type': 'application/yaml' } });
    expect(bad.body).toMatchObject({ valid: false, errors: [expect.stringMatching(/uploaded\.yml:4:\d+: .*nope/)] });
  });
});

describe('rule upload', () => {
  it('saves a valid rule file, loads it at once, and refuses a broken or clashing one whole', async () => {
    const rulesDir = await mkdtemp(path.join(tmpdir(), 'taishi-rules-dir-'));
    await cp(new URL('../../rules/detection', import.meta.url), rulesDir, { recursive: true });
    const app = await startTestApp(embedded.adminUrl, { TAISHI_RULES_DIR: rulesDir });
    try {
      const admin = await app.login('admin', 'admin-test-password-1');
      const rule = ['title: 门户后台弱口令登录', 'id: 7c6f1b0e-1111-4c2a-9d3e-000000000001', 'level: high', 'logsource: { product: linux, service: sshd }', 'detection:', '  sel: { user.name: portaladmin }', '  condition: sel'].join('\n');
      const upload = (body: string) => app.call('POST', '/api/rules', { token: admin, rawBody: body, headers: { 'content-type': 'application/yaml' } });
      const bad = await upload(rule.replace('user.name:', 'user.name|contians:'));
      expect(bad.status).toBe(400);
      expect(bad.body.details[0]).toMatch(/uploaded\.yml:6:\d+: .*contians/);
      const ok = await upload(rule);
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ rules: 1, correlations: 0 });
      expect((await readFile(path.join(rulesDir, 'uploaded', '7c6f1b0e-1111-4c2a-9d3e-000000000001.yml'), 'utf8'))).toBe(rule);
      expect((await upload(rule)).status).toBe(409);
      const line = 'Dec 10 09:00:00 portal sshd[1]: Accepted password for portaladmin from 10.9.9.9 port 5000 ssh2';
      await app.call('POST', '/api/ingest', { token: admin, rawBody: line, headers: { 'content-type': 'text/plain' } });
      await app.running.app.get(LiveDetection).settled();
      const alerts = (await app.call('GET', '/api/alerts?ruleId=7c6f1b0e-1111-4c2a-9d3e-000000000001', { token: admin })).body.items;
      expect(alerts).toHaveLength(1);
    } finally {
      await app.stop();
      await rm(rulesDir, { recursive: true, force: true });
    }
  });
});

describe('scheduled absence rules', () => {
  it('alerts on an IoT device that went silent, once per group, and not on one still reporting', async () => {
    const app = await startTestApp(embedded.adminUrl);
    try {
      const admin = await app.login('admin', 'admin-test-password-1');
      const now = Date.now();
      const telemetry = (device: string, minutesAgo: number) => JSON.stringify({ device_id: device, ts: Math.floor((now - minutesAgo * 60_000) / 1000), temperature: 40, online: true });
      const body = [telemetry('cam-silent', 180), telemetry('cam-silent', 120), telemetry('cam-alive', 180), telemetry('cam-alive', 5), telemetry('cam-gone', 3 * 24 * 60)].join('\n');
      expect((await app.call('POST', '/api/ingest?format=telemetry', { token: admin, rawBody: body, headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(202);
      const scheduled = app.running.app.get(ScheduledRules);
      const [result] = await scheduled.runScheduled(new Date(now));
      expect(result.silent).toEqual(['cam-silent']);
      await scheduled.runScheduled(new Date(now + 15 * 60_000));
      await app.running.app.get(LiveDetection).settled();
      const alerts = (await app.call('GET', '/api/alerts?ruleId=9315c64a-53f6-402c-ad13-f3900c817a3b', { token: admin })).body.items;
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ groupKey: 'device.id=cam-silent', ruleKind: 'scheduled', count: 2 });
    } finally {
      await app.stop();
    }
  });
});
