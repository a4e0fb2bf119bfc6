import pg from 'pg';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';

describe.each(testDatabaseTargets())('audit trail ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let db: pg.Client;
  let admin: string;

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    admin = (await seedUsers(app)).admin;
    db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await app.stop();
  });

  it('records changes with actor, role, target, before/after, source IP, and never a secret', async () => {
    const created = await app.call('POST', '/api/assets', { token: admin, body: { name: '供水SCADA', type: 'server', department: '水务局', addresses: ['10.2.0.5'] } });
    await app.call('PATCH', `/api/assets/${created.body.id}`, { token: admin, body: { criticality: 'critical' } });
    const trail = await app.call('GET', `/api/audit?targetType=asset&targetId=${created.body.id}`, { token: admin });
    expect(trail.body.map((r: { action: string }) => r.action)).toEqual(['asset.update', 'asset.create']);
    const [update] = trail.body;
    expect(update).toMatchObject({ actor: 'admin', actorRole: 'admin', outcome: 'success', sourceIp: expect.stringMatching(/127\.0\.0\.1/) });
    expect(update.before.criticality).toBe('medium');
    expect(update.after.criticality).toBe('critical');
    const users = await app.call('GET', '/api/audit?targetType=user', { token: admin });
    expect(JSON.stringify(users.body)).not.toMatch(/password-1|scrypt\$/);
  });

  it('records failed and successful logins', async () => {
    await app.call('POST', '/api/auth/login', { body: { username: 'analyst1', password: 'not-it' } });
    const { rows } = await db.query(`SELECT actor, outcome, after FROM audit_log WHERE action = 'auth.login' AND actor = 'analyst1' ORDER BY id`);
    expect(rows.at(-1)).toMatchObject({ actor: 'analyst1', outcome: 'failure', after: { reason: 'wrong password' } });
    expect(rows.some((r) => r.outcome === 'success')).toBe(true);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on the trail', async () => {
    await expect(db.query(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });

  it('verify passes on an intact chain and names the first record edited behind the service', async () => {
    const intact = await app.call('GET', '/api/audit/verify', { token: admin });
    expect(intact.body).toMatchObject({ ok: true });
    expect(intact.body.checked).toBeGreaterThan(5);
    const { rows } = await db.query(`SELECT id FROM audit_log WHERE action = 'asset.update' ORDER BY id LIMIT 1`);
    // A superuser can switch triggers off; the hash chain still shows what was done.
    await db.query('BEGIN');
    await db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await db.query(`UPDATE audit_log SET after = jsonb_set(after, '{criticality}', '"low"') WHERE id = $1`, [rows[0].id]);
    await db.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    await db.query('COMMIT');
    const broken = await app.call('GET', '/api/audit/verify', { token: admin });
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstBroken).toEqual({ id: rows[0].id, reason: expect.stringMatching(/altered/) });
  });
});
