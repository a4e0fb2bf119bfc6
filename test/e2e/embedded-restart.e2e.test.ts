import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processesMentioning, run } from '../support/processes.js';
import { listDepartments } from '../support/app.js';
import { login, root, startService, stopService, type Service } from '../support/service-process.js';

const PASSWORD = 'restart-admin-password';

/** The embedded PostgreSQL the service started dies under it; the service brings it back and carries on. */
describe('the embedded database killed under a running service', () => {
  let scratch: string;
  let service: Service;
  const env = () => ({ TAISHI_DATA_DIR: path.join(scratch, 'data'), TAISHI_ADMIN_PASSWORD: PASSWORD, TAISHI_METRICS_PUBLIC: 'true' });
  const lockFile = () => readFile(path.join(scratch, 'data', 'postgres', 'postmaster.pid'), 'utf8').then((t) => t.split('\n'));

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-restart-'));
    await chmod(scratch, 0o711);
    service = await startService(env());
  }, 120_000);
  afterAll(async () => {
    await stopService(service);
    await rm(scratch, { recursive: true, force: true });
  });

  const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${service.baseUrl}/metrics`)).text())?.[1]);

  it('is restarted on the same port, says so in /health/ready and /metrics while down, and the service keeps serving', async () => {
    const [pid, , , port] = await lockFile();
    expect(await metric('taishi_embedded_database_up')).toBe(1);
    process.kill(Number(pid), 'SIGKILL');

    let sawNotReady = false;
    let sawDownInMetrics = false;
    const deadline = Date.now() + 60_000;
    for (;;) {
      expect(Date.now()).toBeLessThan(deadline);
      const ready = await fetch(`${service.baseUrl}/health/ready`);
      if (ready.status === 503) {
        sawNotReady = true;
        expect(await ready.json()).toMatchObject({ details: { database: 'down' } });
      }
      if ((await metric('taishi_embedded_database_up')) === 0) sawDownInMetrics = true;
      if (ready.status === 200 && sawNotReady && (await metric('taishi_embedded_database_restarts_total')) === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sawNotReady).toBe(true);
    expect(sawDownInMetrics).toBe(true);
    expect(await metric('taishi_embedded_database_up')).toBe(1);
    expect(service.child.exitCode).toBeNull();

    const [newPid, , , newPort] = await lockFile();
    expect(newPid).not.toBe(pid);
    expect(newPort).toBe(port);
    expect(processesMentioning(path.join(scratch, 'data', 'postgres'))).toHaveLength(1);
    expect(service.output()).toMatch(/The embedded PostgreSQL exited \(SIGKILL\); restarting it/);
    expect(service.output()).toMatch(/The embedded PostgreSQL is running again \(restart 1\)/);

    // A later request that writes succeeds on the restarted server.
    const token = await login(service.baseUrl, PASSWORD);
    await listDepartments(service, token, '信息中心');
    const created = await fetch(`${service.baseUrl}/api/assets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: '重启后登记', type: 'server', department: '信息中心', addresses: ['10.77.0.1'] }),
    });
    expect(created.status).toBe(201);
  }, 120_000);

  it('hears registry changes made by another process again once it is back', async () => {
    // The asset-change listener reconnects with its own backoff: wait for it to say so.
    for (let waited = 0; waited < 30_000 && !/Listening for asset registry changes again/.test(service.output()); waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(service.output()).toMatch(/Listening for asset registry changes again/);
    const token = await login(service.baseUrl, PASSWORD);
    const auth = { authorization: `Bearer ${token}` };
    const key = ((await (await fetch(`${service.baseUrl}/api/api-keys`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'restart-test', scopes: ['ingest'] }) })).json()) as { key: string }).key;
    const since = new Date(Date.now() - 1000).toISOString();
    const send = async (message: string) => {
      const sent = await fetch(`${service.baseUrl}/api/ingest?source=camera`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
        body: JSON.stringify({ '@timestamp': new Date().toISOString(), message, host: { ip: ['10.77.0.2'] } }) + '\n',
      });
      expect(sent.status).toBe(202);
      const found = (await (await fetch(`${service.baseUrl}/api/events?q=${encodeURIComponent(message)}&from=${encodeURIComponent(since)}`, { headers: auth })).json()) as { events: { taishi?: { asset_id?: string } }[] };
      expect(found.events).toHaveLength(1);
      return found.events[0].taishi?.asset_id;
    };
    // Not registered yet: the service's asset index is fresh and does not know the address.
    expect(await send('frame dropped before registration')).toBeUndefined();

    const inventory = path.join(scratch, 'inventory.json');
    await writeFile(inventory, JSON.stringify([{ name: '命令行登记的摄像头', type: 'camera', department: '公安局', addresses: ['10.77.0.2'] }]));
    const cli = await run(process.execPath, ['bin/taishi.js', 'assets', 'import', inventory, '--add-departments'], { cwd: root, env: { PATH: process.env.PATH, ...env() } });
    expect(cli.stdout).toMatch(/1 created/);
    expect(cli.status).toBe(0);
    // Registered by another process: its notice reaches the service within moments (the CLI has exited by now).
    const started = Date.now();
    let asset = await send('frame dropped after registration, try 1');
    for (let attempt = 2; !asset && Date.now() - started < 1000; attempt++) asset = await send(`frame dropped after registration, try ${attempt}`);
    expect(asset).toEqual(expect.any(String));
  }, 60_000);
});
