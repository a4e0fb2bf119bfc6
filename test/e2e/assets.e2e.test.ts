import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import pg from 'pg';
import { testDatabaseTargets } from '../support/databases.js';
import { listDepartments, seedUsers, startTestApp, type TestApp } from '../support/app.js';

const fixture = (name: string) => readFile(new URL(`../../fixtures/assets/${name}`, import.meta.url));

describe.each(testDatabaseTargets())('asset registry ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    users = await seedUsers(app);
    await listDepartments(app, users.admin, '政务服务中心');
  });
  afterAll(() => app.stop());

  const portal = {
    name: '县政务服务门户',
    type: 'web_application',
    addresses: ['10.10.1.20', 'portal.county.example.cn', '2001:db8::20'],
    zone: '政务外网',
    contact: { name: '李明', email: 'liming@county.example.cn' },
    mlps: { level: 3, filingNumber: '33010099001-00003', filingDate: '2025-03-01', lastAssessmentDate: '2025-10-15' },
    cii: { designated: true, designationRef: '浙关基〔2025〕12号' },
    data: { categories: ['政务服务'], level: 'important', personal: 'sensitive', subjects: 250000 },
    criticality: 'critical',
    tags: ['门户'],
  };

  it('creates, reads, updates and deletes with canonical addresses', async () => {
    const created = await app.call('POST', '/api/assets', { token: users.admin, body: { ...portal, department: '政务服务中心', addresses: ['10.10.1.20', 'Portal.County.Example.CN', '2001:DB8:0::20'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...portal, department: '政务服务中心', lifecycle: 'active', storageLocation: 'in_china' });
    const id = created.body.id;
    expect((await app.call('GET', `/api/assets/${id}`, { token: users.analyst.token })).body.name).toBe(portal.name);
    const updated = await app.call('PATCH', `/api/assets/${id}`, { token: users.admin, body: { lifecycle: 'maintenance', tags: ['门户', '外网'] } });
    expect(updated.body).toMatchObject({ lifecycle: 'maintenance', tags: ['门户', '外网'], mlps: portal.mlps });
    expect((await app.call('DELETE', `/api/assets/${id}`, { token: users.admin })).status).toBe(204);
    expect((await app.call('GET', `/api/assets/${id}`, { token: users.admin })).status).toBe(404);
  });

  it.each([
    [{ name: 'x', type: 'toaster', department: 'd' }, /type/],
    [{ name: 'x', type: 'server', department: 'd', addresses: ['10.0.0.256'] }, /10\.0\.0\.256/],
    [{ name: 'x', type: 'server', department: 'd', mlps: { level: 6 } }, /mlps\.level/],
    [{ name: 'x', type: 'server', department: 'd', mlps: { level: 3, filingDate: '2025-13-01' } }, /mlps\.filingDate/],
    [{ name: '', type: 'server', department: 'd' }, /name/],
    [{ name: 'x', type: 'server', department: 'd', colour: 'red' }, /不认识的字段：colour/],
    [{ name: 'x', type: 'server', department: 'd', data: { level: 'secret', extra: 1 } }, /data\.extra/],
  ])('rejects %j with a 400 naming the problem', async (body, message) => {
    const r = await app.call('POST', '/api/assets', { token: users.admin, body });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(r.body.message).toMatch(message);
  });

  it('keeps an expected reporting interval per asset: set, back to the default with null, out of range refused with a coded 400', async () => {
    const camera = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '路口摄像头', type: 'camera', department: '交通局', addresses: ['10.88.0.1'], expectedIntervalMinutes: 15 } });
    expect(camera.status).toBe(201);
    expect(camera.body.expectedIntervalMinutes).toBe(15);
    // The default an empty interval falls back to, for the form's hint (TAISHI_EXPECTED_INTERVAL_MINUTES).
    expect((await app.call('GET', '/api/assets/defaults', { token: users.ownerA.token })).body).toEqual({ expectedIntervalMinutes: 1440 });
    const monthly = await app.call('PATCH', `/api/assets/${camera.body.id}`, { token: users.admin, body: { expectedIntervalMinutes: 44640 } });
    expect(monthly.body.expectedIntervalMinutes).toBe(44640);
    // Another change leaves it as it is; null puts the asset back on the default.
    expect((await app.call('PATCH', `/api/assets/${camera.body.id}`, { token: users.admin, body: { zone: '视频专网' } })).body.expectedIntervalMinutes).toBe(44640);
    expect((await app.call('PATCH', `/api/assets/${camera.body.id}`, { token: users.admin, body: { expectedIntervalMinutes: null } })).body.expectedIntervalMinutes).toBeNull();
    expect((await app.call('GET', `/api/assets/${camera.body.id}`, { token: users.admin })).body.expectedIntervalMinutes).toBeNull();

    for (const minutes of [0, 44641]) {
      const created = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '太勤的传感器', type: 'iot_sensor', department: '交通局', expectedIntervalMinutes: minutes } });
      expect(created.status).toBe(400);
      expect(created.body).toMatchObject({ code: 'asset.expected_interval_out_of_range', params: { min: 1, max: 44640 }, message: '预期上报间隔须为 1 到 44640 分钟（1 分钟到 31 天）' });
    }
    const negative = await app.call('PATCH', `/api/assets/${camera.body.id}`, { token: users.admin, body: { expectedIntervalMinutes: -5 } });
    expect(negative.status).toBe(400);
    expect(negative.body.code).toBe('asset.expected_interval_out_of_range');
    // Not a whole number of minutes: the field is named, as any malformed field.
    const fraction = await app.call('PATCH', `/api/assets/${camera.body.id}`, { token: users.admin, body: { expectedIntervalMinutes: 1.5 } });
    expect(fraction.status).toBe(400);
    expect(fraction.body).toMatchObject({ code: 'request.invalid_fields', params: { fields: ['expectedIntervalMinutes'] } });
    expect((await app.call('GET', `/api/assets/${camera.body.id}`, { token: users.admin })).body.expectedIntervalMinutes).toBeNull();
    expect((await app.call('DELETE', `/api/assets/${camera.body.id}`, { token: users.admin })).status).toBe(204);
  });

  it('refuses an address or host name already on a live asset with a 409 naming it', async () => {
    const first = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '交通信号控制', type: 'server', department: '交通局', addresses: ['10.50.0.1', 'signal.county.example.cn'] } });
    const clash = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '另一台', type: 'server', department: '交通局', addresses: ['SIGNAL.county.example.cn'] } });
    expect(clash.status).toBe(409);
    expect(clash.body.message).toContain('交通信号控制');
    expect(clash.body.details).toEqual([{ address: 'signal.county.example.cn', assetId: first.body.id, assetName: '交通信号控制' }]);
    // Once retired, the address is free for the replacement system.
    await app.call('PATCH', `/api/assets/${first.body.id}`, { token: users.admin, body: { lifecycle: 'retired' } });
    const replacement = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '新信号控制', type: 'server', department: '交通局', addresses: ['signal.county.example.cn'] } });
    expect(replacement.status).toBe(201);
    // And the retired one cannot come back while the replacement holds the address.
    const revive = await app.call('PATCH', `/api/assets/${first.body.id}`, { token: users.admin, body: { lifecycle: 'active' } });
    expect(revive.status).toBe(409);
  });

  it('keeps owners to their own department', async () => {
    const own = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '水厂PLC网关', type: 'iot_gateway', addresses: ['10.60.0.1'] } });
    expect(own.status).toBe(201);
    expect(own.body.department).toBe('水务局');
    const other = await app.call('POST', '/api/assets', { token: users.ownerB.token, body: { name: '卡口摄像头', type: 'camera', addresses: ['10.70.0.1'] } });
    expect(other.body.department).toBe('交通局');

    const forOtherDept = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: 'x', type: 'server', department: '交通局' } });
    expect(forOtherDept.status).toBe(403);
    const listA = await app.call('GET', '/api/assets', { token: users.ownerA.token });
    expect(listA.body.items.map((a: { department: string }) => a.department)).toEqual(expect.arrayContaining(['水务局']));
    expect(listA.body.items.every((a: { department: string }) => a.department === '水务局')).toBe(true);
    for (const [method, body] of [['GET', undefined], ['PATCH', { name: 'hijacked' }], ['DELETE', undefined]] as const) {
      expect((await app.call(method, `/api/assets/${other.body.id}`, { token: users.ownerA.token, body })).status).toBe(404);
    }
    const moveAway = await app.call('PATCH', `/api/assets/${own.body.id}`, { token: users.ownerA.token, body: { department: '交通局' } });
    expect(moveAway.status).toBe(403);
    // Duplicates are global, but an owner learns neither the other department's asset name nor its id.
    const clash = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: 'y', type: 'server', addresses: ['10.70.0.1'] } });
    expect(clash.status).toBe(409);
    expect(clash.body.message).not.toContain('卡口摄像头');
    expect(JSON.stringify(clash.body)).not.toContain(other.body.id);
    const exportA = await app.call('GET', '/api/assets/export?format=json', { token: users.ownerA.token });
    expect(exportA.body.every((a: { department: string }) => a.department === '水务局')).toBe(true);
    // Analysts and compliance officers read everything.
    const all = await app.call('GET', '/api/assets?limit=1000', { token: users.compliance.token });
    expect(new Set(all.body.items.map((a: { department: string }) => a.department))).toEqual(new Set(['水务局', '交通局']));
  });

  describe('import', () => {
    let db: pg.Client;
    beforeAll(async () => {
      db = new pg.Client({ connectionString: app.databaseUrl });
      await db.connect();
      // Import takes departments from the managed list only.
      for (const name of ['交通运输局', '公安局', '卫生健康委', '教育局', '市场监管局', '自然资源局', '往返局']) {
        expect((await app.call('POST', '/api/departments', { token: users.admin, body: { name } })).status).toBe(201);
      }
    });
    afterAll(() => db.end());
    const assetCount = async () => Number((await db.query('SELECT count(*) FROM assets')).rows[0].count);

    it('dry run of a 1,000-row GBK CSV lists exactly the 3 bad rows and writes nothing; a real run refuses it whole', async () => {
      const before = await assetCount();
      const body = await fixture('city-assets-1000-with-errors.gbk.csv');
      const dry = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.admin, rawBody: body, headers: { 'content-type': 'text/csv' } });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, encoding: 'gb18030', total: 1000, valid: 997, created: 997, updated: 0 });
      expect(dry.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
        [101, 'type'],
        [501, 'addresses'],
        [901, 'mlps.level'],
      ]);
      expect(await assetCount()).toBe(before);
      const real = await app.call('POST', '/api/assets/import', { token: users.admin, rawBody: body, headers: { 'content-type': 'text/csv' } });
      expect(real.status).toBe(422);
      expect(real.body.details.errors).toHaveLength(3);
      expect(await assetCount()).toBe(before);
    });

    it('imports the fixed file whole, then refuses it again as duplicates', async () => {
      const before = await assetCount();
      const body = await fixture('city-assets-1000.gbk.csv');
      const real = await app.call('POST', '/api/assets/import', { token: users.admin, rawBody: body, headers: { 'content-type': 'text/csv' } });
      expect(real.status).toBe(200);
      expect(real.body).toMatchObject({ dryRun: false, total: 1000, valid: 1000, created: 1000, errors: [] });
      expect(await assetCount()).toBe(before + 1000);
      const sample = (await app.call('GET', `/api/assets?q=${encodeURIComponent('水务局-服务器-0000')}`, { token: users.admin })).body.items[0];
      expect(sample).toMatchObject({ type: 'server', department: '水务局', cii: { designated: true }, data: { level: 'important', personal: 'personal', subjects: 1000 }, criticality: 'low' });
      // The same file again names the same assets (by name within their department): nothing to do.
      const again = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.admin, rawBody: body, headers: { 'content-type': 'text/csv' } });
      expect(again.body).toMatchObject({ total: 1000, valid: 1000, created: 0, updated: 0, unchanged: 1000, errors: [] });
    });

    it('refuses owners importing rows for another department', async () => {
      const csv = 'name,type,department\n泵站,server,水务局\n信号机,server,交通局\n';
      const r = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.ownerA.token, rawBody: csv, headers: { 'content-type': 'text/csv' } });
      expect(r.body.errors).toEqual([{ row: 3, field: 'department', column: 'department', message: expect.stringMatching(/own department/), code: 'asset.own_department_only', params: { department: '水务局' } }]);
    });

    it('names unknown CSV columns and accepts JSON arrays', async () => {
      const bad = await app.call('POST', '/api/assets/import', { token: users.admin, rawBody: 'name,colour\nx,red\n', headers: { 'content-type': 'text/csv' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/unknown column "colour"/);
      const json = await app.call('POST', '/api/assets/import', { token: users.admin, rawBody: JSON.stringify([{ name: 'JSON导入', type: 'database', department: '卫生健康委', addresses: ['10.99.0.1'] }]), headers: { 'content-type': 'application/json' } });
      expect(json.body).toMatchObject({ created: 1, errors: [] });
    });

    it('exports CSV that imports back (UTF-8 with BOM, or GBK with Chinese headers)', async () => {
      const gbk = await fetch(`${app.baseUrl}/api/assets/export?format=csv&headers=zh&encoding=gbk`, { headers: { authorization: `Bearer ${users.ownerA.token}` } });
      expect(gbk.headers.get('content-type')).toContain('gbk');
      const text = iconv.decode(Buffer.from(await gbk.arrayBuffer()), 'gbk');
      expect(text.split('\r\n')[0]).toMatch(/^编号,名称,类型,部门,地址/);
      const utf8 = Buffer.from(await (await fetch(`${app.baseUrl}/api/assets/export`, { headers: { authorization: `Bearer ${users.ownerA.token}` } })).arrayBuffer());
      expect([...utf8.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const dry = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.ownerA.token, rawBody: utf8, headers: { 'content-type': 'text/csv' } });
      expect(dry.body.errors).toEqual([]);
      expect(dry.body.rows.every((r: { action: string }) => r.action === 'unchanged')).toBe(true);
      const gbkAgain = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.ownerA.token, rawBody: Buffer.from(await (await fetch(`${app.baseUrl}/api/assets/export?format=csv&headers=zh&encoding=gbk`, { headers: { authorization: `Bearer ${users.ownerA.token}` } })).arrayBuffer()), headers: { 'content-type': 'text/csv' } });
      expect(gbkAgain.body).toMatchObject({ errors: [], created: 0, updated: 0, unchanged: dry.body.total });
    });

    it('takes back its own export: all unchanged, one edited row updates its asset, labels as the console shows them accepted', async () => {
      const made = await app.call('POST', '/api/assets', { token: users.admin, body: { name: '往返测试服务器', type: 'server', department: '往返局', addresses: ['10.77.0.1'], lifecycle: 'active', criticality: 'high' } });
      expect(made.status).toBe(201);
      await app.call('POST', '/api/assets', { token: users.admin, body: { name: '往返测试摄像头', type: 'camera', department: '往返局', addresses: ['10.77.0.2'] } });
      const exported = iconv.decode(Buffer.from(await (await fetch(`${app.baseUrl}/api/assets/export?format=csv&headers=zh`, { headers: { authorization: `Bearer ${users.admin}` } })).arrayBuffer()), 'utf-8').replace(/^\uFEFF/, '');
      const [header, ...lines] = exported.trimEnd().split('\r\n');
      const ours = lines.filter((l) => l.includes('往返测试'));
      expect(ours).toHaveLength(2);
      const file = (rows: string[]) => Buffer.from([header, ...rows].join('\r\n') + '\r\n');
      const preview = async (rows: string[]) => (await app.call('POST', '/api/assets/import?dryRun=true', { token: users.admin, rawBody: file(rows), headers: { 'content-type': 'text/csv' } })).body;

      const unchanged = await preview(ours);
      expect(unchanged).toMatchObject({ total: 2, valid: 2, created: 0, updated: 0, unchanged: 2, errors: [] });

      // The server row edited as a person would, with the console's own words: 维护中, 关键.
      const columns = header.split(',');
      const edit = (line: string) => {
        const cells = line.split(',');
        cells[columns.indexOf('状态')] = '维护中';
        cells[columns.indexOf('重要程度')] = '关键';
        return cells.join(',');
      };
      const edited = ours.map((l) => (l.includes('往返测试服务器') ? edit(l) : l));
      const one = await preview(edited);
      expect(one).toMatchObject({ created: 0, updated: 1, unchanged: 1, errors: [] });
      expect(one.rows.find((r: { action: string }) => r.action === 'update')).toMatchObject({ name: '往返测试服务器', assetId: made.body.id, changed: ['criticality', 'lifecycle'] });

      const before = await assetCount();
      const committed = await app.call('POST', '/api/assets/import', { token: users.admin, rawBody: file(edited), headers: { 'content-type': 'text/csv' } });
      expect(committed.status).toBe(200);
      expect(committed.body).toMatchObject({ dryRun: false, created: 0, updated: 1, unchanged: 1 });
      const after = (await app.call('GET', `/api/assets/${made.body.id}`, { token: users.admin })).body;
      expect(after).toMatchObject({ lifecycle: 'maintenance', criticality: 'critical', addresses: ['10.77.0.1'] });
      expect(await assetCount()).toBe(before);
    });

    it('carries the expected reporting interval through export and import: unchanged in CSV and JSON, a blank cell back to the default, out of range coded', async () => {
      const made = async (name: string, expectedIntervalMinutes: number | null, address: string) => {
        const r = await app.call('POST', '/api/assets', { token: users.admin, body: { name, type: 'camera', department: '往返局', addresses: [address], expectedIntervalMinutes } });
        expect(r.status).toBe(201);
        return r.body as { id: string };
      };
      const camera = await made('间隔测试摄像头', 15, '10.78.0.1');
      await made('间隔测试批处理', 44640, '10.78.0.2');
      await made('间隔测试默认', null, '10.78.0.3');
      const exported = async (query: string) => Buffer.from(await (await fetch(`${app.baseUrl}/api/assets/export?${query}`, { headers: { authorization: `Bearer ${users.admin}` } })).arrayBuffer());
      const preview = async (body: Buffer | string, type: string) => (await app.call('POST', '/api/assets/import?dryRun=true', { token: users.admin, rawBody: body, headers: { 'content-type': type } })).body;

      const json = (JSON.parse((await exported('format=json')).toString('utf8')) as { name: string; expectedIntervalMinutes: number | null }[]).filter((a) => a.name.startsWith('间隔测试'));
      expect(Object.fromEntries(json.map((a) => [a.name, a.expectedIntervalMinutes]))).toEqual({ 间隔测试摄像头: 15, 间隔测试批处理: 44640, 间隔测试默认: null });
      expect(await preview(JSON.stringify(json), 'application/json')).toMatchObject({ total: 3, created: 0, updated: 0, unchanged: 3, errors: [] });

      for (const headers of ['en', 'zh']) {
        const [header, ...lines] = (await exported(`format=csv&headers=${headers}`)).toString('utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
        expect(header.split(',').at(-1)).toBe(headers === 'en' ? 'expected_interval_minutes' : '预期上报间隔（分钟）');
        const ours = lines.filter((l) => l.includes('间隔测试'));
        expect(ours.map((l) => l.split(',').at(-1)).sort()).toEqual(['', '15', '44640']);
        expect(await preview([header, ...ours].join('\r\n') + '\r\n', 'text/csv')).toMatchObject({ total: 3, created: 0, updated: 0, unchanged: 3, errors: [] });
        if (headers === 'en') continue;
        const withCell = (value: string) => [header, ...ours.map((l) => (l.includes('间隔测试摄像头') ? l.replace(/,15$/, `,${value}`) : l))].join('\r\n') + '\r\n';
        const cleared = await preview(withCell(''), 'text/csv');
        expect(cleared).toMatchObject({ updated: 1, unchanged: 2, errors: [] });
        expect(cleared.rows.find((r: { action: string }) => r.action === 'update')).toMatchObject({ assetId: camera.id, changed: ['expectedIntervalMinutes'] });
        // (A row in error is not matched to its asset, so its address also reads as taken.)
        const tooLong = await preview(withCell('44641'), 'text/csv');
        expect(tooLong.errors).toContainEqual(expect.objectContaining({ field: 'expectedIntervalMinutes', column: '预期上报间隔（分钟）', code: 'asset.expected_interval_out_of_range', params: { min: 1, max: 44640 } }));
        const words = await preview(withCell('一刻钟'), 'text/csv');
        expect(words.errors).toContainEqual(expect.objectContaining({ column: '预期上报间隔（分钟）', code: 'asset.import_invalid_value', params: { column: '预期上报间隔（分钟）', value: '一刻钟' } }));
        // Committed, the blank cell puts the camera back on the default.
        expect((await app.call('POST', '/api/assets/import', { token: users.admin, rawBody: withCell(''), headers: { 'content-type': 'text/csv' } })).body).toMatchObject({ updated: 1, unchanged: 2 });
        expect((await app.call('GET', `/api/assets/${camera.id}`, { token: users.admin })).body.expectedIntervalMinutes).toBeNull();
      }
    });

    it('maps department names to the managed list and refuses unknown ones with a coded error', async () => {
      const csv = '名称,类型,部门\n宽松写法,server, 往返局 \n未登记部门的系统,server,不存在局\n';
      const r = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.admin, rawBody: csv, headers: { 'content-type': 'text/csv' } });
      expect(r.body.errors).toEqual([expect.objectContaining({ row: 3, field: 'department', column: '部门', code: 'asset.import_department_unknown', params: { department: '不存在局' } })]);
      expect(r.body.rows.map((x: { action: string }) => x.action)).toEqual(['create', 'error']);
    });

    it('lists the departments a first import names when an administrator asks, in the same transaction and audit entry', async () => {
      const csv = '名称,类型,部门\n新部门的系统,server,首次导入局\n同一部门另一写法,server, 首次导入局 \n';
      const asked = (token: string, dryRun: boolean) =>
        app.call('POST', `/api/assets/import?addDepartments=true&dryRun=${dryRun}`, { token, rawBody: csv, headers: { 'content-type': 'text/csv' } });
      const owner = await asked(users.ownerA.token, true);
      expect(owner.status).toBe(403);
      expect(owner.body.code).toBe('asset.add_departments_admin_only');
      const preview = await asked(users.admin, true);
      expect(preview.body).toMatchObject({ errors: [], created: 2, departmentsAdded: ['首次导入局'] });
      const listed = async () => ((await app.call('GET', '/api/departments', { token: users.admin })).body as { name: string }[]).map((d) => d.name);
      expect(await listed()).not.toContain('首次导入局');
      const done = await asked(users.admin, false);
      expect(done.body).toMatchObject({ created: 2, departmentsAdded: ['首次导入局'] });
      expect(await listed()).toContain('首次导入局');
      const entries = (await app.call('GET', '/api/audit?targetType=asset&limit=5', { token: users.admin })).body;
      expect(JSON.stringify(entries)).toContain('首次导入局');
    });

    it('names the column as the file does and codes the problem, in both languages', async () => {
      const csv = '名称,类型,部门,状态\n坏行,server,往返局,报废\n,server,往返局,运行中\n';
      const r = await app.call('POST', '/api/assets/import?dryRun=true', { token: users.admin, rawBody: csv, headers: { 'content-type': 'text/csv' } });
      expect(r.body.errors).toEqual([
        expect.objectContaining({ row: 2, field: 'lifecycle', column: '状态', code: 'asset.import_invalid_value', params: { column: '状态', value: '报废' } }),
        expect.objectContaining({ row: 3, field: 'name', column: '名称', code: 'asset.import_value_missing', params: { column: '名称' } }),
      ]);
      expect(r.body.rows.map((x: { action: string }) => x.action)).toEqual(['error', 'error']);
    });
  });
});
