import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { axeViolations, buildConsole, consoleHarness, expectText, rowCount, setLanguage } from '../support/browser.js';
import { testDatabaseTargets } from '../support/databases.js';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
];

/**
 * A system owner takes the registry's export back through the import page: the preview says, row by
 * row, what would be created, updated, left alone or refused, in the words the console uses.
 */
describe.each(testDatabaseTargets())('asset import in the web console ($name PostgreSQL)', ({ name, adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let pumpId = '';
  let file: Buffer;
  const { asUser, go, shot, noUnlabelled } = consoleHarness(name, () => app.baseUrl);

  /**
   * Opens the page as the user in each language at each size, lets `show` bring it to the state to
   * look at, screenshots it and runs axe-core; fails with every serious or critical finding.
   */
  const everyLanguageAndSize = async (who: [string, string], label: string, show: (page: Page, lang: 'zh-CN' | 'en') => Promise<void>) => {
    const found: Record<string, string[]> = {};
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const size of SIZES) {
        const b = await asUser(who[0], who[1], { viewport: size });
        if (lang === 'en') await setLanguage(b.page, 'en');
        await show(b.page, lang);
        await shot(b.page, `${label}-${lang}-${size.width}x${size.height}`);
        const v = await axeViolations(b.page);
        if (v.length) found[`${lang} ${size.width}`] = v;
        // The language is the user's setting: leave it as the other tests expect it.
        if (lang === 'en') await setLanguage(b.page, 'zh-CN');
      }
    }
    expect(found).toEqual({});
  };
  const OWNER: [string, string] = ['owner.water', 'owner.water-password-1'];

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_CONSOLE_DIR: await buildConsole(), TAISHI_ORGANISATION_NAME: '某县大数据中心' });
    users = await seedUsers(app);
    expect((await app.call('GET', '/api/departments', { token: users.admin })).body.map((d: { name: string }) => d.name).sort()).toEqual(['水务局', '交通局'].sort());
    const pump = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '一号泵站控制器', type: 'iot_gateway', addresses: ['10.60.0.1'], criticality: 'high', expectedIntervalMinutes: 15 } });
    expect(pump.status).toBe(201);
    pumpId = pump.body.id;
    expect((await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '水质监测平台', type: 'web_application', addresses: ['10.60.0.2'] } })).status).toBe(201);
    // The owner's export with Chinese headers, edited as a person would in a spreadsheet.
    const exported = String((await app.call('GET', '/api/assets/export?format=csv&headers=zh', { token: users.ownerA.token })).body).replace(/^\uFEFF/, '');
    const [header, ...lines] = exported.trimEnd().split('\r\n');
    const columns = header.split(',');
    const edited = lines.map((line) => {
      if (!line.includes('一号泵站控制器')) return line;
      const cells = line.split(',');
      cells[columns.indexOf('状态')] = '维护中';
      return cells.join(',');
    });
    const blank = (values: Record<string, string>) => columns.map((c) => values[c] ?? '').join(',');
    file = Buffer.from(
      [header, ...edited, blank({ 名称: '二号泵站控制器', 类型: '物联网网关', 部门: '水务局', 地址: '10.60.0.3', 状态: '运行中' }), blank({ 名称: '三号泵站', 类型: 'server', 部门: '水务局', 状态: '报废' })].join('\r\n') + '\r\n',
    );
  });

  afterAll(() => app.stop());

  const preview = async (page: Page) => {
    await go(page, '/assets?tab=import');
    await page.locator('main input[type=file]').setInputFiles({ name: 'assets.csv', mimeType: 'text/csv', buffer: file });
    await page.getByRole('button', { name: /^(预览|Preview)/ }).click();
    await rowCount(page, 4);
  };

  it('previews create / update / unchanged / error per row, with the column named as in the file', async () => {
    const b = await asUser('owner.water', 'owner.water-password-1');
    await preview(b.page);
    const actions = await b.page.locator('main table tbody tr td:nth-child(3)').allTextContents();
    expect(actions).toEqual(['更新', '无变化', '新建', '错误']);
    await expectText(b.page.locator('main .notice'), /共 4 行：新建 1，更新 1，无变化 1，有错误 1/);
    await expectText(b.page.locator('main table tbody tr').nth(0), /生命周期/);
    await expectText(b.page.locator('main table tbody tr').nth(3), /^.*“状态”一栏的“报废”无法识别$/);
    expect(await b.page.getByRole('button', { name: '导入', exact: true }).isDisabled()).toBe(true);
    await noUnlabelled(b.page, 'assets import preview');
  });

  it('passes axe-core and leaves screenshots of the preview in Chinese and English at both sizes', async () => {
    await everyLanguageAndSize(OWNER, 'assets-import-preview', async (page, lang) => {
      await preview(page);
      if (lang === 'en') await expectText(page.locator('main .notice'), /4 rows: 1 to create, 1 to update, 1 unchanged, 1 with errors/);
    });
  }, 180_000);

  it('imports the file once the bad row is gone, and the edited asset changes', async () => {
    file = Buffer.from(file.toString('utf8').split('\r\n').filter((l) => !l.startsWith(',三号泵站')).join('\r\n'));
    const b = await asUser('owner.water', 'owner.water-password-1');
    await go(b.page, '/assets?tab=import');
    await b.page.locator('main input[type=file]').setInputFiles({ name: 'assets.csv', mimeType: 'text/csv', buffer: file });
    await b.page.getByRole('button', { name: /^预览/ }).click();
    await rowCount(b.page, 3);
    await b.page.getByRole('button', { name: '导入', exact: true }).click();
    await expectText(b.page.locator('main .notice'), /导入完成：新建 1 个资产，更新 1 个，1 个无变化/);
    expect((await app.call('GET', `/api/assets/${pumpId}`, { token: users.ownerA.token })).body.lifecycle).toBe('maintenance');
  });

  it('an administrator importing a file that names a department not listed yet is told so, and may add it with the import', async () => {
    const firstImport = Buffer.from('名称,类型,部门,地址\r\n空气质量监测站,物联网网关,生态环境局,10.61.0.1\r\n');
    const choose = async (page: Page) => {
      await go(page, '/assets?tab=import');
      await page.locator('main input[type=file]').setInputFiles({ name: 'first.csv', mimeType: 'text/csv', buffer: firstImport });
    };
    const b = await asUser('admin', ADMIN_PASSWORD);
    await choose(b.page);
    await b.page.getByRole('button', { name: /^预览/ }).click();
    await expectText(b.page.locator('main table tbody tr').nth(0), /部门“生态环境局”不在部门列表中.*勾选“添加新部门”/);
    await b.page.getByLabel('添加新部门').check();
    await b.page.getByRole('button', { name: /^预览/ }).click();
    await expectText(b.page.locator('main .notice'), /新建 1.*将添加部门：生态环境局。/);
    await shot(b.page, 'assets-import-add-departments-zh-CN');
    await b.page.getByRole('button', { name: '导入', exact: true }).click();
    await expectText(b.page.locator('main .notice'), /导入完成：新建 1 个资产.*已添加部门：生态环境局。/);
    expect((await app.call('GET', '/api/departments', { token: users.admin })).body.map((d: { name: string }) => d.name)).toContain('生态环境局');
    const en = await asUser('admin', ADMIN_PASSWORD);
    await setLanguage(en.page, 'en');
    await choose(en.page);
    await en.page.getByLabel('Add new departments').check();
    await en.page.getByRole('button', { name: /^Preview/ }).click();
    await expectText(en.page.locator('main .notice'), /1 rows?: 0 to create, 0 to update, 1 unchanged/);
    await shot(en.page, 'assets-import-add-departments-en');
    await setLanguage(en.page, 'zh-CN');
    // An owner is not offered the choice: only administrators grow the list.
    const owner = await asUser(...OWNER);
    await go(owner.page, '/assets?tab=import');
    expect(await owner.page.getByLabel('添加新部门').count()).toBe(0);
  });

  it('an administrator keeps the department list: adds, renames, is told why an occupied one stays; assets pick from it', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD);
    await go(b.page, '/admin/departments');
    await b.page.getByRole('button', { name: '添加部门' }).first().click();
    let dialog = b.page.getByRole('dialog');
    await dialog.getByLabel('部门名称').fill('审计局');
    await dialog.getByRole('button', { name: '添加部门' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectText(b.page.locator('main table'), /审计局/);
    await b.page.locator('main tbody tr', { hasText: '审计局' }).getByRole('button', { name: '改名' }).click();
    dialog = b.page.getByRole('dialog');
    await dialog.getByLabel('部门名称').fill('县审计局');
    await dialog.getByRole('button', { name: '改名' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectText(b.page.locator('main table'), /县审计局/);
    // 水务局 holds assets and an owner: removing it is refused with the reason, in Chinese.
    await b.page.locator('main tbody tr', { hasText: '水务局' }).getByRole('button', { name: '删除' }).click();
    dialog = b.page.getByRole('dialog');
    await dialog.getByRole('button', { name: '删除' }).click();
    await expectText(dialog, /部门“水务局”仍有 \d+ 个资产和 1 个用户，请先把它们移到其他部门/);
    await dialog.getByRole('button', { name: /取消|关闭/ }).first().click();
    await noUnlabelled(b.page, 'departments');
    // The asset form offers the list.
    await go(b.page, '/assets');
    await b.page.getByRole('button', { name: '登记资产' }).first().click();
    const picker = b.page.getByRole('dialog').getByLabel('所属部门');
    await picker.locator('option', { hasText: '县审计局' }).waitFor({ state: 'attached' });
    const options = await picker.locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['县审计局', '水务局']));
    expect((await app.call('GET', '/api/departments', { token: users.admin })).body.map((d: { name: string }) => d.name)).toContain('县审计局');
  });

  it('the departments page passes axe-core and leaves screenshots in Chinese and English at both sizes', async () => {
    const listed = (await app.call('GET', '/api/departments', { token: users.admin })).body.length;
    await everyLanguageAndSize(['admin', ADMIN_PASSWORD], 'departments', async (page) => {
      await go(page, '/admin/departments');
      await rowCount(page, listed);
    });
  }, 180_000);

  it('the situation page says 未知 / no data for a department whose running assets sent nothing, listing them, in both languages', async () => {
    await everyLanguageAndSize(OWNER, 'situation-no-data', async (page, lang) => {
      await go(page, '/situation');
      await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('main .chart')].every((c: any) => c.dataset.chart !== 'loading'));
      await expectText(page.locator('main .score-value'), lang === 'zh-CN' ? /^未知$/ : /^Unknown$/);
      await expectText(page.locator('main'), lang === 'zh-CN' ? /一号泵站控制器.*未知 \/ 无数据/ : /一号泵站控制器.*Unknown \/ no data/);
      // Each with the interval it was judged by: the pump's own, the platform's the default.
      const row = (name: string) => page.locator('main tr', { hasText: name });
      await expectText(row('一号泵站控制器'), lang === 'zh-CN' ? /预期每 15 分钟$/ : /expected every 15 min$/);
      await expectText(row('水质监测平台'), lang === 'zh-CN' ? /预期每 24 小时（默认）$/ : /expected every 24 h \(default\)$/);
      expect(await page.locator('main .reasons-none').count()).toBe(0);
    });
  }, 180_000);

  it('the asset form takes the expected interval as a number and a unit, and the situation page says it back in the largest whole unit', async () => {
    const b = await asUser(OWNER[0], OWNER[1]);
    await go(b.page, `/assets?id=${pumpId}`);
    const dialog = b.page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByLabel('预期上报间隔').inputValue()).toBe('15');
    expect(await dialog.getByLabel('间隔单位').inputValue()).toBe('minutes');
    // The hint names the default an empty field falls back to, from the service's setting.
    await expectText(dialog.locator('.field', { has: b.page.getByLabel('预期上报间隔') }).locator('.hint'), /留空则用默认间隔（每 24 小时）。$/);
    await dialog.getByLabel('预期上报间隔').fill('2');
    await dialog.getByLabel('间隔单位').selectOption('days');
    await noUnlabelled(b.page, 'asset form with the expected interval');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await app.call('GET', `/api/assets/${pumpId}`, { token: users.ownerA.token })).body.expectedIntervalMinutes).toBe(2880);
    await go(b.page, '/situation');
    await expectText(b.page.locator('main tr', { hasText: '一号泵站控制器' }), /预期每 2 天$/);
  }, 120_000);
});
