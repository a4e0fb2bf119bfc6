import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrailAndClaims1796425365584 } from '../../src/database/migrations/1796425365584-trail-and-claims.js';
import { createDatabaseBefore, testDatabaseTargets } from '../support/databases.js';
import { listDepartments, seedUsers, startTestApp, type TestApp } from '../support/app.js';

/**
 * Hardening item 5: an owner must not capture another department's events by registering an
 * address that covers (or sits inside) that department's registration, a catch-all range, or a
 * spelling of its host name. ownerA is 水务局 (water), ownerB is 交通局 (traffic).
 */
describe.each(testDatabaseTargets())('owner isolation by address ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let ingestKey: string;
  let waterNet: { id: string };

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    users = await seedUsers(app);
    await listDepartments(app, users.admin, '大数据中心');
    ingestKey = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'isolation-shipper', scopes: ['ingest'] } })).body.key;
    const created = await app.call('POST', '/api/assets', {
      token: users.ownerA.token,
      body: { name: '水厂控制网', type: 'network_device', addresses: ['10.60.3.0/24', 'scada.water.county.example.cn'] },
    });
    expect(created.status).toBe(201);
    waterNet = created.body;
  });
  afterAll(() => app.stop());

  const register = (token: string, addresses: string[], query = '', extra: Record<string, unknown> = {}) =>
    app.call('POST', `/api/assets${query}`, { token, body: { name: `系统-${randomUUID().slice(0, 8)}`, type: 'server', addresses, ...extra } });

  /** Sends one event from `ip` and answers the asset it was attributed to. */
  const attributedTo = async (ip: string): Promise<string | undefined> => {
    const marker = `isolation-${randomUUID()}`;
    const sent = await app.call('POST', '/api/ingest', {
      token: ingestKey,
      rawBody: JSON.stringify({ '@timestamp': new Date().toISOString(), message: marker, host: { ip: [ip] } }) + '\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(sent.status).toBe(202);
    const found = await app.call('GET', `/api/events?q=${marker}&from=${new Date(Date.now() - 3_600_000).toISOString()}`, { token: users.analyst.token });
    expect(found.body.events).toHaveLength(1);
    return found.body.events[0].taishi?.asset_id;
  };

  it.each([
    ['a smaller block inside it', '10.60.3.0/25'],
    ['a single address inside it', '10.60.3.5'],
    ['a larger block around it', '10.60.0.0/16'],
    ['the same block spelt as IPv4-mapped IPv6', '::ffff:10.60.3.0/120'],
    ['an address inside it spelt as IPv4-mapped IPv6', '::FFFF:10.60.3.9'],
  ])("refuses an owner %s another department's block, naming no foreign asset", async (_what, address) => {
    const r = await register(users.ownerB.token, [address]);
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.body)).not.toContain(waterNet.id);
    expect(JSON.stringify(r.body)).not.toContain('水厂控制网');
    expect(r.body.message).toMatch(/另一部门|another department/);
  });

  it.each([
    ['the same host name in capitals with a trailing dot', 'SCADA.Water.County.Example.CN.'],
    ['the short form of the host name', 'scada'],
  ])("refuses an owner %s of another department's system", async (_what, address) => {
    const r = await register(users.ownerB.token, [address]);
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.body)).not.toContain(waterNet.id);
  });

  it('tells an administrator which asset holds the block', async () => {
    const r = await register(users.admin, ['10.60.3.128/25'], '', { department: '交通局' });
    expect(r.status).toBe(409);
    expect(r.body.details).toEqual([expect.objectContaining({ address: '10.60.3.128/25', assetId: waterNet.id, assetName: '水厂控制网' })]);
  });

  it.each(['0.0.0.0/0', '10.0.0.0/8', '172.16.0.0/12', '::/0', '2001:db8::/32', '::/48'])('keeps the catch-all range %s for administrators', async (range) => {
    const r = await register(users.ownerB.token, [range]);
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/管理员|administrator/);
  });

  it('lets an owner register a /16 or a /48 nobody else holds, and overlap within the own department', async () => {
    expect((await register(users.ownerB.token, ['10.70.0.0/16'])).status).toBe(201);
    expect((await register(users.ownerB.token, ['2001:db8:70::/48'])).status).toBe(201);
    expect((await register(users.ownerB.token, ['10.70.1.0/24', '10.70.1.9'])).status).toBe(201);
  });

  it('refuses the same through an update and through an import', async () => {
    const own = await register(users.ownerB.token, ['10.80.0.1']);
    const patched = await app.call('PATCH', `/api/assets/${own.body.id}`, { token: users.ownerB.token, body: { addresses: ['10.80.0.1', '10.60.3.64/26'] } });
    expect(patched.status).toBe(409);
    expect(JSON.stringify(patched.body)).not.toContain(waterNet.id);
    const csv = 'name,type,addresses\n卡口服务器,server,10.60.3.77\n';
    const imported = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.ownerB.token, rawBody: csv, headers: { 'content-type': 'text/csv' } });
    // Coded, and still naming no asset of the other department.
    expect(imported.body.errors).toEqual([
      { row: 2, field: 'addresses', column: 'addresses', message: expect.stringMatching(/another department/), code: 'asset.address_conflict', params: { problems: { 'zh-CN': '10.60.3.77 与另一部门已登记的地址重叠', en: '10.60.3.77 overlaps an address registered by another department' } } },
    ]);
    expect(JSON.stringify(imported.body)).not.toContain(waterNet.id);
  });

  it('keeps events with the department that registered the block when an administrator forces an overlap in', async () => {
    const pump = await register(users.ownerA.token, ['10.60.3.5']);
    expect(pump.status).toBe(201);
    const forced = await register(users.admin, ['10.60.3.0/25'], '?allowOverlap=true', { department: '交通局' });
    expect(forced.status).toBe(201);
    // The owner of the forced asset can still edit it without forcing again.
    expect((await app.call('PATCH', `/api/assets/${forced.body.id}`, { token: users.ownerB.token, body: { criticality: 'high' } })).status).toBe(200);
    const catchAll = await register(users.admin, ['0.0.0.0/0'], '', { department: '大数据中心' });
    expect(catchAll.status).toBe(201);

    expect(await attributedTo('10.60.3.5')).toBe(pump.body.id); // the most specific of the registering department
    expect(await attributedTo('10.60.3.6')).toBe(waterNet.id); // not the forced, more specific /25
    expect(await attributedTo('192.0.2.7')).toBe(catchAll.body.id); // what nobody else registered
  });

  it('lets owners register inside a catch-all range, which only gets what nobody else registered', async () => {
    const mine = await register(users.ownerB.token, ['198.51.100.0/24']);
    expect(mine.status).toBe(201);
    expect(await attributedTo('198.51.100.20')).toBe(mine.body.id);
  });

  it('refuses an owner forcing an overlap', async () => {
    const r = await register(users.ownerB.token, ['10.60.3.200'], '?allowOverlap=true');
    expect(r.status).toBe(403);
  });
});

