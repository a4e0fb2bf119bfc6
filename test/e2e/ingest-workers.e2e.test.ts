import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { LiveDetection } from '../../src/detection/index.js';
import { IngestService } from '../../src/ingest/index.js';
import type { PipelinePool } from '../../src/ingest/pipeline-pool.js';

const [embedded] = testDatabaseTargets();
const RESIDENT_ID = '210102196306266755';

/** Large HTTP batches go to the ingest worker threads (the service runs the build's worker script: build first). */
describe('ingest on worker threads, into PostgreSQL', () => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let db: pg.Client;
  let ssh: string[];

  beforeAll(async () => {
    app = await startTestApp(embedded.adminUrl, { TAISHI_INGEST_WORKERS: '2' });
    users = await seedUsers(app);
    db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    ssh = (await readFile(new URL('../../fixtures/loghub/OpenSSH_2k.log', import.meta.url), 'utf8')).split('\n').filter(Boolean);
    // Until a worker has started, batches are processed on the main thread: these tests are about the workers.
    for (const deadline = Date.now() + 30_000; !pool().available && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool().available).toBe(true);
  });
  afterAll(async () => {
    await db.end();
    await app.stop();
  });

  const pool = () => app.running.app.get(IngestService)['pool'] as PipelinePool;
  const post = (source: string, lines: string[]) => app.call('POST', `/api/ingest?source=${source}`, { token: users.admin, rawBody: lines.join('\n'), headers: { 'content-type': 'text/plain' } });

  it('stores a large batch before answering, enriched with an asset registered just before, masked, noted and detected', async () => {
    // Registered after the workers started: the change must reach them before this batch.
    await app.call('POST', '/api/assets', { token: users.admin, body: { name: 'LabSZ 堡垒机', type: 'server', department: '水务局', addresses: ['labsz'], data: { personal: 'none' } } });
    const lines = [...ssh.slice(0, 1000), `Dec 10 11:00:00 LabSZ app[1]: 挂号成功 患者证件号=${RESIDENT_ID}，科室=内科`, 'Dec 10 11:00:01 rogue-nas kernel: disk 3 spun down'];
    const r = await post('labsz', lines);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(lines.length);
    // Durable, and visible, when the answer comes.
    const { rows } = await db.query<{ department: string | null; doc: string }>(`SELECT department, doc::text AS doc FROM events`);
    expect(rows).toHaveLength(lines.length);
    expect(rows.filter((row) => row.department === '水务局')).toHaveLength(lines.length - 1);
    const docs = rows.map((row) => row.doc).join('\n');
    expect(docs).not.toContain(RESIDENT_ID);
    expect(docs).toContain('210102********6755');

    const hosts = await app.call('GET', '/api/ingest/unregistered-hosts', { token: users.compliance.token });
    expect(hosts.body).toEqual([expect.objectContaining({ address: 'rogue-nas', kind: 'hostname', eventCount: 1 })]);
    const findings = await app.call('GET', '/api/classification/findings', { token: users.compliance.token });
    expect(findings.body).toEqual([expect.objectContaining({ assetName: 'LabSZ 堡垒机', kind: 'personal_on_none', eventCount: 1, types: ['resident_id'] })]);
    const recognition = await app.call('GET', '/api/ingest/recognition', { token: users.admin });
    const sshd = recognition.body.programs.find((p: { program: string }) => p.program === 'sshd');
    expect(sshd.totalLines).toBe(1000);

    await app.running.app.get(LiveDetection).settled();
    const rules = await app.call('GET', '/api/rules', { token: users.analyst.token });
    expect(rules.body.rules.find((rule: { id: string }) => rule.id.startsWith('4d9838f3')).matches).toBeGreaterThan(100);
    const alerts = await app.call('GET', '/api/alerts?limit=100', { token: users.analyst.token });
    expect(alerts.body.total).toBeGreaterThan(0);
    expect(alerts.body.items.every((a: { department: string }) => a.department === '水务局')).toBe(true);
  });

  it('processes a batch whose worker is lost midway on the main thread: answered, and stored exactly once', async () => {
    await db.query('TRUNCATE events');
    const workers = pool();
    const lines = ssh.slice(0, 2000);
    const answer = post('labsz', lines);
    const deadline = Date.now() + 10_000;
    while (workers.busy === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(workers.busy).toBe(1);
    // Stopping the workers ends the threads under the batch, as a crash would.
    await workers.close();
    const r = await answer;
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(2000);
    const ids = (await db.query<{ n: string; distinct: string }>(`SELECT count(*) AS n, count(DISTINCT id) AS distinct FROM events`)).rows[0];
    expect(ids).toEqual({ n: '2000', distinct: '2000' });
    // And the service goes on without its workers.
    expect((await post('labsz-after', ssh.slice(0, 300))).status).toBe(202);
    expect(Number((await db.query(`SELECT count(*) FROM events`)).rows[0].count)).toBe(2300);
  });
});
