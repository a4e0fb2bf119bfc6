import pg from 'pg';
import { testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';

describe.each(testDatabaseTargets())('authentication ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(adminUrl);
  });
  afterAll(() => app.stop());

  it('logs in with the initial admin password and answers token and expiry', async () => {
    const r = await app.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(r.status).toBe(200);
    expect(r.body.token).toMatch(/^tss_/);
    expect(new Date(r.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const me = await app.call('GET', '/api/auth/me', { token: r.body.token });
    expect(me.body).toMatchObject({ username: 'admin', role: 'admin' });
    expect(me.body.passwordHash).toBeUndefined();
  });

  it('answers the same 401 for a wrong password and an unknown user', async () => {
    const wrong = await app.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'nope' } });
    const unknown = await app.call('POST', '/api/auth/login', { body: { username: 'nobody', password: 'nope' } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('locks an account after 5 failed logins, refuses even the right password, and unlocks after the lock time', async () => {
    await seedUsers(app);
    const attempt = (password: string) => app.call('POST', '/api/auth/login', { body: { username: 'analyst1', password } });
    for (let i = 0; i < 4; i++) expect((await attempt('wrong-password')).status).toBe(401);
    expect((await attempt('analyst1-password-1')).status).toBe(200); // success resets the counter
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const locked = await attempt('analyst1-password-1');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: 'auth.locked_out', message: expect.stringMatching(/锁定至/) });
    // Let the lock run out instead of waiting 15 minutes.
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    await db.query(`UPDATE login_lockouts SET locked_until = now() - interval '1 second' WHERE account = 'analyst1'`);
    await db.end();
    expect((await attempt('analyst1-password-1')).status).toBe(200);
  });

  it('logout revokes the token', async () => {
    const token = await app.login('admin', ADMIN_PASSWORD);
    expect((await app.call('GET', '/api/auth/me', { token })).status).toBe(200);
    expect((await app.call('POST', '/api/auth/logout', { token })).status).toBe(204);
    expect((await app.call('GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('shows an API key once, stores only its hash, and refuses it after revocation', async () => {
    const admin = await app.login('admin', ADMIN_PASSWORD);
    const created = await app.call('POST', '/api/api-keys', { token: admin, body: { name: 'syslog-relay', scopes: ['ingest'] } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^tsk_/);
    const listed = await app.call('GET', '/api/api-keys', { token: admin });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    const stored = await db.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);
    await db.end();
    expect(stored.rows[0].key_hash).not.toContain(key.slice(4));
    // An ingest key is a real credential, but only for ingest routes.
    expect((await app.call('GET', '/api/assets', { token: key })).status).toBe(403);
    expect((await app.call('DELETE', `/api/api-keys/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await app.call('GET', '/api/assets', { token: key })).status).toBe(401);
  });

  it('rejects an unknown scope', async () => {
    const admin = await app.login('admin', ADMIN_PASSWORD);
    const r = await app.call('POST', '/api/api-keys', { token: admin, body: { name: 'x', scopes: ['everything'] } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/scopes/);
  });
});
