import pg from 'pg';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';

describe.each(testDatabaseTargets())('API manners ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let admin: string;
  let apiKey: string;

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_BODY_LIMIT: '64kb' });
    admin = (await seedUsers(app)).admin;
    apiKey = (await app.call('POST', '/api/api-keys', { token: admin, body: { name: 'k', scopes: ['ingest'] } })).body.key;
  });
  afterAll(() => app.stop());

  it('health needs no credentials; readiness checks the database', async () => {
    expect(await app.call('GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await app.call('GET', '/health/ready')).toMatchObject({ status: 200, body: { checks: { database: 'up' } } });
  });

  it('answers malformed JSON with 400', async () => {
    const r = await app.call('POST', '/api/assets', { token: admin, rawBody: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expect(r).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/JSON/) } });
  });

  it('answers a body over the limit with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(70 * 1024), type: 'server', department: 'd' });
    const r = await app.call('POST', '/api/assets', { token: admin, rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    const upload = await app.call('POST', '/api/assets/import', { token: admin, rawBody: Buffer.alloc(70 * 1024, 0x41), headers: { 'content-type': 'text/csv' } });
    expect(upload.status).toBe(413);
  });

  it('answers unknown routes and bad ids in the same error shape', async () => {
    expect(await app.call('GET', '/api/nothing-here', { token: admin })).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
    const badId = await app.call('GET', '/api/assets/not-a-uuid', { token: admin });
    expect(badId).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
  });

  it('sends security headers', async () => {
    const r = await app.call('GET', '/health/live');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('x-powered-by')).toBeNull();
  });

  it('serves OpenAPI to logged-in users only', async () => {
    expect((await app.call('GET', '/api/docs-json')).status).toBe(401);
    expect((await app.call('GET', '/api/docs-json', { token: apiKey })).status).toBe(403);
    const doc = await app.call('GET', '/api/docs-json', { token: admin });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/assets', '/api/auth/login', '/api/audit/verify']));
    expect(doc.body.components.schemas.AssetInputDto.properties).toHaveProperty('mlps');
  });

  it('answers an unexpected failure with 500 and an errorId, never a stack trace', async () => {
    // Break the database behind the service's back: the next asset query fails in a way no handler expects.
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    await db.query('ALTER TABLE assets RENAME TO assets_gone');
    try {
      const r = await app.call('GET', '/api/assets', { token: admin });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: expect.any(String), errorId: expect.stringMatching(/^[0-9a-f-]{36}$/), code: 'request.unexpected', params: { errorId: expect.any(String) } });
      expect(JSON.stringify(r.body)).not.toMatch(/assets|QueryFailed|at \w+ \(/);
    } finally {
      await db.query('ALTER TABLE assets_gone RENAME TO assets');
      await db.end();
    }
  });
});
