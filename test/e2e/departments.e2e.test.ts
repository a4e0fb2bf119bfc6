import pg from 'pg';
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

  it('keeps assets to listed departments: a close spelling is stored as listed, an unlisted name is refused by code', async () => {
    // seedUsers lists 水务局 and 交通局; 水务 is a typo of the first.
    const typo = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '错字部门的系统', type: 'server', department: '水务' } });
    expect(typo.status).toBe(400);
    expect(typo.body).toMatchObject({ code: 'asset.department_unknown', params: { department: '水务' } });
    const spaced = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '多写空格的系统', type: 'server', department: ' 水务局 ' } });
    expect(spaced.status).toBe(201);
    expect(spaced.body.department).toBe('水务局');
    const moved = await app.call('PATCH', `/api/assets/${spaced.body.id}`, { token: users.admin, body: { department: '交通' } });
    expect(moved.status).toBe(400);
    expect(moved.body).toMatchObject({ code: 'asset.department_unknown', params: { department: '交通' } });
    expect((await app.call('GET', `/api/assets/${spaced.body.id}`, { token: users.admin })).body.department).toBe('水务局');
    const movedListed = await app.call('PATCH', `/api/assets/${spaced.body.id}`, { token: users.admin, body: { department: '交通局 ' } });
    expect(movedListed.status).toBe(200);
    expect(movedListed.body.department).toBe('交通局');
    // Owners still write only their own department, and learn nothing about which names are listed.
    for (const department of ['交通局', '水务', ' 水务局 ']) {
      const r = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '负责人的系统', type: 'server', department } });
      expect({ department, status: r.status, code: r.body.code }).toEqual({ department, status: 403, code: 'asset.own_department_only' });
    }
    const own = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '负责人的系统', type: 'server' } });
    expect(own.body.department).toBe('水务局');
    expect((await app.call('PATCH', `/api/assets/${own.body.id}`, { token: users.ownerA.token, body: { department: '交通局' } })).status).toBe(403);
    expect((await names()).sort()).toEqual(['交通局', '水务局'].sort());
  });

  it('keeps users to listed departments: a close spelling is stored as listed, an unlisted name is refused by code', async () => {
    await app.call('POST', '/api/assets', { token: users.admin, body: { name: '信号控制', type: 'server', department: '交通局' } });
    const typo = await app.call('POST', '/api/users', { token: users.admin, body: { username: 'owner.typo', role: 'owner', department: '水务', password: 'owner-typo-password-1' } });
    expect(typo.status).toBe(400);
    expect(typo.body).toMatchObject({ code: 'auth.department_unknown', params: { department: '水务' } });
    const spaced = await app.call('POST', '/api/users', { token: users.admin, body: { username: 'owner.spaced', role: 'owner', department: ' 水务局 ', password: 'owner-spaced-password-1' } });
    expect(spaced.status).toBe(201);
    expect(spaced.body.department).toBe('水务局');
    const moved = await app.call('PATCH', `/api/users/${spaced.body.id}`, { token: users.admin, body: { department: '交通' } });
    expect(moved.status).toBe(400);
    expect(moved.body).toMatchObject({ code: 'auth.department_unknown', params: { department: '交通' } });
    expect((await app.call('GET', `/api/users/${spaced.body.id}`, { token: users.admin })).body.department).toBe('水务局');
    const movedListed = await app.call('PATCH', `/api/users/${spaced.body.id}`, { token: users.admin, body: { department: ' 交通局' } });
    expect(movedListed.status).toBe(200);
    expect(movedListed.body.department).toBe('交通局');
    // The moved owner sees the assets of the listed department it now belongs to.
    const token = await app.login('owner.spaced', 'owner-spaced-password-1');
    const visible = (await app.call('GET', '/api/assets', { token })).body.items.map((a: { department: string }) => a.department);
    expect(visible.length).toBeGreaterThan(0);
    expect(new Set(visible)).toEqual(new Set(['交通局']));
    expect((await names()).sort()).toEqual(['交通局', '水务局'].sort());
  });

  it('checks the department in the write itself: an asset written while its department is being removed is refused, not left on it', async () => {
    expect((await app.call('POST', '/api/departments', { token: users.admin, body: { name: '撤销局' } })).status).toBe(201);
    const removal = new pg.Client({ connectionString: app.databaseUrl });
    await removal.connect();
    try {
      // A removal holds the department's row from its check that nothing is in it until it commits.
      await removal.query('BEGIN');
      await removal.query(`SELECT 1 FROM departments WHERE name = '撤销局' FOR UPDATE`);
      const asset = app.call('POST', '/api/assets', { token: users.admin, body: { name: '撤销中部门的系统', type: 'server', department: '撤销局' } });
      const user = app.call('POST', '/api/users', { token: users.admin, body: { username: 'owner.removed', role: 'owner', department: '撤销局', password: 'owner-removed-password-1' } });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await removal.query(`DELETE FROM departments WHERE name = '撤销局'`);
      await removal.query('COMMIT');
      expect((await asset).body).toMatchObject({ statusCode: 400, code: 'asset.department_unknown' });
      expect((await user).body).toMatchObject({ statusCode: 400, code: 'auth.department_unknown' });
    } finally {
      await removal.end();
    }
    const held = new pg.Client({ connectionString: app.databaseUrl });
    await held.connect();
    try {
      const { rows } = await held.query(`SELECT (SELECT count(*) FROM assets WHERE department = '撤销局')::int AS assets, (SELECT count(*) FROM users WHERE department = '撤销局')::int AS users`);
      expect(rows[0]).toEqual({ assets: 0, users: 0 });
    } finally {
      await held.end();
    }
  });

  it('lets only administrators change the list, and says so by code', async () => {
    const r = await app.call('POST', '/api/departments', { token: users.ownerA.token, body: { name: '某局' } });
    expect(r.status).toBe(403);
    const missing = await app.call('DELETE', `/api/departments/${encodeURIComponent('没有的局')}`, { token: users.admin });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('department.not_found');
  });
});
