import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { login, startService, stopService, type Service } from '../support/service-process.js';

/**
 * Hostile request bodies against the service as it runs (its own process, so a stall shows as a
 * slow /health/live here): none may hold the event loop, and each is answered with a precise 4xx.
 */
const [embedded] = testDatabaseTargets();
const PASSWORD = 'request-stalls-admin-pw';

const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Sends a body and resolves with the status (or the socket error when the server hangs up mid-upload). */
function send(baseUrl: string, method: string, route: string, body: string, headers: Record<string, string> = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${baseUrl}${route}`, { method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(body);
  });
}

/** The slowest /health/live answer while `work` is in flight. */
async function slowestLivenessDuring(baseUrl: string, work: Promise<unknown>): Promise<number> {
  let done = false;
  void work.finally(() => (done = true));
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    const r = await fetch(`${baseUrl}/health/live`);
    expect(r.status).toBe(200);
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return slowest;
}

describe('hostile request bodies (security)', () => {
  let service: Service;
  let databaseUrl: string;
  let dataDir: string;
  let token: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase(embedded.adminUrl);
    dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-stalls-'));
    service = await startService({ DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: PASSWORD });
    token = await login(service.baseUrl, PASSWORD);
  });
  afterAll(async () => {
    await stopService(service);
    await dropTestDatabase(embedded.adminUrl, databaseUrl);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a 5 MB deeply nested body to the login is refused by size, and the service stays live', async () => {
    const hostile = send(service.baseUrl, 'POST', '/api/auth/login', nestedArrays(2_500_000));
    const slowest = await slowestLivenessDuring(service.baseUrl, hostile);
    expect(await hostile).toBe(413);
    expect(slowest).toBeLessThan(1_000);
  });

  it('an anonymous 9.8 MB body to a route that does not exist is refused unread', async () => {
    const hostile = send(service.baseUrl, 'POST', '/api/no-such-route', nestedArrays(4_900_000));
    const slowest = await slowestLivenessDuring(service.baseUrl, hostile);
    // 401 before the upload ends, or the connection closed under the sender: never a parsed body.
    expect([401, 'ECONNRESET', 'EPIPE']).toContain(await hostile);
    expect(slowest).toBeLessThan(1_000);
  });

  it('an authenticated body nested beyond the limit is a 400, never a stalled parse or a 500', async () => {
    const hostile = send(service.baseUrl, 'POST', '/api/assets', nestedArrays(400_000), { authorization: `Bearer ${token}` });
    const slowest = await slowestLivenessDuring(service.baseUrl, hostile);
    expect(await hostile).toBe(400);
    expect(slowest).toBeLessThan(1_000);
  });

  it.each([
    ['PATCH', '/api/auth/me'],
    ['POST', '/api/rules/exceptions'],
  ])('%s %s with a 120 KB nested object answers 400 (was a RangeError 500)', async (method, route) => {
    const body = JSON.stringify({ reason: 'x' }).replace('}', `,"displayName":${nestedObjects(20_000)}}`);
    expect(body.length).toBeGreaterThan(120_000);
    const r = await fetch(`${service.baseUrl}${route}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ statusCode: 400, code: 'request.body_too_deep', params: { limit: 64 }, message: expect.stringMatching(/嵌套超过 64 层|nests deeper than 64 levels/) });
  });

  it('an NDJSON batch reports a pathologically nested line by number and keeps the good ones', async () => {
    const key = (await (
      await fetch(`${service.baseUrl}/api/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'stalls', scopes: ['ingest'] }) })
    ).json()) as { key: string };
    const body = [JSON.stringify({ message: 'first good line' }), nestedArrays(300_000), JSON.stringify({ message: 'second good line' })].join('\n');
    const r = await fetch(`${service.baseUrl}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key.key}` }, body });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ accepted: 2, rejected: 1, errors: [{ line: 2, reason: expect.stringMatching(/nests deeper than 64 levels/) }] });
  });
});
