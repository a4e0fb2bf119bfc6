import { request } from 'node:http';
import pg from 'pg';
import { FakeClock } from '../../src/shared/index.js';
import { testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';

/**
 * Login abuse: nobody on the network can lock the administrator out, the answers do not tell
 * which names exist, a flood of logins cannot hold up the collectors, and a stolen session cannot
 * guess the password through the "change my password" form.
 */
const [embedded] = testDatabaseTargets();

/** A login from a chosen loopback address, so one test can play several sources. */
function loginFrom(app: TestApp, localAddress: string, username: string, password: string): Promise<{ status: number; body: any; retryAfter?: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = request(`${app.baseUrl}/api/auth/login`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), retryAfter: res.headers['retry-after'] as string | undefined, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}


describe('login abuse (security)', () => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    app = await startTestApp(embedded.adminUrl);
    users = await seedUsers(app);
  });
  afterAll(() => app.stop());

  it('five failed logins from one address lock that address out of admin, not the administrator at another', async () => {
    for (let i = 0; i < 5; i++) expect((await loginFrom(app, '127.0.0.2', 'admin', 'guess')).status).toBe(401);
    const fromAttacker = await loginFrom(app, '127.0.0.2', 'admin', ADMIN_PASSWORD);
    expect(fromAttacker.status).toBe(423);
    expect((await loginFrom(app, '127.0.0.1', 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('answers unknown, disabled and locked names exactly like known ones, with the same password work', async () => {
    await app.call('POST', '/api/users', { token: users.admin, body: { username: 'gone', role: 'analyst', password: 'gone-password-12' } });
    const gone = (await app.call('GET', '/api/users', { token: users.admin })).body.find((u: { username: string }) => u.username === 'gone');
    expect((await app.call('PATCH', `/api/users/${gone.id}`, { token: users.admin, body: { disabled: true } })).status).toBe(200);
    const timings: Record<string, number[]> = { known: [], unknown: [], disabled: [] };
    const answers = new Set<string>();
    for (let round = 0; round < 4; round++) {
      for (const [kind, name, source] of [['known', 'analyst1', '127.0.0.3'], ['unknown', 'nobody-here', '127.0.0.4'], ['disabled', 'gone', '127.0.0.5']] as const) {
        const r = await loginFrom(app, source, name, 'wrong-password');
        answers.add(JSON.stringify([r.status, r.body]));
        timings[kind].push(r.ms);
      }
    }
    expect([...answers]).toHaveLength(1);
    // Every path hashes a password: no path answers in a fraction of another's time. The fastest
    // of each is compared, as the least disturbed by whatever else the machine is doing.
    const fastest = Object.values(timings).map((t) => Math.min(...t));
    expect(Math.max(...fastest) / Math.min(...fastest)).toBeLessThan(2);
    // The fifth failure locks each of them the same way, whether the name exists or not.
    const locked = await Promise.all([
      loginFrom(app, '127.0.0.3', 'analyst1', 'wrong-password').then(() => loginFrom(app, '127.0.0.3', 'analyst1', 'analyst1-password-1')),
      loginFrom(app, '127.0.0.4', 'nobody-here', 'wrong-password').then(() => loginFrom(app, '127.0.0.4', 'nobody-here', 'whatever')),
    ]);
    expect(locked.map((r) => r.status)).toEqual([423, 423]);
    expect(locked.map((r) => r.body.code)).toEqual(['auth.locked_out', 'auth.locked_out']);
    expect(locked[0].body.message.replace(locked[0].body.params.until, '')).toBe(locked[1].body.message.replace(locked[1].body.params.until, ''));
  });

  it('throttles one address trying many names, with Retry-After, before any password work', async () => {
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await loginFrom(app, '127.0.0.6', `spray-${i}`, 'Summer2026!'));
    expect(results.slice(0, 20).every((r) => r.status === 401)).toBe(true);
    expect(results[20].status).toBe(429);
    expect(Number(results[20].retryAfter)).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await loginFrom(app, '127.0.0.7', 'analyst1', 'analyst1-password-1')).status).toBe(200);
  });

  it('a flood of 30 concurrent logins does not hold up a collector', async () => {
    const key = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'flood-test', scopes: ['ingest'] } })).body.key as string;
    const ingest = async () => {
      const started = performance.now();
      const r = await app.call('POST', '/api/ingest', { token: key, rawBody: JSON.stringify({ message: 'collector line during a login flood' }), headers: { 'content-type': 'application/x-ndjson' } });
      expect(r.status).toBe(202);
      return performance.now() - started;
    };
    await ingest(); // warm the key cache
    const flood = Array.from({ length: 30 }, (_, i) => loginFrom(app, `127.0.1.${i + 1}`, `flood-${i}`, 'x'.repeat(12)));
    const during = await ingest();
    const answers = await Promise.all(flood);
    expect(during).toBeLessThan(1_000);
    // Beyond the password checks that may run or wait, the rest are turned away at once.
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(answers.every((r) => r.status === 401 || r.status === 429)).toBe(true);
  });

  it('a wrong current password when changing one’s own counts towards the lockout and is audited', async () => {
    const token = await app.login('compliance1', 'compliance1-password-1');
    for (let i = 0; i < 5; i++) {
      const r = await app.call('PATCH', '/api/auth/me', { token, body: { currentPassword: 'not-it', newPassword: 'a-new-password-1' } });
      expect(r.status).toBe(401);
    }
    const sixth = await app.call('PATCH', '/api/auth/me', { token, body: { currentPassword: 'compliance1-password-1', newPassword: 'a-new-password-1' } });
    expect(sixth.status).toBe(423);
    const audit = await app.call('GET', '/api/audit?actor=compliance1&limit=20', { token: users.admin });
    expect(audit.body.filter((r: { action: string; outcome: string }) => r.action === 'user.password-change' && r.outcome === 'failure')).toHaveLength(6);
  });
});

describe('API keys while the database is unreachable (security)', () => {
  it('a key verified before keeps working past its cache time; an unknown one gets 503 with Retry-After, not 500', async () => {
    const clock = new FakeClock(new Date());
    const app = await startTestApp(embedded.adminUrl, {}, undefined, { clock });
    try {
      const { admin } = await seedUsers(app);
      const known = (await app.call('POST', '/api/api-keys', { token: admin, body: { name: 'known', scopes: ['ingest'] } })).body.key as string;
      const fresh = (await app.call('POST', '/api/api-keys', { token: admin, body: { name: 'fresh', scopes: ['ingest'] } })).body.key as string;
      const send = (key: string) => app.call('POST', '/api/ingest', { token: key, rawBody: JSON.stringify({ message: 'line' }), headers: { 'content-type': 'application/x-ndjson' } });
      expect((await send(known)).status).toBe(202);
      await clock.advance(10 * 60_000); // far past the 30 s cache
      const db = new pg.Client({ connectionString: app.databaseUrl });
      await db.connect();
      // The key table out of reach: what an outage looks like to the key lookup.
      await db.query('ALTER TABLE api_keys RENAME TO api_keys_away');
      try {
        expect((await send(known)).status).toBe(202);
        const unknown = await send(fresh);
        expect(unknown.status).toBe(503);
        expect(unknown.headers.get('retry-after')).toBe('5');
      } finally {
        await db.query('ALTER TABLE api_keys_away RENAME TO api_keys');
        await db.end();
      }
    } finally {
      await app.stop();
    }
  });
});