describe('a registry from before the address rules (embedded PostgreSQL)', () => {
  const [{ adminUrl }] = testDatabaseTargets();
  let app: TestApp | undefined;
  afterAll(async () => {
    if (app) await app.stop();
  });

  it('keeps the earliest registration of overlapping departments; the later one becomes a fallback', async () => {
    const { url: databaseUrl, old } = await createDatabaseBefore(adminUrl, TrailAndClaims1796425365584);
    const register = async (name: string, department: string, createdAt: string, value: string) => {
      const [{ id }] = await old.query(`INSERT INTO assets (name, type, department, addresses, created_at) VALUES ($1, 'server', $2, $3, $4) RETURNING id`, [name, department, [value], createdAt]);
      await old.query(`INSERT INTO asset_addresses (asset_id, kind, value, live) VALUES ($1, 'cidr', $2, true)`, [id, value]);
      return id as string;
    };
    const water = await register('水厂控制网', '水务局', '2025-01-01T00:00:00Z', '10.60.3.0/24');
    const captured = await register('后来的网段', '交通局', '2025-06-01T00:00:00Z', '10.60.3.0/25');
    await old.destroy();

    app = await startTestApp(adminUrl, {}, { databaseUrl, dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-old-registry-')) });
    const users = await seedUsers(app);
    const key = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'old-registry', scopes: ['ingest'] } })).body.key;
    const marker = `old-registry-${randomUUID()}`;
    await app.call('POST', '/api/ingest', { token: key, rawBody: JSON.stringify({ '@timestamp': new Date().toISOString(), message: marker, host: { ip: ['10.60.3.6'] } }) + '\n', headers: { 'content-type': 'application/x-ndjson' } });
    const found = await app.call('GET', `/api/events?q=${marker}&from=${new Date(Date.now() - 3_600_000).toISOString()}`, { token: users.analyst.token });
    expect(found.body.events.map((e: { taishi?: { asset_id?: string } }) => e.taishi?.asset_id)).toEqual([water]);
    expect(captured).not.toBe(water);
  });
});
