import { RunsService } from '../../src/compliance/index.js';
import { LiveDetection } from '../../src/detection/index.js';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { bastionAttack } from '../support/city-logs.js';

const HOUR = 3_600_000;

/** The incidents and compliance modules' sections of GET /api/situation, filled from their real services. */
describe.each(testDatabaseTargets())('situation sections from incidents and compliance ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  const situation = (token: string) => app.call('GET', '/api/situation', { token }).then((r) => r.body);

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    users = await seedUsers(app);
  });
  afterAll(() => app.stop());

  it('counts open incidents by grade and phase, confined to the owner’s department, and scores breached targets', async () => {
    const bastion = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '供水调度堡垒机', type: 'server', addresses: ['zw-bastion'], criticality: 'high' } });
    expect(bastion.status).toBe(201);
    expect((await app.call('POST', '/api/ingest', { token: users.admin, rawBody: bastionAttack(), headers: { 'content-type': 'text/plain' } })).status).toBe(202);
    await app.running.app.get(LiveDetection).settled();
    // Detected five hours ago and never acknowledged: the 4-hour acknowledge target of an unrated incident is breached.
    const late = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '门户疑似被篡改', category: 'network_attack', detectedAt: new Date(Date.now() - 5 * HOUR).toISOString() } });
    expect(late.status).toBe(201);
    // Another one being worked: in containment, the respond phase.
    const working = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '停车平台弱口令', category: 'network_attack' } });
    for (const to of ['acknowledged', 'confirmed', 'containment']) expect((await app.call('POST', `/api/incidents/${working.body.key}/transitions`, { token: users.analyst.token, body: { to } })).status).toBe(200);

    const open = (await app.call('GET', '/api/incidents?kind=incident&open=true&limit=500', { token: users.admin })).body.items as { grade: string; departments: string[]; sla: { status: string }[] }[];
    const byGrade = (list: typeof open) => list.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.grade]: (acc[i.grade] ?? 0) + 1 }), {});
    expect(open.length).toBeGreaterThanOrEqual(2);

    const staff = await situation(users.analyst.token);
    expect(staff.sections.incidents.open).toBe(open.length);
    expect(staff.sections.incidents.byGrade).toMatchObject(byGrade(open));
    expect(staff.sections.incidents.byPhase.respond).toBe(1);
    expect(staff.sections.incidents.byPhase.detect).toBe(open.length - 1);
    const breached = open.flatMap((i) => i.sla).filter((s) => s.status === 'breached').length;
    expect(breached).toBeGreaterThanOrEqual(1);
    expect(staff.sections.incidents.slaBreached).toBe(breached);
    expect(staff.posture.reasons).toContainEqual({ code: 'sla_breached', points: Math.min(15, 5 * breached), params: { count: breached } });

    const water = await situation(users.ownerA.token);
    expect(water.sections.incidents.open).toBe(open.filter((i) => i.departments.includes('水务局')).length);
    expect(water.sections.incidents.open).toBeGreaterThanOrEqual(1);
    expect((await situation(users.ownerB.token)).sections.incidents.open).toBe(0);
  });

  it('lists running reporting clocks, most urgent first, for the roles that may read them, and deducts for an overdue report', async () => {
    const scada = await app.call('POST', '/api/assets', {
      token: users.admin,
      body: { name: '供水调度系统', type: 'server', department: '水务局', addresses: ['10.1.0.5'], cii: { designated: true, designationRef: '关保〔2025〕1号' }, mlps: { level: 3 } },
    });
    expect(scada.status).toBe(201);
    // A CII incident graded 重大 and discovered two hours ago: its one-hour initial-report clock is overdue.
    const leak = await app.call('POST', '/api/incidents', {
      token: users.analyst.token,
      body: { title: '调度系统数据外泄', category: 'data_security', assetIds: [scada.body.id], detectedAt: new Date(Date.now() - 2 * HOUR).toISOString() },
    });
    expect(leak.status).toBe(201);
    expect((await app.call('POST', `/api/incidents/${leak.body.key}/grade`, { token: users.analyst.token, body: { grade: 'major', reason: '约 20 万用户信息外泄' } })).status).toBe(200);

    const clocks = (await app.call('GET', '/api/incidents/clocks', { token: users.compliance.token })).body as { incident: { key: string }; notice: string | null }[];
    const s = await situation(users.compliance.token);
    expect(s.sections.clocks.total).toBe(clocks.length);
    expect(s.sections.clocks.items[0]).toMatchObject({ clock: 'initial_report', notice: 'overdue', incident: { key: leak.body.key, grade: 'major', title: '调度系统数据外泄' } });
    expect(s.sections.clocks.items[0].incident).not.toHaveProperty('watcherIds');
    expect(s.sections.clocks.overdue).toBe(clocks.filter((c) => c.notice === 'overdue').length);
    expect(s.posture.reasons).toContainEqual({ code: 'reporting_overdue', points: 10 * s.sections.clocks.overdue, params: { count: s.sections.clocks.overdue } });
    // Owners may not read the clocks on the incidents API, so the situation leaves them out too.
    expect((await situation(users.ownerA.token)).sections).not.toHaveProperty('clocks');
  });

  it('gives the latest completed audit’s results per law, counted over what the caller may see', async () => {
    const empty = await situation(users.compliance.token);
    expect(empty.sections.compliance).toEqual({ run: null, byLaw: [] });
    const [profile] = (await app.call('GET', '/api/compliance/profiles', { token: users.compliance.token })).body;
    const started = await app.call('POST', '/api/compliance/runs', { token: users.compliance.token, body: { profileId: profile.id } });
    expect(started.status).toBe(202);
    const run = await app.running.app.get(RunsService).settled(started.body.id);
    expect(run.status).toBe('completed');

    const report = (await app.call('GET', `/api/compliance/runs/${run.id}/report?format=json`, { token: users.compliance.token })).body;
    const s = await situation(users.analyst.token);
    expect(s.sections.compliance.run).toEqual({ id: run.id, profileName: run.profileName, finishedAt: run.finishedAt });
    expect(s.sections.compliance.byStatus).toEqual(report.summary.byStatus);
    expect(s.sections.compliance.byLaw).toEqual(report.summary.byLaw.map((l: { source: string; controls: number; counts: object }) => ({ source: l.source, controls: l.controls, counts: l.counts })));
    expect(s.sections.compliance.byLaw.length).toBeGreaterThan(3);

    // An owner's counts cover their department's assets only, never the organisation-wide checks.
    const water = await situation(users.ownerA.token);
    const results = (await app.call('GET', `/api/compliance/runs/${run.id}/results`, { token: users.ownerA.token })).body as { status: string }[];
    expect(water.sections.compliance.byStatus.total).toBe(results.length);
    expect(water.sections.compliance.byStatus.total).toBeLessThan(s.sections.compliance.byStatus.total);
    expect((await situation(users.ownerB.token)).sections.compliance.byStatus.total).toBe(0);
  });
});
