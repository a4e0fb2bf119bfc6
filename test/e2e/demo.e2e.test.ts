import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD, DemoRefusedError, demoServices, HttpFeed, loadDemo, type DemoReport } from '../../src/demo/index.js';
import { ingestRecords } from '../../src/demo/live.js';
import { liveAttack } from '../../src/demo/scenarios.js';
import { background } from '../../src/demo/traffic.js';
import { UsersService } from '../../src/auth/users.service.js';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { ADMIN_PASSWORD, listDepartments, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

const RULES = {
  sshBruteForce: 'f8f1436b-5e79-43de-8227-e9421d8f666d',
  sshSuccessAfterBruteForce: '0b2e7580-6a67-423f-9cb4-bfbabc45b114',
  webShell: 'f00e17ce-f098-4c75-80a8-a27ed002e6eb',
  bulkDownload: 'e9f19afa-7e9b-464b-96a1-4fb4f405db9e',
  deviceSilent: '9315c64a-53f6-402c-ad13-f3900c817a3b',
};
const caller = { principal: { kind: 'cli' as const, name: 'demo-test' }, sourceIp: null };
const HOUR = 3_600_000;

describe.each(testDatabaseTargets())('the demo city on $name PostgreSQL', ({ adminUrl }) => {
  let app: TestApp;
  let report: DemoReport;
  let analyst: string;
  let loadedAt: number;
  const get = (route: string) => app.call('GET', route, { token: analyst }).then((r) => r.body);
  const count = async (query = '') => {
    const r = await get(`/api/events/counts?field=event.dataset&size=100${query}`);
    return (r.buckets as { count: number }[]).reduce((sum, b) => sum + b.count, 0);
  };

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    loadedAt = Date.now();
    report = await loadDemo(demoServices((type) => app.running.app.get(type)), { caller });
    analyst = await app.login('demo.analyst', DEMO_PASSWORD);
  }, 120_000);
  afterAll(() => app?.stop());

  it('registers six departments, their systems and one demo account per role', async () => {
    expect(report.mode).toBe('full');
    const assets = (await get('/api/assets?limit=100')).items as { name: string; department: string; mlps: { level: number } | null; contactUserId: string | null }[];
    expect(assets.length).toBeGreaterThanOrEqual(15);
    expect(new Set(assets.map((a) => a.department))).toEqual(new Set(['政务服务管理局', '公安局', '交通运输局', '水务局', '卫生健康委员会', '大数据中心']));
    expect(assets.find((a) => a.name === '运维堡垒机 LabSZ')?.mlps?.level).toBe(3);
    for (const username of ['demo.compliance', 'demo.owner.gov', 'demo.owner.traffic', 'demo.owner.health', 'demo.owner.bigdata']) await app.login(username, DEMO_PASSWORD);
    const water = await app.login('demo.owner.water', DEMO_PASSWORD);
    const own = (await app.call('GET', '/api/assets?limit=100', { token: water })).body.items as { department: string }[];
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((a) => a.department === '水务局')).toBe(true);
  });

  it('puts a day of events, every one within the last 24 hours, on the charts', async () => {
    const all = await count();
    expect(all).toBe(report.events);
    expect(await count(`&from=${new Date(loadedAt - 24 * HOUR - 60_000).toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}`)).toBe(all);
    const datasets = (await get('/api/events/counts?field=event.dataset&size=100')).buckets.map((b: { value: string }) => b.value);
    expect(datasets).toEqual(expect.arrayContaining(['iot.telemetry']));
    const labsz = await get('/api/events?filter=host.name:LabSZ&limit=1');
    expect(labsz.events[0].taishi.department).toBe('大数据中心');
    const situation = await get('/api/situation?range=24h');
    const perBucket = situation.alerts.timeline.starts.map((_: string, i: number) => Object.values(situation.alerts.timeline.levels as Record<string, number[]>).reduce((sum, series) => sum + series[i], 0));
    expect(perBucket.filter((n: number) => n > 0).length).toBeGreaterThanOrEqual(5);
  });

  it('raises the alerts of every scenario: brute force, web attack, silent device, data leak', async () => {
    const alerts = (await get('/api/alerts?limit=500')).items as { ruleId: string; assetId: string | null; groupKey: string }[];
    const assets = new Map(((await get('/api/assets?limit=100')).items as { id: string; name: string }[]).map((a) => [a.id, a.name]));
    const on = (ruleId: string) => alerts.filter((a) => a.ruleId === ruleId).map((a) => assets.get(a.assetId ?? '') ?? a.groupKey);
    expect(on(RULES.sshBruteForce)).toEqual(expect.arrayContaining(['运维堡垒机 LabSZ', '城北水厂 SCADA 工程师站']));
    expect(on(RULES.sshSuccessAfterBruteForce)).toContain('城北水厂 SCADA 工程师站');
    expect(on(RULES.webShell)).toContain('县政务服务网（门户网站）');
    expect(on(RULES.bulkDownload)).toContain('政务数据共享交换接口');
    expect(alerts.filter((a) => a.ruleId === RULES.deviceSilent).map((a) => a.groupKey)).toEqual(['device.id=wq-chlorine-03']);
  });

  it('sorts the whole alert list, not one page: pages of a sorted list continue each other', async () => {
    const all = (await get('/api/alerts?limit=500&sort=count:desc')).items as { id: string; count: number; level: string }[];
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((a) => a.count)).toEqual([...all.map((a) => a.count)].sort((x, y) => y - x));
    const paged = [...(await get('/api/alerts?limit=5&sort=count:desc')).items, ...(await get('/api/alerts?limit=5&offset=5&sort=count:desc')).items];
    expect(paged.map((a: { id: string }) => a.id)).toEqual(all.slice(0, 10).map((a) => a.id));
    const rank = ['informational', 'low', 'medium', 'high', 'critical'];
    const bySeverity = ((await get('/api/alerts?limit=500&sort=level:desc')).items as { level: string }[]).map((a) => rank.indexOf(a.level));
    expect(bySeverity).toEqual([...bySeverity].sort((x, y) => y - x));
    expect((await app.call('GET', '/api/alerts?sort=eventIds:desc', { token: analyst })).status).toBe(400);
  });

  it('finds the personal data the data-sharing interface never declared, and stores it masked', async () => {
    const findings = (await get('/api/classification/findings')) as { assetName: string; kind: string; types: string[]; samples: string[] }[];
    const drift = findings.find((f) => f.assetName === '政务数据共享交换接口');
    expect(drift).toMatchObject({ kind: 'personal_on_none', types: expect.arrayContaining(['resident_id', 'mobile']) });
    expect(drift!.samples.every((s) => s.includes('*'))).toBe(true);
    const leaked = await get('/api/events?q=resident%2Fquery&limit=50');
    expect(leaked.events.length).toBeGreaterThan(10);
    for (const e of leaked.events) {
      expect(JSON.stringify(e)).not.toMatch(/339921\d{11}[\dX]/);
      expect(e.url.query).toMatch(/idcard=339921\*+/);
    }
  });

  it('runs the default compliance audit once, so the compliance panels have results at once', async () => {
    const runs = (await get('/api/compliance/runs')) as { items?: { status: string; trigger: string; summary: { byStatus: Record<string, number> } }[] } | { status: string; trigger: string; summary: { byStatus: Record<string, number> } }[];
    const list = Array.isArray(runs) ? runs : runs.items!;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'completed', trigger: 'cli' });
    expect(list[0].summary.byStatus.pass).toBeGreaterThan(0);
    expect(list[0].summary.byStatus.fail).toBeGreaterThan(0);
    const situation = await get('/api/situation');
    expect(situation.sections.compliance.run).toMatchObject({ profileName: expect.stringContaining('全部控制项') });
    expect(situation.sections.compliance.byLaw.length).toBeGreaterThan(3);
  });

  it('leaves incidents in a mix of states and grades, with protect tickets from a review', async () => {
    const incidents = (await get('/api/incidents?kind=incident&limit=100')).items as {
      key: string;
      title: string;
      state: string;
      grade: string;
      gradeSource: string;
      gradeReason: string | null;
      assigneeId: string | null;
      assetIds: string[];
      proposal: { grade: string } | null;
      assessment: { status: string };
    }[];
    for (const state of ['new', 'acknowledged', 'containment', 'closed']) expect(incidents.map((i) => i.state)).toContain(state);
    // One intrusion, one incident (issue 14): every alert on the SCADA station is in one incident,
    // proposed 较大 for the CII asset and waiting for the analyst's assessment, not yet graded.
    const assets = new Map(((await get('/api/assets?limit=100')).items as { id: string; name: string }[]).map((a) => [a.name, a.id]));
    const scada = incidents.filter((i) => i.assetIds.includes(assets.get('城北水厂 SCADA 工程师站')!) && !['duplicate', 'closed'].includes(i.state));
    expect(scada).toHaveLength(1);
    expect(scada[0]).toMatchObject({ state: 'new', grade: 'general', gradeSource: 'proposal', proposal: { grade: 'relatively_major' }, assessment: { status: 'pending' } });
    const portal = incidents.filter((i) => i.assetIds.includes(assets.get('县政务服务网（门户网站）')!) && i.state !== 'duplicate');
    expect(portal).toHaveLength(1);
    // A county portal with a web shell, no outage and no defacement: 一般 by the annex.
    expect(portal[0]).toMatchObject({ state: 'containment', grade: 'general' });
    expect(incidents.filter((i) => i.grade === 'general').length).toBeGreaterThanOrEqual(2);
    // No legal clock without an outage, a leak or a confirmed grade: here only the leak's.
    const clocks = (await get('/api/incidents/clocks')) as { incident: { title: string }; clock: string }[];
    expect(clocks.map((c) => [c.incident.title, c.clock])).toEqual([['政务数据共享交换接口居民个人信息被批量导出', 'initial_report']]);
    const leak = incidents.find((i) => i.title === '政务数据共享交换接口居民个人信息被批量导出');
    expect(leak).toMatchObject({ state: 'acknowledged', grade: 'relatively_major', gradeSource: 'analyst', gradeReason: expect.stringContaining('居民身份证号') });
    expect(leak!.assigneeId).not.toBeNull();
    expect(incidents.find((i) => i.title === '城北水厂出厂水余氯监测仪停止上报')?.state).toBe('acknowledged');
    const protect = (await get('/api/incidents?kind=protect')).items as { title: string; state: string }[];
    expect(protect.map((p) => p.title)).toEqual(expect.arrayContaining(['堡垒机关闭口令登录，仅允许密钥加双因素认证']));
    const water = await app.login('demo.owner.water', DEMO_PASSWORD);
    const theirs = (await app.call('GET', '/api/incidents?kind=incident&limit=100', { token: water })).body.items as { title: string }[];
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.some((i) => i.title.includes('城北水厂'))).toBe(true);
    expect(theirs.some((i) => i.title.includes('县政务服务网'))).toBe(false);
  });

  it('sorts the whole incident list by grade, priority or state, most serious first, and pages continue each other', async () => {
    const list = async (query: string) => (await get(`/api/incidents?kind=incident&limit=100&${query}`)).items as { key: string; grade: string; priority: string; state: string }[];
    const gradeRank = ['unrated', 'general', 'relatively_major', 'major', 'especially_major'];
    const byGrade = (await list('sort=grade:desc')).map((i) => gradeRank.indexOf(i.grade));
    expect(new Set(byGrade).size).toBeGreaterThan(1);
    expect(byGrade).toEqual([...byGrade].sort((x, y) => y - x));
    const byPriority = (await list('sort=priority:asc')).map((i) => Number(i.priority.slice(1)));
    // Ascending by urgency: the least urgent (p4) first.
    expect(byPriority).toEqual([...byPriority].sort((x, y) => y - x));
    const states = ['new', 'acknowledged', 'confirmed', 'containment', 'eradication', 'recovery', 'verification', 'closed', 'false_positive', 'benign', 'duplicate'];
    const byState = (await list('sort=state:asc')).map((i) => states.indexOf(i.state));
    expect(byState).toEqual([...byState].sort((x, y) => x - y));
    const all = await list('sort=grade:desc');
    const page = async (offset: number) => (await get(`/api/incidents?kind=incident&sort=grade:desc&limit=3&offset=${offset}`)).items as { key: string }[];
    const paged = [...(await page(0)), ...(await page(3))];
    expect(paged.map((i) => i.key)).toEqual(all.slice(0, 6).map((i) => i.key));
    expect((await app.call('GET', '/api/incidents?sort=description:desc', { token: analyst })).status).toBe(400);
  });

  it('adds nothing twice when run again: no new accounts, assets or incidents, only the traffic since', async () => {
    const admin = await app.login('admin', ADMIN_PASSWORD);
    const before = {
      users: (await app.call('GET', '/api/users', { token: admin })).body.length,
      assets: (await get('/api/assets?limit=1')).total,
      incidents: (await get('/api/incidents?limit=1')).total,
      events: await count(),
    };
    const again = await loadDemo(demoServices((type) => app.running.app.get(type)), { caller });
    expect(again).toMatchObject({ mode: 'top-up', users: { created: [] }, assets: { created: 0 }, problems: [] });
    expect(again.from).toBe(report.until);
    expect((await app.call('GET', '/api/users', { token: admin })).body.length).toBe(before.users);
    expect((await get('/api/assets?limit=1')).total).toBe(before.assets);
    expect((await get('/api/incidents?limit=1')).total).toBe(before.incidents);
    expect(await count()).toBe(before.events + again.events);
  });

  it('delivers an event over HTTP or in-process under the same id, so a repeat is stored once', async () => {
    const attack = liveAttack(Date.now() - 60_000, 0);
    const alreadyLoaded = background(loadedAt - 20 * HOUR, loadedAt - 19 * HOUR, report.silence);
    expect(alreadyLoaded.length).toBeGreaterThan(50);
    const feed = await HttpFeed.open(app.running.app.get(UsersService), app.baseUrl, caller);
    try {
      const before = await count();
      await feed.deliver([...attack, ...alreadyLoaded]);
      expect(await count()).toBe(before + attack.length);
      await ingestRecords(app.running.app.get(IngestService), attack);
      expect(await count()).toBe(before + attack.length);
    } finally {
      await feed.close();
    }
  });

  it('refuses a database that holds systems it did not register, unless forced', async () => {
    const admin = await app.login('admin', ADMIN_PASSWORD);
    await listDepartments(app, admin, '财政局');
    expect((await app.call('POST', '/api/assets', { token: admin, body: { name: '县财政一体化平台', type: 'server', department: '财政局' } })).status).toBe(201);
    await expect(loadDemo(demoServices((type) => app.running.app.get(type)), { caller })).rejects.toThrow(DemoRefusedError);
    await expect(loadDemo(demoServices((type) => app.running.app.get(type)), { caller, force: true })).resolves.toMatchObject({ mode: 'top-up' });
  });
});

