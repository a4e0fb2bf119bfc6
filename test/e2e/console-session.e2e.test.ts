import { testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { buildConsole } from '../support/browser.js';

/** The session cookie a response set, as `name=value`. */
function sessionCookie(headers: Headers): string | undefined {
  return headers.getSetCookie().find((c) => c.startsWith('taishi_session='))?.split(';')[0];
}

describe.each(testDatabaseTargets())('console serving and cookie sessions ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_CONSOLE_DIR: await buildConsole() });
    users = await seedUsers(app);
  });
  afterAll(() => app.stop());

  const cookieLogin = async (username = 'admin', password = ADMIN_PASSWORD) => {
    const r = await app.call('POST', '/api/auth/login', { body: { username, password, cookie: true }, headers: { 'x-taishi-csrf': '1' } });
    expect(r.status).toBe(200);
    return { response: r, cookie: sessionCookie(r.headers)! };
  };

  it('serves the page at / with a strict Content-Security-Policy, and its scripts and ECharts locally', async () => {
    const page = await fetch(`${app.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    expect(html).toContain('/assets/main.js');
    expect(html).not.toMatch(/<script>|style=|https?:\/\//);
    const main = await fetch(`${app.baseUrl}/assets/main.js`);
    expect(main.status).toBe(200);
    expect(main.headers.get('content-type')).toMatch(/javascript/);
    const echarts = await fetch(`${app.baseUrl}/assets/vendor/echarts.min.js`);
    expect(echarts.status).toBe(200);
    expect((await echarts.text()).length).toBeGreaterThan(500_000);
    expect((await fetch(`${app.baseUrl}/assets/styles.css`)).headers.get('content-type')).toMatch(/text\/css/);
  });

  it('leaves the API, health and unknown asset paths alone', async () => {
    expect((await fetch(`${app.baseUrl}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/assets/../../package.json`)).status).toBe(404);
    const health = await fetch(`${app.baseUrl}/health/live`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const api = await fetch(`${app.baseUrl}/api/alerts`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-security-policy')).not.toContain("style-src 'self';");
  });

  it('puts the session in an HttpOnly SameSite=Strict cookie and not in the answer, when asked', async () => {
    const { response } = await cookieLogin();
    expect(response.body).toEqual({ expiresAt: expect.any(String), session: 'cookie' });
    const set = response.headers.getSetCookie().find((c) => c.startsWith('taishi_session='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\//);
    // Plain http here, so not Secure; behind https (req.secure) it is.
    expect(set).not.toMatch(/Secure/);
  });

  it('refuses a cookie login without the anti-forgery header', async () => {
    const r = await app.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD, cookie: true } });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/X-Taishi-CSRF/i);
    expect(sessionCookie(r.headers)).toBeUndefined();
  });

  it('authenticates reads by cookie, and changes only with the X-Taishi-CSRF header', async () => {
    const { cookie } = await cookieLogin();
    const me = await app.call('GET', '/api/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'admin', sessionExpiresAt: expect.any(String), timeZone: null });
    const body = { name: 'csrf-probe', type: 'server', department: '水务局' };
    const forged = await app.call('POST', '/api/assets', { headers: { cookie }, body });
    expect(forged.status).toBe(403);
    expect(forged.body.message).toMatch(/x-taishi-csrf/i);
    expect((await app.call('GET', '/api/assets', { token: users.admin })).body.total).toBe(0);
    const allowed = await app.call('POST', '/api/assets', { headers: { cookie, 'x-taishi-csrf': '1' }, body });
    expect(allowed.status).toBe(201);
  });

  it('keeps the bearer path as it was: no header needed, and the bearer wins over a cookie', async () => {
    const r = await app.call('PATCH', '/api/auth/me', { token: users.analyst.token, body: { displayName: 'Analyst One' } });
    expect(r.status).toBe(200);
    const { cookie } = await cookieLogin();
    const me = await app.call('GET', '/api/auth/me', { token: users.analyst.token, headers: { cookie } });
    expect(me.body.username).toBe('analyst1');
  });

  it('never takes an API key from a cookie', async () => {
    const key = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'cookie-probe', scopes: ['ingest'] } })).body.key as string;
    const r = await app.call('POST', '/api/ingest', { headers: { cookie: `taishi_session=${key}`, 'x-taishi-csrf': '1', 'content-type': 'application/json' }, rawBody: '{"message":"x"}' });
    expect(r.status).toBe(401);
  });

  it('opens the API documentation to a browser logged in by cookie', async () => {
    const { cookie } = await cookieLogin();
    expect((await app.call('GET', '/api/docs-json')).status).toBe(401);
    const docs = await app.call('GET', '/api/docs-json', { headers: { cookie } });
    expect(docs.status).toBe(200);
    expect(docs.body.paths['/api/situation']).toBeDefined();
  });

  it('logout ends the session and clears the cookie; a dead cookie is cleared with the 401', async () => {
    const { cookie } = await cookieLogin();
    const out = await app.call('POST', '/api/auth/logout', { headers: { cookie, 'x-taishi-csrf': '1' } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => /^taishi_session=;/.test(c) && /Expires=Thu, 01 Jan 1970/.test(c))).toBe(true);
    const after = await app.call('GET', '/api/auth/me', { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(after.headers.getSetCookie().some((c) => /^taishi_session=;/.test(c))).toBe(true);
  });

  it('remembers a display time zone per user and refuses an unknown one', async () => {
    const set = await app.call('PATCH', '/api/auth/me', { token: users.ownerA.token, body: { timeZone: 'Asia/Urumqi' } });
    expect(set.status).toBe(200);
    expect(set.body.timeZone).toBe('Asia/Urumqi');
    expect((await app.call('GET', '/api/auth/me', { token: users.ownerA.token })).body.timeZone).toBe('Asia/Urumqi');
    const bad = await app.call('PATCH', '/api/auth/me', { token: users.ownerA.token, body: { timeZone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/timeZone/);
    const reset = await app.call('PATCH', '/api/auth/me', { token: users.ownerA.token, body: { timeZone: null } });
    expect(reset.body.timeZone).toBeNull();
  });
});
