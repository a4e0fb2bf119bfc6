import pg from 'pg';
import { LiveDetection } from '../../src/detection/index.js';
import type { Page } from 'playwright-core';
import { testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { bastionAttack } from '../support/city-logs.js';
import { buildConsole, consoleHarness, expectText, loginThroughForm, rowCount, screenshot, unlabelledControls } from '../support/browser.js';

describe.each(testDatabaseTargets())('web console in headless chromium ($name PostgreSQL)', ({ name, adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  const { open, asUser, go, shot } = consoleHarness(name, () => app.baseUrl);

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_CONSOLE_DIR: await buildConsole() });
    users = await seedUsers(app);
    const asset = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '供水调度堡垒机', type: 'server', addresses: ['zw-bastion'], criticality: 'high' } });
    expect(asset.status).toBe(201);
    const other = await app.call('POST', '/api/assets', { token: users.ownerB.token, body: { name: '交通信号控制平台', type: 'web_application', addresses: ['10.20.0.5'] } });
    expect(other.status).toBe(201);
    const ingested = await app.call('POST', '/api/ingest', { token: users.admin, rawBody: bastionAttack(), headers: { 'content-type': 'text/plain' } });
    expect(ingested.status).toBe(202);
    const withPhone = JSON.stringify({ '@timestamp': new Date().toISOString(), message: '预约登记 手机 13812345678 提交失败', host: { name: 'zw-bastion' }, event: { dataset: 'app.booking' } });
    expect((await app.call('POST', '/api/ingest', { token: users.admin, rawBody: withPhone, headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(202);
    // Detection writes alerts after the batch is stored.
    await app.running.app.get(LiveDetection).settled();
  });

  afterAll(() => app.stop());

  it('logs in (wrong password refused with a message), shows the role’s navigation, and logs out', async () => {
    const b = await open();
    await b.page.goto(`${app.baseUrl}/`);
    await b.page.getByLabel('用户名').fill('admin');
    await b.page.getByLabel('密码').fill('wrong-password');
    await b.page.getByRole('button', { name: '登录' }).click();
    await expectText(b.page.getByRole('alert'), /用户名或密码错误/);
    await shot(b.page, 'login');
    await b.page.getByLabel('密码').fill(ADMIN_PASSWORD);
    await b.page.getByRole('button', { name: '登录' }).click();
    const nav = b.page.getByRole('navigation', { name: '主导航' });
    await nav.waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual(['态势', '告警', '安全事件', '事件日志', '资产', '合规审计', '检测规则', '用户与角色', '部门', 'API 密钥', '通知', '审计日志']);
    // The token never reaches page scripts: it lives in an HttpOnly cookie.
    expect(await b.page.evaluate(() => (globalThis as any).document.cookie)).toBe('');
    const cookies = await b.context.cookies();
    expect(cookies.find((c) => c.name === 'taishi_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await b.page.getByRole('button', { name: '退出登录' }).click();
    await expectText(b.page.getByRole('status').first(), /您已退出登录/);
    expect((await b.context.cookies()).find((c) => c.name === 'taishi_session')).toBeUndefined();

    const owner = await asUser('owner.water', 'owner.water-password-1');
    expect(await owner.page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents()).toEqual(['态势', '告警', '安全事件', '事件日志', '资产', '合规审计', '通知']);
    await go(owner.page, '/admin/users');
    await expectText(owner.page.locator('main'), /您的角色无权查看此页面/);
  });

  it('works from the keyboard alone: log in, skip to content, follow the navigation', async () => {
    const b = await open();
    const k = b.page.keyboard;
    await b.page.goto(`${app.baseUrl}/`);
    await b.page.getByLabel('用户名').waitFor();
    // The login form takes focus on its own.
    await k.type('analyst1');
    await k.press('Tab');
    await k.type('analyst1-password-1');
    await k.press('Enter');
    await b.page.locator('main .score-value').waitFor();
    const focused = () => b.page.evaluate(() => { const el = (globalThis as any).document.activeElement; return `${el.tagName}:${el.textContent.trim().slice(0, 20)}`; });
    // The skip link comes first in tab order and shows itself when focused.
    const firstFocusable = await b.page.evaluate(() => (globalThis as any).document.querySelector('a[href], button, input, select, textarea').textContent.trim());
    expect(firstFocusable).toBe('跳到主要内容');
    const skip = b.page.getByRole('button', { name: '跳到主要内容' });
    await skip.focus();
    const box = await skip.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    await k.press('Enter');
    expect(await focused()).toMatch(/^MAIN:/);
    await b.page.getByRole('link', { name: '事件日志' }).focus();
    await k.press('Enter');
    await b.page.waitForFunction(() => (globalThis as any).document.activeElement?.tagName === 'H1');
    expect(await focused()).toBe('H1:事件日志');
  });

  it('an owner registers an asset for their department and never sees another department’s', async () => {
    const b = await asUser('owner.water', 'owner.water-password-1');
    await go(b.page, '/assets');
    await expectText(b.page.locator('main'), /您只能看到和登记“水务局”的系统/);
    const rows = b.page.locator('main table tbody tr');
    expect(await rows.allTextContents()).toEqual([expect.stringContaining('供水调度堡垒机')]);
    await b.page.getByRole('button', { name: '登记资产' }).first().click();
    const dialog = b.page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('二次供水泵站监控');
    await dialog.getByLabel('类型').selectOption('iot_gateway');
    expect(await dialog.getByLabel('所属部门').inputValue()).toBe('水务局');
    expect(await dialog.getByLabel('所属部门').isDisabled()).toBe(true);
    await dialog.getByLabel('地址与主机名').fill('10.30.1.20\nbengzhan-gw');
    await dialog.getByLabel('重要性').selectOption('critical');
    await dialog.getByLabel('联系人').fill('王工');
    expect(await unlabelledControls(b.page)).toEqual([]);
    await shot(b.page, 'asset-form');
    await dialog.getByRole('button', { name: '登记' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectText(b.page.locator('main table'), /二次供水泵站监控/);
    expect(await rows.count()).toBe(2);
    await expect(b.page.locator('main').textContent()).resolves.not.toContain('交通信号控制平台');

    const created = (await app.call('GET', '/api/assets?q=二次供水', { token: users.admin })).body.items[0];
    expect(created).toMatchObject({ department: '水务局', type: 'iot_gateway', criticality: 'critical', addresses: ['10.30.1.20', 'bengzhan-gw'] });
    // The other department's owner sees only theirs, through the page as through the API.
    const traffic = await asUser('owner.traffic', 'owner.traffic-password-1');
    await go(traffic.page, '/assets');
    expect(await traffic.page.locator('main table tbody tr').allTextContents()).toEqual([expect.stringContaining('交通信号控制平台')]);
    await go(traffic.page, `/assets?id=${created.id}`);
    await expectText(traffic.page.getByRole('status').last(), /^资产 \S+ 不存在$/);
  });

  it('switches to English, remembers it for the user, and switches back', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await b.page.getByRole('button', { name: 'English' }).click();
    await b.page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await expectText(b.page.locator('main h1'), /^Situation$/);
    expect(await b.page.getAttribute('html', 'lang')).toBe('en');
    expect((await app.call('GET', '/api/auth/me', { token: users.analyst.token })).body.language).toBe('en');
    await shot(b.page, 'situation-en');
    // A new browser (no local memory) follows the user's setting after login.
    const again = await open({ locale: 'zh-CN' });
    await again.page.goto(`${app.baseUrl}/`);
    await again.page.getByLabel('用户名').fill('analyst1');
    await again.page.getByLabel('密码').fill('analyst1-password-1');
    await again.page.getByRole('button', { name: '登录' }).click();
    await again.page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await again.page.getByRole('button', { name: '中文' }).click();
    await again.page.getByRole('navigation', { name: '主导航' }).waitFor();
    expect((await app.call('GET', '/api/auth/me', { token: users.analyst.token })).body.language).toBe('zh-CN');
  });

  it('draws the situation charts from ingested events and raised alerts, and explains the score', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD);
    await go(b.page, '/situation');
    const charts = b.page.locator('main .chart');
    await charts.nth(1).waitFor();
    await b.page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('main .chart')].every((c: any) => c.dataset.chart === 'ready'));
    // The attack's high alerts opened incidents, so the incidents section draws its chart too.
    expect(await charts.count()).toBe(3);
    for (const label of ['告警趋势（按级别）', '各采集器每分钟接收与丢弃事件数', '未结事件数（按国家分级）']) {
      const chart = b.page.getByRole('figure', { name: label });
      expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    }
    // What was drawn: the alert chart's series by level, summed over the range.
    const plotted = (await charts.first().evaluate((el: any) =>
      (globalThis as any).echarts.getInstanceByDom(el).getOption().series.map((s: { name: string; data: number[] }) => [s.name, s.data.reduce((a, n) => a + n, 0)]),
    )) as [string, number][];
    expect(Object.fromEntries(plotted)).toMatchObject({ 严重: 1, 高: expect.any(Number) });
    expect(Object.fromEntries(plotted)['高']).toBeGreaterThanOrEqual(2);
    const reasons = b.page.getByRole('list', { name: '扣分原因' });
    await expectText(reasons, /条未关闭的严重级告警/);
    await expectText(reasons, /未登记主机/);
    expect(Number(await b.page.locator('.score-value').textContent())).toBeLessThan(100);
    await expectText(b.page.locator('main table').first(), /供水调度堡垒机/);
    await expectText(b.page.locator('main'), /还没有完成的合规审计/);
    await expectText(b.page.locator('main'), /http/);
    expect(await unlabelledControls(b.page)).toEqual([]);
    await shot(b.page, 'situation');
    // Tablet width: the same page, navigation above it.
    await b.page.setViewportSize({ width: 768, height: 1024 });
    await b.page.waitForTimeout(300);
    await shot(b.page, 'situation-tablet');
    const box = await b.page.locator('nav.sidebar').boundingBox();
    expect(box!.width).toBeGreaterThan(700);
    expect(await b.page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth + 1)).toBe(true);
  });

  it('acknowledges and then closes alerts with a resolution, one and in bulk', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/alerts');
    const rows = b.page.locator('main table tbody tr');
    const before = await rows.count();
    expect(before).toBeGreaterThanOrEqual(3);
    await shot(b.page, 'alerts');
    await b.page.getByRole('checkbox', { name: /选择告警：暴力破解后 SSH 登录成功/ }).check();
    await b.page.getByRole('toolbar', { name: '批量操作' }).getByRole('button', { name: '确认' }).click();
    await expectText(b.page.getByRole('status').last(), /1 条告警已设为“已确认”/);
    // The acknowledged alert keeps its row, now reading 已确认, until the list is reloaded.
    await expectText(b.page.locator('main table tbody tr', { hasText: '暴力破解后 SSH 登录成功' }), /已确认/);
    await rowCount(b.page, before);
    const acknowledged = (await app.call('GET', '/api/alerts?status=acknowledged', { token: users.admin })).body.items;
    expect(acknowledged.map((a: { ruleTitle: string }) => a.ruleTitle)).toEqual(['暴力破解后 SSH 登录成功']);

    await b.page.getByLabel('状态').selectOption('all');
    await rowCount(b.page, before);
    await b.page.getByRole('checkbox', { name: '全选本页' }).check();
    await b.page.getByRole('toolbar', { name: '批量操作' }).getByRole('button', { name: '关闭…' }).click();
    const dialog = b.page.getByRole('dialog');
    await dialog.getByLabel('处理结论').selectOption('true_positive');
    await dialog.getByLabel('备注').fill('演练：已封禁 203.0.113.77');
    await shot(b.page, 'alerts-close');
    await dialog.getByRole('button', { name: '关闭告警' }).click();
    await expectText(b.page.getByRole('status').last(), new RegExp(`${before} 条告警已设为“已关闭”`));
    const open = await app.call('GET', '/api/alerts?status=open', { token: users.admin });
    expect(open.body.total).toBe(0);
    const closed = await app.call('GET', '/api/alerts?status=closed', { token: users.admin });
    expect(closed.body.items.every((a: { resolution: string; statusNote: string }) => a.resolution === 'true_positive' && a.statusNote === '演练：已封禁 203.0.113.77')).toBe(true);
    const audit = await app.call('GET', '/api/audit?targetType=alert&limit=500', { token: users.admin });
    expect(audit.body.filter((r: { action: string }) => r.action === 'alert.closed')).toHaveLength(before);
  });

  it('searches events by text and field, pages, and shows an event with its personal data masked', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/events');
    await b.page.getByLabel('关键词').fill('Failed password');
    await b.page.getByRole('button', { name: '搜索' }).click();
    await rowCount(b.page, 11);
    await b.page.getByLabel('字段', { exact: true }).selectOption('host.name');
    await b.page.getByLabel('取值').fill('jt-gw-07');
    await b.page.getByRole('button', { name: '添加字段筛选' }).click();
    await rowCount(b.page, 1);
    await expectText(b.page.locator('main table tbody'), /198\.51\.100\.9/);
    expect(b.page.url()).toContain('filter=host.name%3Ajt-gw-07');
    await b.page.getByRole('button', { name: '移除筛选 host.name:jt-gw-07' }).click();
    await b.page.getByLabel('关键词').fill('手机');
    await b.page.getByRole('button', { name: '搜索' }).click();
    await rowCount(b.page, 1);
    expect(await b.page.locator('main table tbody').textContent()).not.toContain('13812345678');
    await shot(b.page, 'events');
    await b.page.locator('main table tbody').getByRole('button', { name: '查看' }).click();
    const dialog = b.page.getByRole('dialog', { name: '事件详情' });
    await expectText(dialog, /已遮蔽个人信息：手机号/);
    const json = await dialog.locator('pre').textContent();
    expect(json).not.toContain('13812345678');
    expect(json).toMatch(/138\*+5678/);
    await shot(b.page, 'event-detail');
    // An owner's search stays inside their department.
    const owner = await asUser('owner.traffic', 'owner.traffic-password-1');
    await go(owner.page, '/events');
    await expectText(owner.page.locator('main'), /没有符合条件的事件/);
  });

  it('shows on the Events page, per program, the share of lines read and the unrecognised shapes with personal data masked', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/events');
    const panel = b.page.locator('details.recognition');
    await panel.locator('summary', { hasText: '日志识别率' }).click();
    const booking = panel.locator('tbody tr', { hasText: 'app.booking' });
    await expectText(booking, /预约登记 手机 <mobile> 提交失败/);
    await expectText(booking, /0%/);
    expect(await panel.textContent()).not.toContain('13812345678');
    await expectText(panel.locator('tbody tr', { hasText: 'sshd' }), /100%/);
    expect(await unlabelledControls(b.page)).toEqual([]);
    await shot(b.page, 'events-recognition');
    // Owners see their own department only, so the cross-department panel is not offered to them.
    const owner = await asUser('owner.traffic', 'owner.traffic-password-1');
    await go(owner.page, '/events');
    expect(await owner.page.locator('details.recognition').count()).toBe(0);
  });

  it('tests a rule against pasted events and validates pasted YAML', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/rules');
    await expectText(b.page.locator('main table'), /SSH 登录失败/);
    await b.page.getByLabel('要测试的规则').selectOption({ label: 'SSH 登录失败 (4d9838f3-9e57-4035-9f6c-5464eb597645)' });
    await b.page.getByLabel('测试事件').fill(
      ['Mar 10 13:30:01 zw-bastion sshd[4242]: Failed password for root from 203.0.113.7 port 52100 ssh2', 'Mar 10 13:30:02 zw-bastion sshd[4243]: Accepted publickey for ops from 10.0.0.5 port 52101 ssh2'].join('\n'),
    );
    await b.page.getByRole('button', { name: '测试', exact: true }).click();
    await expectText(b.page.locator('main'), /2 条事件中 1 条命中/);
    const results = b.page.getByRole('table', { name: '测试事件结果' });
    expect(await results.locator('tbody tr').nth(0).textContent()).toContain('4d9838f3-9e57-4035-9f6c-5464eb597645');
    expect(await results.locator('tbody tr').nth(1).textContent()).toContain('未命中');
    await shot(b.page, 'rules-test');

    await b.page.getByLabel('要测试的规则').selectOption('');
    await b.page.getByLabel('规则 YAML').fill('title: broken\nlogsource: { product: linux }\ndetection:\n  condition: nothing_here\n');
    await b.page.getByRole('button', { name: '校验' }).click();
    await expectText(b.page.getByRole('alert'), /规则有错误/);
    await b.page.getByLabel('规则 YAML').fill("title: pump station door opened\nid: 5b7e6e1c-1d55-4f57-9a0e-2b7d4c1f0a11\nlevel: medium\nlogsource: { product: linux }\ndetection:\n  selection:\n    message|contains: 'door opened'\n  condition: selection\n");
    await b.page.getByRole('button', { name: '校验' }).click();
    await expectText(b.page.locator('main'), /规则有效：1 条规则/);
    await b.page.getByLabel('测试事件').fill('Mar 10 13:30:01 bengzhan-gw door[1]: door opened by card 0042');
    await b.page.getByRole('button', { name: '测试', exact: true }).click();
    await expectText(b.page.locator('main'), /1 条事件中 1 条命中/);

    // Switching a rule off and on is a checkbox with the rule's name.
    const toggle = b.page.getByRole('checkbox', { name: '启用规则：SSH 登录失败' });
    await toggle.uncheck();
    await expectText(b.page.getByRole('status').last(), /已停用“SSH 登录失败”/);
    const rules = await app.call('GET', '/api/rules', { token: users.admin });
    expect(rules.body.rules.find((r: { title: string }) => r.title === 'SSH 登录失败').enabled).toBe(false);
    await b.page.getByRole('checkbox', { name: '启用规则：SSH 登录失败' }).check();
    await expectText(b.page.getByRole('status').last(), /已启用/);
  });

  it('verifies the audit trail from the admin page', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD);
    await go(b.page, '/admin/audit');
    await expectText(b.page.locator('main table'), /登录/);
    await b.page.getByRole('button', { name: '校验完整性' }).click();
    await expectText(b.page.locator('.notice-ok'), /审计日志完整：已校验 \d+ 条记录/);
    await shot(b.page, 'audit');
    // Tampering shows as a broken chain, naming the record.
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    const [{ id }] = (await db.query(`SELECT id FROM audit_log WHERE action = 'asset.create' ORDER BY id LIMIT 1`)).rows;
    await db.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`).catch(() => undefined);
    await db.query(`UPDATE audit_log SET actor = 'someone-else' WHERE id = $1`, [id]);
    await db.end();
    await b.page.getByRole('button', { name: '校验完整性' }).click();
    await expectText(b.page.getByRole('alert'), new RegExp(`审计日志被篡改！第 ${id} 条记录校验失败`));
  });

  it('shows every page with labelled controls and a screenshot, for each role that may open it', async () => {
    const admin = await asUser('admin', ADMIN_PASSWORD);
    for (const [hash, label] of [
      ['/assets', 'assets'],
      ['/assets?tab=unregistered', 'assets-unregistered'],
      ['/assets?tab=import', 'assets-import'],
      ['/rules', 'rules'],
      ['/admin/users', 'users'],
      ['/admin/api-keys', 'api-keys'],
      ['/admin/notifications', 'notifications'],
      ['/events', 'events-default'],
      ['/alerts?status=closed', 'alerts-closed'],
    ] as const) {
      await go(admin.page, hash);
      expect({ page: hash, unlabelled: await unlabelledControls(admin.page) }).toEqual({ page: hash, unlabelled: [] });
      await shot(admin.page, label);
    }
    await expectText(admin.page.locator('main'), /二次供水泵站监控|已关闭/);
    await go(admin.page, '/assets?tab=unregistered');
    await expectText(admin.page.locator('main table'), /jt-gw-07/);
    const owner = await asUser('owner.water', 'owner.water-password-1');
    await go(owner.page, '/situation');
    await shot(owner.page, 'situation-owner');
    expect(await owner.page.locator('main').textContent()).not.toContain('采集状态');
  });

  it('imports assets with a dry-run preview first', async () => {
    const b = await asUser('owner.water', 'owner.water-password-1');
    await go(b.page, '/assets?tab=import');
    const csv = 'name,type,addresses,criticality\n污水处理厂 PLC 网关,iot_gateway,10.30.2.1,high\n水质监测平台,web_application,,medium\n';
    await b.page.getByLabel('清单文件').setInputFiles({ name: 'water.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await b.page.getByRole('button', { name: '预览（不写入）' }).click();
    await expectText(b.page.locator('main'), /共 2 行：新建 2，更新 0，无变化 0，有错误 0/);
    expect((await app.call('GET', '/api/assets?q=污水', { token: users.admin })).body.total).toBe(0);
    await shot(b.page, 'assets-import-preview');
    await b.page.getByRole('button', { name: '导入', exact: true }).click();
    await expectText(b.page.locator('main'), /导入完成：新建 2 个资产/);
    expect((await app.call('GET', '/api/assets?q=污水', { token: users.admin })).body.items[0].department).toBe('水务局');
  });

  it('sends the user back to the login page with "session expired" when the session runs out', async () => {
    const b = await asUser('compliance1', 'compliance1-password-1');
    const expire = async () => {
      const db = new pg.Client({ connectionString: app.databaseUrl });
      await db.connect();
      await db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE username = 'compliance1')`);
      await db.end();
    };
    // Away while it ran out: the next visit says why the login page is back.
    await expire();
    await b.page.reload();
    await expectText(b.page.getByRole('alert'), /会话已过期，请重新登录/);
    // Running out while working: the next call's 401 brings the login page.
    await loginThroughForm(b.page, app.baseUrl, 'compliance1', 'compliance1-password-1');
    await b.page.locator('main .score-value').waitFor();
    await expire();
    await b.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '告警' }).click();
    await expectText(b.page.getByRole('alert'), /会话已过期，请重新登录/);
    await shot(b.page, 'session-expired');
    expect((await b.context.cookies()).find((c) => c.name === 'taishi_session')).toBeUndefined();
    // Reloaded, the login page still says why it is there (a call that met the expiry before a reload must not wipe that).
    await b.page.reload();
    await expectText(b.page.getByRole('alert'), /会话已过期，请重新登录/);
  });
});

