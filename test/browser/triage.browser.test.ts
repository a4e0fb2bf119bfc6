import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunsService } from '../../src/compliance/index.js';
import { LiveDetection } from '../../src/detection/index.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { axeViolations, buildConsole, consoleHarness, expectText, setLanguage } from '../support/browser.js';
import { testDatabaseTargets } from '../support/databases.js';

const SHOTS = process.env.TAISHI_SHOTS_DIR ?? '/tmp/shots';
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
];

/**
 * The analyst's day screen: what needs attention first, errors in the user's language, charts
 * under the strict CSP, Chinese that does not wrap in narrow columns, and axe-core on every page.
 */
describe.each(testDatabaseTargets())('triage in the web console ($name PostgreSQL)', ({ name, adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  const { open, asUser, go } = consoleHarness(name, () => app.baseUrl);
  let clockKey = '';

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_CONSOLE_DIR: await buildConsole(), TAISHI_ORGANISATION_NAME: '某县大数据中心' });
    users = await seedUsers(app);
    const asset = await app.call('POST', '/api/assets', { token: users.admin, body: { name: 'LabSZ 堡垒机', type: 'server', department: '水务局', addresses: ['labsz'], criticality: 'high' } });
    expect(asset.status).toBe(201);
    const lines = (await readFile('fixtures/loghub/OpenSSH_2k.log', 'utf8')).split('\n').filter(Boolean);
    for (let i = 0; i < lines.length; i += 500) {
      const r = await app.call('POST', '/api/ingest?source=labsz', { token: users.admin, rawBody: lines.slice(i, i + 500).join('\n'), headers: { 'content-type': 'text/plain' } });
      expect(r.status).toBe(202);
    }
    await app.running.app.get(LiveDetection).settled();
    // Discovered 20 minutes ago and graded 重大 by the analyst: a reporting clock runs. Another is the analyst's own.
    const assetId = asset.body.id as string;
    const graded = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '供水调度系统数据外泄', category: 'data_security', assetIds: [assetId], detectedAt: new Date(Date.now() - 20 * 60_000).toISOString() } });
    expect(graded.status).toBe(201);
    clockKey = graded.body.key;
    expect((await app.call('POST', `/api/incidents/${clockKey}/grade`, { token: users.analyst.token, body: { grade: 'major', reason: '泄露用水户信息' } })).status).toBe(200);
    const mine = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '堡垒机异常登录复核', category: 'network_attack', assetIds: [assetId], priority: 'p2', assigneeId: users.analyst.id } });
    expect(mine.status).toBe(201);
    const [profile] = (await app.call('GET', '/api/compliance/profiles', { token: users.compliance.token })).body;
    const started = await app.call('POST', '/api/compliance/runs', { token: users.compliance.token, body: { profileId: profile.id } });
    expect((await app.running.app.get(RunsService).settled(started.body.id)).status).toBe('completed');
  }, 180_000);

  afterAll(() => app.stop());

  it('answers a wrong password in the language of the page, from the error code', async () => {
    for (const [locale, wrong] of [
      ['zh-CN', /^用户名或密码错误$/],
      ['en-US', /^Invalid username or password$/],
    ] as const) {
      const b = await open({ locale });
      await b.page.goto(`${app.baseUrl}/`);
      if (locale === 'en-US') await b.page.getByRole('button', { name: 'English' }).click();
      await b.page.getByLabel(/用户名|Username/).fill('admin');
      await b.page.getByLabel(/^(密码|Password)$/).fill('wrong-password');
      await b.page.getByRole('button', { name: /^(登录|Log in)$/ }).click();
      await expectText(b.page.getByRole('alert'), wrong);
    }
  });

  it('words a refused form field by its label, in Chinese', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD);
    const text = await b.page.evaluate(async () => {
      const api = await import('/assets/core/api.js' as string);
      const ui = await import('/assets/core/ui.js' as string);
      try {
        await api.api('POST', '/api/assets', { body: { name: '', type: 'toaster', department: '水务局', addresses: ['10.0.0.256'] } });
      } catch (error) {
        return ui.errorText(error);
      }
      return 'accepted';
    });
    expect(text).toMatch(/^以下字段填写有误：名称（.+）、类型（不在可选值中）$/);
  });

  it('puts the running legal clocks, the untaken urgent work and my queue on top of the situation page; tooltips work under the CSP', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/situation');
    const clocks = b.page.getByRole('region', { name: '法定报告时限倒计时' });
    await expectText(clocks.getByRole('timer').first(), /^\d\d:\d\d:\d\d$/);
    expect(await clocks.getByRole('link').first().textContent()).toBe(clockKey);
    // The countdown ticks.
    const before = await clocks.getByRole('timer').first().textContent();
    await b.page.waitForTimeout(1200);
    expect(await clocks.getByRole('timer').first().textContent()).not.toBe(before);
    expect(await clocks.getByRole('timer').first().evaluate((el: any) => (globalThis as any).getComputedStyle(el).color)).toBe('rgb(185, 28, 28)');
    // The band comes before the posture score.
    const order = await b.page.locator('main h2').allTextContents();
    expect(order.slice(0, 4)).toEqual(['法定报告时限倒计时', '无人处理', '我的待办', '安全态势评分']);
    await expectText(b.page.getByRole('region', { name: '我的待办' }), /INC-/);
    // Hovering a chart shows its tooltip drawn on the canvas: the harness fails the test on any CSP refusal.
    await b.page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('main .chart')].every((c: any) => c.dataset.chart === 'ready'));
    for (const chart of await b.page.locator('main .chart').all()) {
      const box = (await chart.boundingBox())!;
      await b.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await b.page.waitForTimeout(200);
    }
    expect(b.problems).toEqual([]);
  });

  it('keeps status chips, keys and short cells on one line, and the matrix headers short with the full name on hover', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD, { viewport: { width: 1280, height: 720 } });
    for (const where of ['/incidents', '/alerts', '/compliance?tab=findings']) {
      await go(b.page, where);
      const wrapped = await b.page.locator('main td.nowrap, main .badge, main .key').evaluateAll((els: any[]) =>
        els.filter((el) => el.getClientRects().length > 1 || el.scrollWidth > el.clientWidth + 1 || (el.matches('.badge') && el.getBoundingClientRect().height > 30)).map((el) => el.textContent),
      );
      expect({ where, wrapped }).toEqual({ where, wrapped: [] });
      // Longer text keeps a readable width: no title broken every two or three characters.
      const squeezed = await b.page.locator('main td.prose').evaluateAll((els: any[]) => els.filter((el) => el.getBoundingClientRect().width < 100).map((el) => el.textContent));
      expect({ where, squeezed }).toEqual({ where, squeezed: [] });
    }
    // The same in English, where the headers and badges are wider.
    await setLanguage(b.page, 'en');
    await go(b.page, '/incidents');
    expect(await b.page.locator('main td.prose').evaluateAll((els: any[]) => els.filter((el) => el.getBoundingClientRect().width < 100).map((el) => el.textContent))).toEqual([]);
    // Where the row is too wide, the running clocks stay in view and where and when scroll out first.
    const deadlines = await b.page.locator('main th', { hasText: /^Deadlines$/ }).boundingBox();
    expect(deadlines!.x + deadlines!.width).toBeLessThanOrEqual(1280);
    await setLanguage(b.page, 'zh-CN');
    await go(b.page, '/compliance?tab=results');
    const headers = b.page.locator('main table.matrix th.subject');
    // The results load after the page's heading and filters: wait for the matrix, or for what the page shows
    // in its place (an empty state, an error), and name what was on screen when it is not the matrix.
    const onScreen = async () => ({ at: await b.page.evaluate(() => (globalThis as any).location.hash), main: (await b.page.locator('main').innerText()).slice(0, 600) });
    await b.page.locator('main table.matrix, main .empty, main .notice-error').first().waitFor().catch(async () => expect(await onScreen()).toEqual('the results matrix'));
    if (!(await headers.count())) expect(await onScreen()).toEqual('the results matrix');
    expect(await headers.count()).toBeGreaterThan(0);
    for (const th of await headers.all()) {
      const full = await th.getAttribute('title');
      expect(await th.locator('.visually-hidden').textContent()).toBe(full);
    }
    expect(await b.page.locator('main table.matrix tbody th').first().evaluate((el: any) => (globalThis as any).getComputedStyle(el).position)).toBe('sticky');
  });

  it('sorts alerts by any column (most severe first by default), keeps the sort in the URL, and triages from the keyboard', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/alerts');
    const levels = async () => b.page.locator('main table tbody tr td:nth-child(2)').allTextContents();
    const ranks = (await levels()).map((l) => ['严重', '高', '中', '低', '信息'].indexOf(l));
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(await b.page.locator('main th[aria-sort]').textContent()).toMatch(/^级别/);
    await b.page.getByRole('button', { name: /^次数/ }).click();
    await b.page.waitForFunction(() => (globalThis as any).location.hash.includes('sort=count%3Adesc') || (globalThis as any).location.hash.includes('sort=count:desc'));
    // The hash changes before the list is fetched again: wait for the redrawn table, not the URL.
    await b.page.waitForFunction(() => {
      const n = [...(globalThis as any).document.querySelectorAll('main table tbody tr td.num')].map((td: any) => Number(td.textContent));
      return n.length > 0 && n.every((v: number, i: number) => i === 0 || n[i - 1] >= v);
    });
    const counts = (await b.page.locator('main table tbody tr td.num').allTextContents()).map(Number);
    expect(counts).toEqual([...counts].sort((x, y) => y - x));
    // The URL carries the view: opening it again shows the same order.
    await b.page.reload();
    await b.page.locator('main table tbody tr').first().waitFor();
    expect((await b.page.locator('main table tbody tr td.num').allTextContents()).map(Number)).toEqual(counts);
    // j twice, then a: the second row is acknowledged and stays where it was, its status updated in place.
    const rows = await b.page.locator('main table tbody tr').count();
    const second = await b.page.locator('main table tbody tr').nth(1).getAttribute('data-key');
    await b.page.locator('main h1').click();
    await b.page.keyboard.press('j');
    await b.page.keyboard.press('j');
    expect(await b.page.locator('main tr.row-cursor').getAttribute('data-key')).toBe(second);
    await b.page.keyboard.press('a');
    await expectText(b.page.locator(`main table tbody tr[data-key="${second}"] td:last-child`), /^已确认/);
    expect(await b.page.locator('main table tbody tr').count()).toBe(rows);
    expect(await b.page.locator('main tr.row-cursor').getAttribute('data-key')).toBe(second);
    expect((await app.call('GET', `/api/alerts/${second}`, { token: users.analyst.token })).body.status).toBe('acknowledged');
    expect(b.problems).toEqual([]);
  });

  it('sorts incidents on the service by the column asked for (most serious grade first by default), the sort kept in the URL', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/incidents');
    expect(await b.page.locator('main th[aria-sort]').textContent()).toMatch(/^等级/);
    await expectText(b.page.locator('main table tbody tr').first(), /供水调度系统数据外泄/);
    const priorities = () => b.page.locator('main table tbody tr td:nth-child(7)').allTextContents();
    await b.page.getByRole('button', { name: /^优先级/ }).click();
    await b.page.waitForFunction(() => /sort=priority(%3A|:)desc/.test((globalThis as any).location.hash));
    await b.page.waitForFunction(() => (globalThis as any).document.querySelector('main th[aria-sort]')?.textContent.startsWith('优先级'));
    const ranks = (await priorities()).map((p) => Number(/^P(\d)/.exec(p)?.[1]));
    expect(ranks.every((r) => r >= 1 && r <= 4)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect((await app.call('GET', '/api/incidents?kind=incident&open=true&sort=priority:desc&limit=50', { token: users.analyst.token })).body.items.map((i: { priority: string }) => Number(i.priority.slice(1)))).toEqual(ranks);
    await b.page.reload();
    await b.page.locator('main table tbody tr').first().waitFor();
    expect((await priorities()).map((p) => Number(/^P(\d)/.exec(p)?.[1]))).toEqual(ranks);
    // j twice puts the cursor on the second row; Enter opens that incident.
    const second = await b.page.locator('main table tbody tr').nth(1).getAttribute('data-key');
    await b.page.locator('main h1').click();
    await b.page.keyboard.press('j');
    await b.page.keyboard.press('j');
    expect(await b.page.locator('main tr.row-cursor').getAttribute('data-key')).toBe(second);
    await b.page.keyboard.press('Enter');
    await b.page.waitForFunction((key) => (globalThis as any).location.hash.includes(`id=${key}`), second);
    await expectText(b.page.locator('main h1'), new RegExp(second!));
    expect(b.problems).toEqual([]);
  });

  it('acknowledges and takes an incident from the list with a and m, the row kept under the cursor', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    await go(b.page, '/incidents');
    const row = b.page.locator(`main table tbody tr[data-key="${clockKey}"]`);
    await expectText(row.locator('td:nth-child(6)'), /^新建$/);
    await b.page.locator('main h1').click();
    const cursorKey = () => b.page.locator('main tr.row-cursor').getAttribute('data-key', { timeout: 1000 }).catch(() => null);
    for (let moves = 0; (await cursorKey()) !== clockKey && moves < 50; moves++) await b.page.keyboard.press('j');
    await b.page.keyboard.press('a');
    await expectText(b.page.getByRole('status').last(), new RegExp(`${clockKey} 已转为“已确认”`));
    await expectText(row.locator('td:nth-child(6)'), /^已确认$/);
    expect(await cursorKey()).toBe(clockKey);
    await b.page.keyboard.press('m');
    await expectText(b.page.getByRole('status').last(), new RegExp(`已将 ${clockKey} 分派给您`));
    const stored = await app.call('GET', `/api/incidents/${clockKey}`, { token: users.analyst.token });
    expect(stored.body).toMatchObject({ state: 'acknowledged', assigneeId: users.analyst.id });
    expect(b.problems).toEqual([]);
  });

  it('words why a notification was not sent, and names its recipient', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD);
    await go(b.page, '/admin/notifications');
    const skipped = b.page.locator('main table tbody tr', { hasText: '已跳过' }).first();
    await expectText(skipped.locator('td:nth-child(3)'), /^analyst1$/);
    await expectText(skipped.locator('td:nth-child(5)'), /^已跳过 — 用户 analyst1 没有电子邮箱$/);
    await setLanguage(b.page, 'en');
    await expectText(b.page.locator('main table tbody tr', { hasText: 'Skipped' }).first().locator('td:nth-child(5)'), /^Skipped — user analyst1 has no e-mail address$/);
    await setLanguage(b.page, 'zh-CN');
    expect(b.problems).toEqual([]);
  });

  it('words the audit log: actions and actors in the reader\'s language, each change as before → after', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD);
    await go(b.page, '/admin/audit?targetType=alert');
    const first = b.page.locator('main table tbody tr').first();
    await expectText(first.locator('td:nth-child(4)'), /^确认告警$/);
    await expectText(first.locator('td:nth-child(3)'), /^analyst1 · 安全分析员$/);
    await expectText(first.locator('.diff-list'), /状态：待处理 → 已确认/);
    expect(await first.locator('details pre.json').isVisible()).toBe(false);
    await first.locator('details summary').click();
    expect(await first.locator('details pre.json').isVisible()).toBe(true);
    // A refused login: the reason in words, not the stored code.
    await go(b.page, '/admin/audit?targetType=user');
    const refused = b.page.locator('main table tbody tr', { hasText: '失败' }).first();
    await expectText(refused.locator('.diff-list'), /原因：— → 密码错误/);
    // A changed language reads as the language and the account as its name, not a code and a UUID.
    const ownSettings = b.page.locator('main table tbody tr', { hasText: '语言' }).first();
    await expectText(ownSettings.locator('.diff-list'), /语言：(简体中文 → English|English → 简体中文)/);
    await expectText(ownSettings.locator('td:nth-child(5)'), /^用户 admin$/);
    // An assignee by name.
    await go(b.page, '/admin/audit?targetType=incident');
    await expectText(b.page.locator('main .diff-list', { hasText: '负责人' }).first(), /负责人：— → analyst1/);
    expect(b.problems).toEqual([]);
  });

  it('passes axe-core with no serious or critical violation on every page, in Chinese and English, and leaves screenshots to look at', async () => {
    const pages = ['/situation', '/alerts', '/incidents', '/events', '/assets', '/assets?tab=unregistered', '/assets?tab=import', '/compliance', '/compliance?tab=results', '/compliance?tab=findings', '/compliance?tab=controls', '/compliance?tab=attestations', '/rules', '/admin/users', '/admin/departments', '/admin/api-keys', '/admin/notifications', '/admin/audit'];
    const found: Record<string, string[]> = {};
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const size of SIZES) {
        const b = await asUser('admin', ADMIN_PASSWORD, { viewport: size });
        if (lang === 'en') await setLanguage(b.page, 'en');
        for (const where of pages) {
          await go(b.page, where);
          await b.page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('main .chart')].every((c: any) => c.dataset.chart !== 'loading'));
          const label = `${lang}-${size.width}x${size.height}-${where.replace(/^\//, '').replace(/[/?=&]/g, '_')}`;
          await b.page.screenshot({ path: path.join(SHOTS, `${label}.png`), fullPage: true });
          if (size === SIZES[0]) {
            const v = await axeViolations(b.page);
            if (v.length) found[`${lang} ${where}`] = v;
          }
        }
      }
    }
    expect(found).toEqual({});
  }, 300_000);
});
