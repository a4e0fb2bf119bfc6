import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';

/**
 * The service as a user runs it: `node dist/main.js` on the embedded default, no DATABASE_URL.
 * (`npm test` builds dist/ first.)
 */
export const root = path.resolve(import.meta.dirname, '../..');

export interface Service {
  child: ChildProcess;
  output: () => string;
  baseUrl: string;
}

/** `under`: a command the service runs under, such as `prlimit --fsize=…` for a disk that refuses writes. */
export async function startService(env: Record<string, string>, port?: number, under: string[] = []): Promise<Service> {
  port ??= await freePort();
  const [command, ...args] = [...under, process.execPath, 'dist/main.js'];
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH, TAISHI_PORT: String(port), TAISHI_HOST: '127.0.0.1', TAISHI_SYSLOG_UDP_PORT: 'off', TAISHI_SYSLOG_TCP_PORT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}: ${output}`);
    const ready = await fetch(`${baseUrl}/health/ready`).then((r) => r.status === 200, () => false);
    if (ready) return { child, output: () => output, baseUrl };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`service not ready within 60 s: ${output}`);
}

export async function stopService(service: Service): Promise<number | null> {
  if (service.child.exitCode !== null) return service.child.exitCode;
  const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
  service.child.kill('SIGTERM');
  return exited;
}

export async function login(baseUrl: string, password: string): Promise<string> {
  const r = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

