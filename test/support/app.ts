import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type RunningApp } from '../../src/app.js';
import { loadSettings } from '../../src/config/index.js';
import type { Clock } from '../../src/shared/index.js';
import { createTestDatabase, dropTestDatabase } from './databases.js';

export const ADMIN_PASSWORD = 'admin-test-password-1';

export interface TestApp {
  baseUrl: string;
  databaseUrl: string;
  running: RunningApp;
  /** fetch against the service, JSON in and out. */
  call(method: string, route: string, options?: { token?: string; body?: unknown; rawBody?: Buffer | string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  login(username: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

/** The whole service on a fresh database of the given server, listening on a free port. */
export async function startTestApp(adminUrl: string, env: Record<string, string> = {}, reuse?: { databaseUrl: string; dataDir: string }, options: { clock?: Clock } = {}): Promise<TestApp & { dataDir: string; close(): Promise<void> }> {
  const databaseUrl = reuse?.databaseUrl ?? (await createTestDatabase(adminUrl));
  const dataDir = reuse?.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'taishi-app-')));
  // Syslog listeners are off unless a test asks for them: many apps run in one test process.
  const settings = loadSettings({ DATABASE_URL: databaseUrl, TAISHI_ADMIN_PASSWORD: ADMIN_PASSWORD, TAISHI_DATA_DIR: dataDir, TAISHI_LOG_LEVEL: process.env.TEST_LOGS ? 'warn' : 'error', TAISHI_SYSLOG_UDP_PORT: 'off', TAISHI_SYSLOG_TCP_PORT: 'off', ...env });
  const running = await createApp(settings, { logger: process.env.TEST_LOGS ? undefined : false, clock: options.clock });
  await running.app.listen(0, '127.0.0.1');
  const { port } = running.app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const call: TestApp['call'] = async (method, route, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: RequestInit['body'];
    if (options.rawBody !== undefined) body = options.rawBody as RequestInit['body'];
    else if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(baseUrl + route, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: CSV exports and the like stay text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    baseUrl,
    databaseUrl,
    dataDir,
    running,
    call,
    /** Stops the service but keeps its database and data folder, for a restart with `reuse`. */
    close: () => running.close(),
    login: async (username, password) => {
      const r = await call('POST', '/api/auth/login', { body: { username, password } });
      if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    stop: async () => {
      await running.close();
      await dropTestDatabase(adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Lists departments, as an administrator (token), so that assets and users may name them; one
 * already listed stays. Any running service will do: a test app or a service process.
 */
export async function listDepartments(service: { baseUrl: string }, token: string, ...names: string[]): Promise<void> {
  for (const name of names) {
    const r = await fetch(`${service.baseUrl}/api/departments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name }) });
    const body = (await r.json()) as { code?: string };
    if (r.status !== 201 && body.code !== 'department.exists') throw new Error(`list department ${name}: ${r.status} ${JSON.stringify(body)}`);
  }
}

/** Creates one user per role (owners in two departments, listed first) and logs each in. */
export async function seedUsers(app: TestApp) {
  const admin = await app.login('admin', ADMIN_PASSWORD);
  await listDepartments(app, admin, '水务局', '交通局');
  const make = async (username: string, role: string, department?: string) => {
    const r = await app.call('POST', '/api/users', { token: admin, body: { username, role, department, password: `${username}-password-1` } });
    if (r.status !== 201) throw new Error(`create ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id as string, token: await app.login(username, `${username}-password-1`) };
  };
  return {
    admin,
    analyst: await make('analyst1', 'analyst'),
    compliance: await make('compliance1', 'compliance'),
    ownerA: await make('owner.water', 'owner', '水务局'),
    ownerB: await make('owner.traffic', 'owner', '交通局'),
  };
}
