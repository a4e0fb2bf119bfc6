import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';

describe.each(testDatabaseTargets())('department list ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    users = await seedUsers(app);
  });
  afterAll(() => app.stop());

  const names = async () => (await app.call('GET', '/api/departments', { token: users.analyst.token })).body.map((d: { name: string }) => d.name);

  it('adds, refuses a twin differing in case or spaces, renames carrying assets and users along, and removes only when empty', async () => {
    expect((await app.call('POST', '/api/departments', { token: users.admin, body: { name: '统计局' } })).status).toBe(201);
    const twin = await app.call('POST', '/api/departments', { token: users.admin, body: { name: ' 统计局 ' } });
    expect(twin.status).toBe(409);
    expect(twin.body.code).toBe('department.exists');
    const asset = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '统计数据库', type: 'database', department: '统计局', addresses: ['10.88.0.1'] } });
    expect(asset.status).toBe(201);
    const busy = await app.call('DELETE', `/api/departments/${encodeURIComponent('统计局')}`, { token: users.admin });
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ code: 'department.in_use', params: { name: '统计局', assets: 1, users: 0 } });
    const renamed = await app.call('PATCH', `/api/departments/${encodeURIComponent('统计局')}`, { token: users.admin, body: { name: '县统计局' } });
    expect(renamed.body).toEqual({ name: '县统计局', assets: 1, users: 0 });
    expect((await app.call('GET', `/api/assets/${asset.body.id}`, { token: users.admin })).body.department).toBe('县统计局');
    expect(await names()).toContain('县统计局');
    expect(await names()).not.toContain('统计局');
    expect((await app.call('DELETE', `/api/assets/${asset.body.id}`, { token: users.admin })).status).toBe(204);
    expect((await app.call('DELETE', `/api/departments/${encodeURIComponent('县统计局')}`, { token: users.admin })).status).toBe(204);
    expect(await names()).not.toContain('县统计局');
  });

  it('lets only administrators change the list, and says so by code', async () => {
    const r = await app.call('POST', '/api/departments', { token: users.ownerA.token, body: { name: '某局' } });
    expect(r.status).toBe(403);
    const missing = await app.call('DELETE', `/api/departments/${encodeURIComponent('没有的局')}`, { token: users.admin });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('department.not_found');
  });
});
