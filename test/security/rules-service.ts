import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { login, root, startService, stopService, type Service } from '../support/service-process.js';

/**
 * The service as its own process (so a stalled event loop stalls it, not the test), on a fresh
 * database, with a copy of the shipped rules as its rules folder and a syslog UDP port.
 */
export interface RulesService extends Service {
  token: string;
  rulesDir: string;
  syslogPort: number;
  databaseUrl: string;
  api(method: string, route: string, body?: string | object, contentType?: string): Promise<{ status: number; body: any; ms: number }>;
  stop(): Promise<void>;
}

const PASSWORD = 'hostile-input-admin-1';

export async function startRulesService(): Promise<RulesService> {
  const [embedded] = testDatabaseTargets();
  const databaseUrl = await createTestDatabase(embedded.adminUrl);
  const scratch = await mkdtemp(path.join(tmpdir(), 'taishi-hostile-'));
  const rulesDir = path.join(scratch, 'rules');
  await cp(path.join(root, 'rules/detection'), rulesDir, { recursive: true });
  const syslogPort = await freePort();
  const service = await startService({
    DATABASE_URL: databaseUrl,
    TAISHI_ADMIN_PASSWORD: PASSWORD,
    TAISHI_DATA_DIR: path.join(scratch, 'data'),
    TAISHI_RULES_DIR: rulesDir,
    TAISHI_SYSLOG_UDP_PORT: String(syslogPort),
    TAISHI_LOG_LEVEL: 'error',
  });
  const token = await login(service.baseUrl, PASSWORD);
  return {
    ...service,
    token,
    rulesDir,
    syslogPort,
    databaseUrl,
    api: async (method, route, body, contentType) => {
      const started = performance.now();
      const raw = body === undefined || typeof body === 'string';
      const response = await fetch(service.baseUrl + route, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': contentType ?? (raw ? 'application/yaml' : 'application/json') }) },
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: response.status, body: parsed, ms: performance.now() - started };
    },
    stop: async () => {
      await stopService(service);
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * Asks `/health/live` every 100 ms until stopped; the answer is the slowest round trip (a
 * request that got no answer within 5 s counts as 5 s) and how many were made.
 */
export function watchLiveness(baseUrl: string): { stop(): Promise<{ slowestMs: number; probes: number }> } {
  let slowestMs = 0;
  let probes = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(5000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      const ms = ok ? performance.now() - started : 5000;
      slowestMs = Math.max(slowestMs, ms);
      probes++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { slowestMs, probes };
    },
  };
}
