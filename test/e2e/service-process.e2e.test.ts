import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listDepartments } from '../support/app.js';
import { login, root, startService, stopService } from '../support/service-process.js';

describe('the service process on the embedded database', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-svc-'));
    await chmod(dataDir, 0o711);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts with a generated admin password printed once, keeps data across a restart, and shares its database with the CLI', async () => {
    const env = { TAISHI_DATA_DIR: path.join(dataDir, 'state') };
    const first = await startService(env);
    let asset: { id: string };
    try {
      const password = /Initial admin password: (\S+)/.exec(first.output())?.[1];
      expect(password).toBeDefined();
      const token = await login(first.baseUrl, password!);
      await listDepartments(first, token, '信息中心');
      const created = await fetch(`${first.baseUrl}/api/assets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: '重启测试', type: 'server', department: '信息中心', addresses: ['10.9.9.9'] }),
      });
      expect(created.status).toBe(201);
      asset = (await created.json()) as { id: string };
      // The CLI attaches to the database the running service started.
      const cli = spawnSync(process.execPath, ['bin/taishi.js', 'audit', 'verify'], { cwd: root, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
      expect(cli.stdout).toMatch(/Audit chain intact: \d+ records verified/);
      expect(cli.status).toBe(0);
      expect(await stopService(first)).toBe(0);

      const second = await startService(env);
      try {
        expect(second.output()).not.toMatch(/Initial admin password/);
        const again = await login(second.baseUrl, password!);
        const read = await fetch(`${second.baseUrl}/api/assets/${asset.id}`, { headers: { authorization: `Bearer ${again}` } });
        expect(((await read.json()) as { name: string }).name).toBe('重启测试');
      } finally {
        await stopService(second);
      }
    } finally {
      await stopService(first);
    }
  });

  it('refuses to start on a bad setting, naming the variable and the accepted form', () => {
    const r = spawnSync(process.execPath, ['dist/main.js'], { cwd: root, env: { PATH: process.env.PATH, TAISHI_PORT: 'eighty' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TAISHI_PORT');
    expect(r.stderr).toContain('an integer 1-65535');
  });
});
