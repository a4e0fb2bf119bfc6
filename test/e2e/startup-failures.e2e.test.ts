import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';
import { processesMentioning, run } from '../support/processes.js';
import { root, startService, stopService } from '../support/service-process.js';

/**
 * Every way a first start commonly fails: the service says so in one line (Chinese, then
 * English) naming the setting that fixes it, exits non-zero, and stops the embedded PostgreSQL it
 * had started on the way, so nothing is left running.
 */
describe('a failed start', () => {
  let scratch: string;
  let dataDir: string;
  const holders: { close(): void }[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-startfail-'));
    await chmod(scratch, 0o711);
    dataDir = path.join(scratch, 'data');
  });
  afterAll(async () => {
    for (const h of holders) h.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const holdTcp = async (port: number) => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    holders.push(server);
  };
  const holdUdp = async (port: number) => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    holders.push(socket);
  };

  const start = async (env: Record<string, string>) => {
    const r = await run(process.execPath, ['dist/main.js'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        TAISHI_DATA_DIR: dataDir,
        TAISHI_HOST: '127.0.0.1',
        TAISHI_PORT: String(await freePort()),
        TAISHI_SYSLOG_HOST: '127.0.0.1',
        TAISHI_SYSLOG_UDP_PORT: 'off',
        TAISHI_SYSLOG_TCP_PORT: 'off',
        TAISHI_ADMIN_PASSWORD: 'startfail-admin-password',
        ...env,
      },
      timeoutMs: 120_000,
    });
    return { ...r, lines: r.stderr.trim().split('\n') };
  };

  /** The embedded server was started (its cluster exists) and was stopped again (no postmaster, no lock file). */
  const expectDatabaseStartedAndStopped = () => {
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(processesMentioning(path.join(dataDir, 'postgres'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  };

  const tlsFiles = () => {
    const certFile = path.join(scratch, 'cert.pem');
    const keyFile = path.join(scratch, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    return { TAISHI_SYSLOG_TLS_CERT: certFile, TAISHI_SYSLOG_TLS_KEY: keyFile };
  };

  it.each([
    { listener: 'HTTP', setting: 'TAISHI_PORT', hold: holdTcp, extra: () => ({}), hint: '' },
    { listener: 'syslog UDP', setting: 'TAISHI_SYSLOG_UDP_PORT', hold: holdUdp, extra: () => ({}), hint: ' \\(off disables it\\)' },
    { listener: 'syslog TCP', setting: 'TAISHI_SYSLOG_TCP_PORT', hold: holdTcp, extra: () => ({}), hint: ' \\(off disables it\\)' },
    { listener: 'syslog TLS', setting: 'TAISHI_SYSLOG_TLS_PORT', hold: holdTcp, extra: tlsFiles, hint: ' \\(off disables it\\)' },
  ])('$listener port in use: one line naming $setting, exit 1, the embedded database stopped', async ({ listener, setting, hold, extra, hint }) => {
    const port = await freePort();
    await hold(port);
    const r = await start({ [setting]: String(port), ...extra() });
    expect(r.status).toBe(1);
    expect(r.lines).toEqual([
      expect.stringMatching(new RegExp(`^启动失败：端口 ${port}（${listener}）已被其他程序占用.*${setting}.* / Start-up failed: port ${port} \\(${listener}\\) is already in use by another program; stop it, or choose another port with ${setting}${hint}$`)),
    ]);
    expectDatabaseStartedAndStopped();
  }, 120_000);

  it("embedded database's port in use: one line naming TAISHI_EMBEDDED_DB_PORT", async () => {
    const port = await freePort();
    await holdTcp(port);
    const r = await start({ TAISHI_EMBEDDED_DB_PORT: String(port) });
    expect(r.status).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(new RegExp(`^启动失败：内置数据库的端口 ${port} 已被占用.*TAISHI_EMBEDDED_DB_PORT`))]);
    expect(processesMentioning(path.join(dataDir, 'postgres'))).toEqual([]);
  }, 120_000);

  it('a second instance on a port the first holds: one line, and the first instance and its database keep running', async () => {
    const syslogPort = await freePort();
    const first = await startService({ TAISHI_DATA_DIR: dataDir, TAISHI_SYSLOG_HOST: '127.0.0.1', TAISHI_SYSLOG_TCP_PORT: String(syslogPort), TAISHI_ADMIN_PASSWORD: 'startfail-admin-password' });
    try {
      const postmasters = processesMentioning(path.join(dataDir, 'postgres'));
      expect(postmasters).toHaveLength(1);
      const second = await start({ TAISHI_SYSLOG_TCP_PORT: String(syslogPort) });
      expect(second.status).toBe(1);
      expect(second.lines).toEqual([expect.stringMatching(/syslog TCP.*TAISHI_SYSLOG_TCP_PORT/)]);
      // The second attached to the first's database, so it must not have stopped it.
      expect(processesMentioning(path.join(dataDir, 'postgres'))).toEqual(postmasters);
      expect((await fetch(`${first.baseUrl}/health/ready`)).status).toBe(200);
    } finally {
      await stopService(first);
    }
    expectDatabaseStartedAndStopped();
  }, 180_000);

  it('interrupted while starting (SIGTERM once its database is up): exits 0 and stops that database too', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: root,
      env: { PATH: process.env.PATH, TAISHI_DATA_DIR: dataDir, TAISHI_HOST: '127.0.0.1', TAISHI_PORT: String(port), TAISHI_SYSLOG_UDP_PORT: 'off', TAISHI_SYSLOG_TCP_PORT: 'off' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (!processesMentioning(path.join(dataDir, 'postgres')).length) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    // The database is up; the service is still building itself (modules, migrations) and not yet listening.
    expect(await fetch(`http://127.0.0.1:${port}/health/live`).then(() => true, () => false)).toBe(false);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expectDatabaseStartedAndStopped();
  }, 120_000);

  it('a data folder that is not a folder: one line naming TAISHI_DATA_DIR, before anything is started', async () => {
    const file = path.join(scratch, 'a-file');
    await writeFile(file, 'not a folder');
    const r = await start({ TAISHI_DATA_DIR: file });
    expect(r.status).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(/^启动失败：数据目录 .*a-file 不可用（(EEXIST|ENOTDIR)/)]);
    expect(r.lines[0]).toMatch(/TAISHI_DATA_DIR/);
  }, 60_000);

  it('a data folder this user may not write: one line naming TAISHI_DATA_DIR', async () => {
    const locked = path.join(scratch, 'locked');
    await mkdir(locked, { mode: 0o500 });
    await chmod(locked, 0o500);
    // root passes every permission check, so as root the start is made as `nobody`.
    const asNobody = userInfo().uid === 0 ? { uid: Number(execFileSync('id', ['-u', 'nobody']).toString()), gid: Number(execFileSync('id', ['-g', 'nobody']).toString()) } : {};
    await chmod(scratch, 0o711);
    const r = await run(process.execPath, ['dist/main.js'], { cwd: root, ...asNobody, env: { PATH: process.env.PATH, TAISHI_DATA_DIR: path.join(locked, 'data'), TAISHI_PORT: String(await freePort()) }, timeoutMs: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^启动失败：数据目录 .*locked\/data 不可用（EACCES: permission denied）.*TAISHI_DATA_DIR/)]);
  }, 60_000);

  it('a database server that cannot be reached: one line naming DATABASE_URL, password hidden', async () => {
    const closedPort = await freePort();
    const r = await start({ DATABASE_URL: `postgres://taishi:hunter2-secret@127.0.0.1:${closedPort}/taishi` });
    expect(r.status).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(new RegExp(`^启动失败：无法连接数据库 postgres://taishi:\\*\\*\\*@127\\.0\\.0\\.1:${closedPort}/taishi（ECONNREFUSED.*DATABASE_URL`))]);
    expect(r.stderr).not.toContain('hunter2-secret');
  }, 60_000);

  it('a bad setting: one line naming the variable and the accepted form, exit 2', async () => {
    const r = await start({ TAISHI_SYSLOG_UDP_PORT: 'fivefivefourteen' });
    expect(r.status).toBe(2);
    expect(r.lines).toEqual([expect.stringMatching(/^配置错误 \/ Configuration error: Invalid setting TAISHI_SYSLOG_UDP_PORT="fivefivefourteen": expected an integer 1-65535, or off$/)]);
  }, 60_000);
});
