import { LiveDetection } from '../../src/detection/index.js';
import { SituationService } from '../../src/situation/index.js';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { bastionAttack } from '../support/city-logs.js';

describe.each(testDatabaseTargets())('situation API ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  const situation = (token: string, query = '') => app.call('GET', `/api/situation${query}`, { token });

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    users = await seedUsers(app);
  });
  afterAll(() => app.stop());

  it('on a quiet service: a score of 100 with no reasons, empty series, and empty sections', async () => {
    const r = await situation(users.admin);
    expect(r.status).toBe(200);
    expect(r.body.posture).toEqual({ score: 100, band: 'good', reasons: [] });
    expect(r.body.alerts.openByLevel).toEqual({ critical: 0, high: 0, medium: 0, low: 0, informational: 0 });
    expect(r.body.alerts.timeline.starts).toHaveLength(24);
    expect(r.body.topAssets).toEqual([]);
    expect(r.body.ingest).toMatchObject({ collectors: [], writer: { storeUp: true, queued: 0, spooled: 0, journaled: null } });
    expect(r.body.sections).toEqual({
      incidents: { open: 0, byGrade: { especially_major: 0, major: 0, relatively_major: 0, general: 0, unrated: 0 }, byPhase: { detect: 0, respond: 0, recover: 0 }, slaBreached: 0 },
      clocks: { total: 0, overdue: 0, items: [] },
      compliance: { run: null, byLaw: [] },
      recognition: { windowHours: 24, programs: 0, blind: [] },
      silentAssets: { defaultIntervalMinutes: 1440, registered: 0, total: 0, items: [] },
    });
  });

  it('after an attack: alerts by level over time, the asset most at risk, ingest per collector, and the reasons', async () => {
    await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '供水调度堡垒机', type: 'server', addresses: ['zw-bastion'], criticality: 'high' } });
    expect((await app.call('POST', '/api/ingest', { token: users.admin, rawBody: bastionAttack(), headers: { 'content-type': 'text/plain' } })).status).toBe(202);
    await app.running.app.get(LiveDetection).settled();
    const alerts = (await app.call('GET', '/api/alerts?limit=500', { token: users.admin })).body.items as { level: string; department: string | null }[];
    const byLevel = (list: typeof alerts) => list.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.level]: (acc[a.level] ?? 0) + 1 }), {});

    const r = await situation(users.analyst.token);
    expect(r.body.alerts.openByLevel).toMatchObject(byLevel(alerts));

    // Each count is the list it links to (status=unclosed): an acknowledged alert is still open here.
    const some = (await app.call('GET', '/api/alerts?limit=1&level=high', { token: users.admin })).body.items[0] as { id: string };
    expect((await app.call('PATCH', `/api/alerts/${some.id}`, { token: users.analyst.token, body: { status: 'acknowledged' } })).status).toBe(200);
    const counts = (await situation(users.analyst.token)).body.alerts.openByLevel as Record<string, number>;
    for (const [level, n] of Object.entries(counts)) {
      expect((await app.call('GET', `/api/alerts?status=unclosed&level=${level}&limit=1`, { token: users.analyst.token })).body.total).toBe(n);
    }
    expect((await app.call('GET', '/api/alerts?status=open&level=high&limit=1', { token: users.analyst.token })).body.total).toBe(counts.high - 1);
    expect((await app.call('PATCH', `/api/alerts/${some.id}`, { token: users.analyst.token, body: { status: 'open' } })).status).toBe(200);
    expect(r.body.alerts.openByLevel.critical).toBe(1);
    // Every new alert lands in one bucket of the timeline, under its level.
    for (const [level, n] of Object.entries(byLevel(alerts))) expect(r.body.alerts.timeline.levels[level].reduce((a: number, b: number) => a + b, 0)).toBe(n);
    expect(r.body.topAssets[0]).toMatchObject({ name: '供水调度堡垒机', department: '水务局', criticality: 'high' });
    expect(r.body.topAssets[0].risk).toBeGreaterThan(10);
    expect(r.body.ingest.collectors).toEqual([expect.objectContaining({ collector: 'http', received: 13, parsed: 13, dropped: 0 })]);
    expect(r.body.ingest.collectors[0].series.length).toBeGreaterThanOrEqual(1);
    expect(r.body.unregisteredHosts).toBe(1);
    const codes = r.body.posture.reasons.map((x: { code: string; params: { level?: string } }) => `${x.code}${x.params.level ? `:${x.params.level}` : ''}`);
    expect(codes).toEqual(expect.arrayContaining(['open_alerts:critical', 'open_alerts:high', 'unregistered_hosts']));
    expect(r.body.posture.score).toBe(100 - r.body.posture.reasons.reduce((s: number, x: { points: number }) => s + x.points, 0));
  });

  it('confines owners to their department and keeps service internals from them', async () => {
    const water = await situation(users.ownerA.token);
    expect(water.body.department).toBe('水务局');
    expect(water.body.alerts.openByLevel.critical).toBe(1);
    expect(water.body.topAssets.map((a: { name: string }) => a.name)).toEqual(['供水调度堡垒机']);
    expect(water.body.ingest).toBeNull();
    expect(water.body.unregisteredHosts).toBeNull();
    const traffic = await situation(users.ownerB.token);
    expect(traffic.body.alerts.openByLevel).toEqual({ critical: 0, high: 0, medium: 0, low: 0, informational: 0 });
    expect(traffic.body.topAssets).toEqual([]);
    expect(traffic.body.posture.score).toBe(100);
  });

  it('aligns buckets to midnight in the requested zone and refuses unknown ranges and zones', async () => {
    const week = await situation(users.admin, '?range=7d&tz=Asia/Shanghai');
    expect(week.body.alerts.timeline.starts).toHaveLength(28);
    expect(new Date(week.body.alerts.timeline.starts[0]).getUTCHours() % 6).toBe(4); // 00, 06, 12, 18 in Shanghai
    const kolkata = await situation(users.admin, '?range=24h&tz=Asia/Kolkata');
    expect(new Date(kolkata.body.alerts.timeline.starts[0]).getUTCMinutes()).toBe(30);
    const badRange = await situation(users.admin, '?range=1y');
    expect(badRange.status).toBe(400);
    expect(badRange.body.message).toMatch(/range/);
    const badZone = await situation(users.admin, '?tz=Mars/Olympus');
    expect(badZone.status).toBe(400);
    expect(badZone.body.message).toMatch(/tz must be an IANA time zone/);
  });

  it('takes sections and reasons from other modules, and survives one that fails', async () => {
    const service = app.running.app.get(SituationService);
    service.register({ key: 'drill', contribute: async (scope) => ({ data: { department: scope.department ?? null, open: 2 }, reasons: [{ code: 'drill_overdue', points: 7, params: { count: 2 } }] }) });
    service.register({ key: 'broken', contribute: async () => Promise.reject(new Error('database on fire')) });
    service.register({ key: 'hidden', contribute: async (scope) => (scope.department !== undefined ? null : { data: 'staff only' }) });
    expect(() => service.register({ key: 'drill', contribute: async () => null })).toThrow(/already registered/);
    const staff = await situation(users.admin);
    expect(staff.body.sections).toMatchObject({ drill: { department: null, open: 2 }, broken: { error: 'unavailable' }, hidden: 'staff only' });
    expect(staff.body.posture.reasons).toContainEqual({ code: 'drill_overdue', points: 7, params: { count: 2 } });
    const owner = await situation(users.ownerA.token);
    expect(owner.body.sections).toMatchObject({ drill: { department: '水务局', open: 2 }, broken: { error: 'unavailable' } });
    expect(owner.body.sections).not.toHaveProperty('hidden');
  });

  it('lists registered running assets that sent nothing in 24 hours as no data, each department seeing its own', async () => {
    const quiet = await app.call('POST', '/api/assets', { token: users.ownerB.token, body: { name: '信号灯控制机', type: 'server', addresses: ['10.55.0.9'] } });
    expect(quiet.status).toBe(201);
    await app.call('POST', '/api/assets', { token: users.ownerB.token, body: { name: '已下线旧服务器', type: 'server', addresses: ['10.55.0.10'], lifecycle: 'retired' } });
    const all = (await situation(users.analyst.token)).body.sections.silentAssets;
    expect(all.items).toEqual(expect.arrayContaining([{ id: quiet.body.id, name: '信号灯控制机', department: '交通局', lastEventAt: null, intervalMinutes: 1440, intervalSource: 'default' }]));
    // The bastion sent events just now; the retired server is not expected to send any.
    expect(all.items.map((a: { name: string }) => a.name)).not.toContain('供水调度堡垒机');
    expect(all.items.map((a: { name: string }) => a.name)).not.toContain('已下线旧服务器');
    const water = (await situation(users.ownerA.token)).body.sections.silentAssets;
    expect(water.items.map((a: { department: string }) => a.department)).not.toContain('交通局');
    const traffic = (await situation(users.ownerB.token)).body.sections.silentAssets;
    expect(traffic).toMatchObject({ registered: 1, total: 1, items: [expect.objectContaining({ name: '信号灯控制机' })] });
  });

  it('judges each asset by its own expected interval: a 15-minute camera quiet for 30 minutes is silent, a 24-hour server quiet for 2 hours is not', async () => {
    const register = async (name: string, address: string, expectedIntervalMinutes: number) => {
      const r = await app.call('POST', '/api/assets', { token: users.ownerB.token, body: { name, type: name.includes('摄像头') ? 'camera' : 'server', addresses: [address], expectedIntervalMinutes } });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const camera = await register('路口摄像头', 'cam-crossing-7', 15);
    await register('停车收费服务器', 'parking-billing', 1440);
    const sent = (host: string, minutesAgo: number) => JSON.stringify({ '@timestamp': new Date(Date.now() - minutesAgo * 60_000).toISOString(), message: 'heartbeat ok', host: { name: host }, event: { dataset: 'device.heartbeat' } });
    const ingested = await app.call('POST', '/api/ingest', { token: users.admin, rawBody: [sent('cam-crossing-7', 30), sent('parking-billing', 120)].join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
    expect(ingested.status).toBe(202);
    // Detection runs on a batch once it is stored.
    await app.running.app.get(LiveDetection).settled();

    const traffic = (await situation(users.ownerB.token)).body.sections.silentAssets;
    expect(traffic.items).toContainEqual({ id: camera, name: '路口摄像头', department: '交通局', lastEventAt: expect.any(String), intervalMinutes: 15, intervalSource: 'asset' });
    const cameraItem = traffic.items.find((a: { id: string }) => a.id === camera);
    expect(Date.now() - Date.parse(cameraItem.lastEventAt)).toBeGreaterThanOrEqual(30 * 60_000);
    expect(traffic.items.map((a: { name: string }) => a.name)).not.toContain('停车收费服务器');
    expect(traffic).toMatchObject({ defaultIntervalMinutes: 1440, registered: 3, total: 2 });

    // Told it reports only every hour, the camera is no longer silent.
    expect((await app.call('PATCH', `/api/assets/${camera}`, { token: users.ownerB.token, body: { expectedIntervalMinutes: 60 } })).status).toBe(200);
    expect((await situation(users.ownerB.token)).body.sections.silentAssets.items.map((a: { name: string }) => a.name)).toEqual(['信号灯控制机']);
  });
});
