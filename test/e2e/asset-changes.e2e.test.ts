import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, listDepartments, startTestApp, type TestApp } from '../support/app.js';
import { dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

/**
 * Two instances on one database: what one registers, the other attributes within moments (the
 * notice travels through PostgreSQL at commit; before, it took up to a minute).
 */
describe.each(testDatabaseTargets())('asset registry changes across instances ($name PostgreSQL)', ({ adminUrl }) => {
  let a: TestApp & { dataDir: string; close(): Promise<void> };
  let b: TestApp & { dataDir: string; close(): Promise<void> };
  let adminA: string;
  let keyB: string;
  let analystB: string;

  beforeAll(async () => {
    // Instances of one installation share the audit key (README: several instances).
    const shared = { TAISHI_AUDIT_KEY: 'asset-changes-test-audit-key-0123456789abcdef' };
    a = await startTestApp(adminUrl, shared);
    b = await startTestApp(adminUrl, shared, { databaseUrl: a.databaseUrl, dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-app-b-')) });
    adminA = await a.login('admin', ADMIN_PASSWORD);
    await listDepartments(a, adminA, '信息中心');
    analystB = await b.login('admin', ADMIN_PASSWORD);
    keyB = (await b.call('POST', '/api/api-keys', { token: analystB, body: { name: 'shipper-b', scopes: ['ingest'] } })).body.key;
  }, 120_000);
  afterAll(async () => {
    await b.close();
    await rm(b.dataDir, { recursive: true, force: true });
    await a.close();
    await dropTestDatabase(adminUrl, a.databaseUrl);
    await rm(a.dataDir, { recursive: true, force: true });
  });

  let sequence = 0;
  /** Sends one event from `ip` to instance B and returns the asset B attributed it to. */
  const attributedOnB = async (ip: string): Promise<string | undefined> => {
    const message = `probe ${++sequence} from ${ip}`;
    const sent = await b.call('POST', '/api/ingest', { token: keyB, rawBody: JSON.stringify({ '@timestamp': new Date().toISOString(), message, host: { ip: [ip] } }) + '\n', headers: { 'content-type': 'application/x-ndjson' } });
    expect(sent.status).toBe(202);
    const found = await b.call('GET', `/api/events?q=${encodeURIComponent(message)}&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`, { token: analystB });
    expect(found.body.events).toHaveLength(1);
    return found.body.events[0].taishi?.asset_id;
  };

  /**
   * How long until B attributes events from `ip` to `expected`, sending one event after another.
   * The change's notice reaches B asynchronously, after the commit that A answered on.
   */
  const delayUntilB = async (ip: string, expected: string | undefined): Promise<number> => {
    const started = Date.now();
    while ((await attributedOnB(ip)) !== expected) {
      if (Date.now() - started > 5_000) throw new Error(`B still attributes ${ip} wrongly after 5 s`);
    }
    return Date.now() - started;
  };

  it('create, update and delete on one instance are seen by the other within a second', async () => {
    // B's asset index is built and fresh: the address is unknown to it.
    expect(await attributedOnB('10.66.0.1')).toBeUndefined();

    const created = await a.call('POST', '/api/assets', { token: adminA, body: { name: '跨实例登记', type: 'server', department: '信息中心', addresses: ['10.66.0.1'] } });
    expect(created.status).toBe(201);
    expect(await delayUntilB('10.66.0.1', created.body.id)).toBeLessThan(1000);

    const moved = await a.call('PATCH', `/api/assets/${created.body.id}`, { token: adminA, body: { addresses: ['10.66.0.2'] } });
    expect(moved.status).toBe(200);
    expect(await delayUntilB('10.66.0.1', undefined)).toBeLessThan(1000);
    expect(await attributedOnB('10.66.0.2')).toBe(created.body.id);

    expect((await a.call('DELETE', `/api/assets/${created.body.id}`, { token: adminA })).status).toBe(204);
    expect(await delayUntilB('10.66.0.2', undefined)).toBeLessThan(1000);
  });

  it('an import on one instance is seen by the other within a second', async () => {
    expect(await attributedOnB('10.66.1.1')).toBeUndefined();
    // Import takes departments from the managed list.
    expect((await a.call('POST', '/api/departments', { token: adminA, body: { name: '水务局' } })).status).toBe(201);
    const csv = 'name,type,department,addresses\n导入的水质传感器,iot_sensor,水务局,10.66.1.1\n';
    const imported = await a.call('POST', '/api/assets/import', { token: adminA, rawBody: csv, headers: { 'content-type': 'text/csv' } });
    expect(imported.body).toMatchObject({ created: 1 });
    const [asset] = (await a.call('GET', '/api/assets?q=10.66.1.1', { token: adminA })).body.items;
    expect(await delayUntilB('10.66.1.1', asset.id)).toBeLessThan(1000);
  });
});