describe('taishi demo (command line)', () => {
  const [embedded] = testDatabaseTargets();
  const root = path.resolve(import.meta.dirname, '../..');
  const scratch: { databaseUrl: string; dataDir: string }[] = [];
  const freshInstallation = async () => {
    const installation = { databaseUrl: await createTestDatabase(embedded.adminUrl), dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-demo-cli-')) };
    scratch.push(installation);
    return installation;
  };
  afterAll(async () => {
    for (const { databaseUrl, dataDir } of scratch) {
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  /** Runs the CLI without blocking this process, which may be serving the API the CLI talks to. */
  const taishi = (installation: { databaseUrl: string; dataDir: string }, env: Record<string, string>, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/taishi.js', ...args], {
        cwd: root,
        env: { PATH: process.env.PATH, DATABASE_URL: installation.databaseUrl, TAISHI_DATA_DIR: installation.dataDir, TAISHI_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it('loads the city with the service stopped, prints the logins, and only tops up the second time', async () => {
    const installation = await freshInstallation();
    const first = await taishi(installation, { TAISHI_PORT: '1' }, 'demo');
    expect(first.stderr).toMatch(/事件 Events .*100%/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/演示城市已载入，用时 [\d.]+ 秒/);
    expect(first.stdout).toMatch(/资产 Assets: 23/);
    expect(first.stdout).toContain('demo.owner.water');
    expect(first.stdout).toContain(DEMO_PASSWORD);
    expect(first.stdout).toMatch(/服务未运行/);
    const second = await taishi(installation, { TAISHI_PORT: '1' }, 'demo');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/演示城市已续载/);
  }, 120_000);

  // The first run a new user makes: service started on an empty installation, then the demo.
  it('with the service running, sends live traffic through its HTTP collector at once, attributed to the systems it just registered', async () => {
    const installation = await freshInstallation();
    // One installation: the service and the command share its data folder (and so its audit key).
    const app = await startTestApp(embedded.adminUrl, {}, installation);
    try {
      const { port } = app.running.app.getHttpServer().address() as AddressInfo;
      const started = Date.now();
      const run = await taishi(installation, { TAISHI_PORT: String(port), TAISHI_HOST: '127.0.0.1' }, 'demo');
      expect(run.status).toBe(0);
      // The service heard of the new systems when they were registered: no waiting for a cache.
      expect(run.stdout).not.toMatch(/等待|waiting/);
      const sent = Number(/实时流量：(\d+) 条事件/.exec(run.stdout)?.[1]);
      expect(sent).toBeGreaterThan(20);
      const http = app.running.app.get(IngestService).collectorTotals().find((c) => c.collector === 'http');
      expect(http?.received).toBe(sent);
      const analyst = await app.login('demo.analyst', DEMO_PASSWORD);
      const live = await app.call('GET', `/api/events?from=${new Date(started - 16 * 60_000).toISOString()}&filter=event.dataset:iot.telemetry&limit=200`, { token: analyst });
      expect(live.body.events.length).toBeGreaterThan(0);
      expect(live.body.events.every((e: { taishi?: { asset_id?: string } }) => e.taishi?.asset_id)).toBe(true);
      const admin = await app.login('admin', ADMIN_PASSWORD);
      const keys = (await app.call('GET', '/api/api-keys', { token: admin })).body as { name: string; revokedAt: string | null }[];
      expect(keys.filter((k) => k.name === 'taishi-demo').map((k) => Boolean(k.revokedAt))).toEqual([true]);
    } finally {
      await app.close();
    }
  }, 180_000);
});
