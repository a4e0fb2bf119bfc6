import { testDatabaseTargets } from '../support/databases.js';
import { listDepartments, seedUsers, startTestApp, type TestApp } from '../support/app.js';

const MINUTE = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
/** A hospital information system whose log format no parser knows, with patients' phone numbers in it. */
const his = (i: number) => `<14>1 ${ago(i * MINUTE)} his01 hisd 2201 - - patient query by 1381234${String(5000 + i).padStart(4, '0')} took ${i % 90} ms`;
const sshd = (i: number) => `<38>1 ${ago(i * MINUTE)} oa01 sshd 811 - - Failed password for root from 203.0.113.${i % 200} port ${40000 + i} ssh2`;

describe.each(testDatabaseTargets())('blind spots made visible ($name)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let key: string;

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    users = await seedUsers(app);
    await listDepartments(app, users.admin, '卫健局');
    key = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'county-relay', scopes: ['ingest'] } })).body.key;
    for (const [name, department] of [['his01', '卫健局'], ['oa01', '水务局']]) {
      expect((await app.call('POST', '/api/assets', { token: users.admin, body: { name, type: 'server', department, addresses: [name] } })).status).toBe(201);
    }
    const lines = [...Array.from({ length: 120 }, (_, i) => his(i + 1)), ...Array.from({ length: 150 }, (_, i) => sshd(i + 1))];
    const r = await app.call('POST', '/api/ingest?source=relay', { token: key, rawBody: lines.join('\n') + '\n', headers: { 'content-type': 'text/plain' } });
    expect(r.body).toMatchObject({ accepted: 270 });
  });
  afterAll(() => app.stop());

  it('GET /api/ingest/recognition gives per source and program the share read and the shapes of the rest, personal data masked', async () => {
    const r = await app.call('GET', '/api/ingest/recognition', { token: users.analyst.token });
    expect(r.status).toBe(200);
    expect(r.body.windowHours).toBe(24);
    const row = (program: string) => r.body.programs.find((p: { source: string; program: string }) => p.source === 'county-relay/relay' && p.program === program);
    expect(row('hisd')).toMatchObject({ lines: 120, recognised: 0, share: 0, shapes: [{ shape: 'patient query by <mobile> took <n> ms', count: 120 }] });
    expect(row('sshd')).toMatchObject({ lines: 150, recognised: 150, share: 1, shapes: [] });
    expect(JSON.stringify(r.body)).not.toMatch(/1381234\d{4}/);
    // A system owner sees only their own department's systems, so not this cross-department view.
    expect((await app.call('GET', '/api/ingest/recognition', { token: users.ownerA.token })).status).toBe(403);
  });

  it('/metrics carries the same tallies per source and program', async () => {
    const text = (await app.call('GET', '/metrics', { token: users.admin })).body as string;
    expect(text).toContain('# TYPE taishi_ingest_program_lines_total counter');
    expect(text).toContain('taishi_ingest_program_lines_total{program="hisd",source="county-relay/relay"} 120');
    expect(text).toContain('taishi_ingest_program_recognised_total{program="hisd",source="county-relay/relay"} 0');
    expect(text).toContain('taishi_ingest_program_recognised_total{program="sshd",source="county-relay/relay"} 150');
    expect(text).toContain('taishi_ingest_program_recognised_ratio{program="sshd",source="county-relay/relay"} 1');
  });

  it('the situation view lists the unreadable program and takes a posture point for it, for staff only', async () => {
    const staff = (await app.call('GET', '/api/situation', { token: users.analyst.token })).body;
    expect(staff.sections.recognition).toEqual({ windowHours: 24, programs: 2, blind: [{ source: 'county-relay/relay', program: 'hisd', lines: 120, share: 0 }] });
    expect(staff.posture.reasons).toContainEqual({ code: 'unreadable_programs', points: 1, params: { count: 1 } });
    const owner = (await app.call('GET', '/api/situation', { token: users.ownerA.token })).body;
    expect(owner.sections).not.toHaveProperty('recognition');
  });

  it('a registered system whose logs are mostly unrecognised becomes a compliance finding; one that is read does not', async () => {
    const profiles = (await app.call('GET', '/api/compliance/profiles', { token: users.compliance.token })).body as { id: string; isDefault: boolean }[];
    const started = await app.call('POST', '/api/compliance/runs', { token: users.compliance.token, body: { profileId: profiles.find((p) => p.isDefault)!.id } });
    expect(started.status).toBe(202);
    let run = started.body;
    for (let i = 0; i < 300 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await app.call('GET', `/api/compliance/runs/${started.body.id}`, { token: users.compliance.token })).body;
    }
    expect(run.status).toBe('completed');
    const results = (await app.call('GET', `/api/compliance/runs/${run.id}/results`, { token: users.compliance.token })).body as { controlId: string; subject: { name: string }; status: string; evidence: object; message: { en: string } }[];
    const readable = (name: string) => results.find((r) => r.controlId === 'CSL-21-LOG-READABLE' && r.subject.name === name);
    expect(readable('his01')).toMatchObject({ status: 'fail', evidence: { lines: 120, unrecognised: 120, unrecognisedPercent: 100 } });
    expect(readable('his01')!.message.en).toMatch(/the monitor cannot read this system/);
    expect(readable('oa01')).toMatchObject({ status: 'pass', evidence: { lines: 150, unrecognised: 0 } });
    const findings = (await app.call('GET', '/api/compliance/findings?status=open&limit=100', { token: users.compliance.token })).body.items as { controlId: string; subject: { name: string }; department: string }[];
    expect(findings.filter((f) => f.controlId === 'CSL-21-LOG-READABLE')).toEqual([expect.objectContaining({ subject: expect.objectContaining({ name: 'his01' }), department: '卫健局' })]);
  });
});
