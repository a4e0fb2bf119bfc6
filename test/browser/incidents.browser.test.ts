import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { LiveDetection } from '../../src/detection/index.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { buildConsole, consoleHarness, expectText } from '../support/browser.js';
import { testDatabaseTargets } from '../support/databases.js';

// analysts read Chinese (their default language setting), so rule titles come in Chinese
const ENUMERATION = '用无效用户名进行 SSH 账号枚举';

/**
 * The incidents part of the console over the replayed OpenSSH log of host LabSZ (December, long
 * quiet in event time, so the recovery quiet period has run out and closing works).
 */
describe.each(testDatabaseTargets())('incidents in the web console ($name PostgreSQL)', ({ name, adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  const { asUser, go, shot, noUnlabelled } = consoleHarness(name, () => app.baseUrl);
  /** One step of the workflow through its dialog; `fill` answers what the step asks. */
  const move = async (page: Page, to: string, fill?: (dialog: Locator) => Promise<void>) => {
    await page.getByRole('toolbar', { name: '状态变更' }).getByRole('button', { name: `转为“${to}”` }).click();
    const dialog = page.getByRole('dialog');
    await fill?.(dialog);
    await dialog.getByRole('button', { name: `转为“${to}”` }).click();
    await expectText(page.locator('main .page-header .badge-state'), new RegExp(`^${to}$`));
  };

  beforeAll(async () => {
    // Medium alerts stay out of incidents here (join_level: high), so the analyst can send them by hand.
    const rulesDir = await mkdtemp(path.join(tmpdir(), 'taishi-incident-rules-'));
    await cp('rules/incidents', rulesDir, { recursive: true });
    await writeFile(path.join(rulesDir, 'policy.yml'), (await readFile('rules/incidents/policy.yml', 'utf8')).replace('join_level: medium', 'join_level: high'));
    app = await startTestApp(adminUrl, { TAISHI_CONSOLE_DIR: await buildConsole(), TAISHI_ORGANISATION_NAME: '某县大数据中心', TAISHI_INCIDENT_RULES_DIR: rulesDir });
    users = await seedUsers(app);
    const asset = await app.call('POST', '/api/assets', { token: users.admin, body: { name: 'LabSZ 堡垒机', type: 'server', department: '水务局', addresses: ['labsz'], criticality: 'high' } });
    expect(asset.status).toBe(201);
    const lines = (await readFile('fixtures/loghub/OpenSSH_2k.log', 'utf8')).split('\n').filter(Boolean);
    for (let i = 0; i < lines.length; i += 500) {
      const r = await app.call('POST', '/api/ingest?source=labsz', { token: users.admin, rawBody: lines.slice(i, i + 500).join('\n'), headers: { 'content-type': 'text/plain' } });
      expect(r.status).toBe(202);
    }
    await app.running.app.get(LiveDetection).settled();
  });

  afterAll(() => app.stop());

  it('lists the incidents the high alerts opened, with their deadlines, and draws them on the situation page', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    const open = (await app.call('GET', '/api/incidents?kind=incident&open=true', { token: users.analyst.token })).body;
    // One host, one intrusion: the high alerts of every rule on LabSZ are one incident (issue 14).
    expect(open.total).toBe(1);
    await go(b.page, '/incidents');
    expect(await b.page.locator('main table tbody tr').count()).toBe(open.total);
    await expectText(b.page.locator('main table tbody'), /单一来源地址 SSH 暴力破解 — LabSZ 堡垒机/);
    // Each open incident shows its service targets still running, with the time left.
    expect(await b.page.locator('main table tbody .badge-sla-running').count()).toBe(open.total * 3);
    await expectText(b.page.locator('main table tbody .badge-sla-running').first(), /^确认：剩余 \d+ 小时 \d+ 分$/);
    await noUnlabelled(b.page, 'incidents');
    await shot(b.page, 'incidents');

    await go(b.page, '/situation');
    const figure = b.page.getByRole('figure', { name: '未结事件数（按国家分级）' });
    await b.page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('main .chart')].every((c: any) => c.dataset.chart === 'ready'));
    expect(await figure.locator('canvas').count()).toBeGreaterThan(0);
    const plotted = (await figure.locator('.chart').evaluate((el: any) =>
      (globalThis as any).echarts.getInstanceByDom(el).getOption().series[0].data.map((d: { value: number }) => d.value),
    )) as number[];
    expect(plotted.reduce((a, n) => a + n, 0)).toBe(open.total);
    await expectText(b.page.getByRole('list', { name: '各等级未结事件' }), new RegExp(`一般\\s*${open.items.filter((i: { grade: string }) => i.grade === 'general').length}`));
    await shot(b.page, 'situation-incidents');
  });

  it('an analyst takes an alert into an incident and through respond → recover → closed', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    const page = b.page;
    const medium = (await app.call('GET', '/api/alerts?status=open&level=medium&limit=100', { token: users.analyst.token })).body.items as { id: string; ruleTitle: string; groupKey: string }[];
    const [first, second] = medium.filter((a) => a.ruleTitle === ENUMERATION);
    expect(second).toBeDefined();
    // The same rule fires more than once on one address, so the row is picked by the alert's id; its label names the alert.
    const select = async (a: { id: string; ruleTitle: string; groupKey: string }) => {
      const box = page.locator(`main input[data-row="${a.id}"]`);
      expect(await box.getAttribute('aria-label')).toBe(`选择告警：${a.ruleTitle}（${a.groupKey}）`);
      await box.check();
    };

    // From the alerts page: the first alert opens a new incident.
    await go(page, '/alerts?level=medium');
    await select(first);
    await page.getByRole('toolbar', { name: '批量操作' }).getByRole('button', { name: '加入事件…' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('事件标题').fill('LabSZ 账号枚举排查');
    await dialog.getByLabel('类别').selectOption('network_attack');
    await noUnlabelled(page, 'send to incident');
    await shot(page, 'alerts-to-incident');
    await dialog.getByRole('button', { name: '加入事件', exact: true }).click();
    await expectText(dialog.getByRole('status'), /1 条告警已加入 INC-\d{4}-\d{4}“LabSZ 账号枚举排查”/);
    const key = /INC-\d{4}-\d{4}/.exec((await dialog.getByRole('status').textContent())!)![0];
    await dialog.getByRole('button', { name: '关闭' }).click();

    // The second joins the same incident by its key.
    await select(second);
    await page.getByRole('toolbar', { name: '批量操作' }).getByRole('button', { name: '加入事件…' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('加入', { exact: true }).selectOption('existing');
    await dialog.getByLabel('事件编号').fill(key);
    await dialog.getByRole('button', { name: '加入事件', exact: true }).click();
    await expectText(dialog.getByRole('status'), new RegExp(`1 条告警已加入 ${key}`));
    await dialog.getByRole('link', { name: `打开 ${key}` }).click();
    await expectText(page.locator('main h1'), new RegExp(`^${key} LabSZ 账号枚举排查$`));
    const detail = (await app.call('GET', `/api/incidents/${key}`, { token: users.analyst.token })).body;
    expect(detail.alerts.map((a: { id: string }) => a.id).sort()).toEqual([first.id, second.id].sort());

    // The assignee picker lists security staff by name; choosing one saves at once. The page redraws
    // after it, and a comment half-written meanwhile is still there.
    await page.getByLabel('评论', { exact: true }).fill('先核对堡垒机登录记录');
    await page.getByLabel('分派给').selectOption({ label: 'analyst1' });
    await expectText(page.getByRole('status').last(), new RegExp(`已将 ${key} 分派给 analyst1`));
    expect(await page.getByLabel('评论', { exact: true }).inputValue()).toBe('先核对堡垒机登录记录');
    await page.getByLabel('评论', { exact: true }).fill('');
    expect((await app.call('GET', `/api/incidents/${key}`, { token: users.analyst.token })).body.assigneeId).toBe(users.analyst.id);

    // Evidence: the events behind the alerts, each a way into the event search.
    const evidence = page.getByRole('table', { name: /^证据事件（\d+）$/ });
    await evidence.locator('tbody tr').first().waitFor();
    expect(await evidence.getByRole('link', { name: '查看' }).count()).toBeGreaterThan(0);
    await expectText(page.getByRole('table', { name: '关联告警（2）' }), new RegExp(ENUMERATION));
    // The grade and why: the asset gives no floor, so the proposal is 一般 with its rationale.
    await expectText(page.getByRole('list', { name: '定级依据' }), /一般/);
    await noUnlabelled(page, 'incident new');
    await shot(page, 'incident-new');

    // Triage, then the analyst raises the grade with a reason; a reporting clock now runs.
    await move(page, '已确认');
    await move(page, '已证实', (d) => d.getByLabel('说明（可选，记入时间线）').fill('同一来源先枚举账号再爆破'));
    await page.getByRole('button', { name: '调整等级…' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('等级', { exact: true }).selectOption('relatively_major');
    await dialog.getByLabel('调整原因').fill('枚举成功的账号可登录供水调度网络');
    await dialog.getByRole('button', { name: '确定等级' }).click();
    await expectText(page.locator('main .page-header'), /较大/);
    await expectText(page.locator('main'), /分析员设定，原因：枚举成功的账号可登录供水调度网络/);

    // The report draft: Taishi filled what it knows; the analyst adds the place and the impact.
    const checklist = page.getByRole('list', { name: '初次报告要素' });
    await expectText(checklist, /已填写\s*事发单位及受影响系统/);
    await expectText(checklist, /待补充\s*发现时间和地点/);
    await page.getByLabel('发现地点').fill('县大数据中心机房');
    await page.getByLabel('影响范围和程度').fill('堡垒机账号可能泄露，尚未发现成功登录');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await expectText(page.getByRole('list', { name: '初次报告要素' }), /已填写\s*发现时间和地点/);
    await shot(page, 'incident-report');
    // Mandatory items are still empty: without a reason the report is refused, naming them (Art. 7).
    await page.getByRole('button', { name: '标记为已初报' }).click();
    await expectText(page.locator('main'), /报告缺少必报事项：.*现场保护情况/);
    await page.getByLabel('缺项原因').fill('原因仍在分析，先报告第（一）（二）项');
    await page.getByRole('button', { name: '标记为已初报' }).click();
    await expectText(page.locator('main'), /报告状态已初报/);
    const report = (await app.call('GET', `/api/incidents/${key}/report`, { token: users.compliance.token })).body;
    expect(report).toMatchObject({ status: 'initial_submitted', draft: { content: { discoveryPlace: '县大数据中心机房', unit: '某县大数据中心', systems: ['LabSZ 堡垒机'] } } });
    expect(report.deadline.met).toBe(true);

    // Accounts of residents turned out to be exposed: the PIPL Art. 57 notice appears, with its three items.
    expect((await app.call('PATCH', `/api/incidents/${key}`, { token: users.analyst.token, body: { gradingFacts: { personalDataExposed: 320 } } })).status).toBe(200);
    await page.reload();
    await expectText(page.locator('main'), /（一）信息种类、原因和可能造成的危害/);
    await expectText(page.locator('main'), /（三）个人信息处理者的联系方式/);
    await shot(page, 'incident-report-pipl');

    // Respond: a task of our own, done; a comment.
    await move(page, '遏制中');
    await page.getByRole('button', { name: '添加任务' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('任务', { exact: true }).fill('封禁 103.99.0.122 和 183.62.140.253');
    await dialog.getByRole('button', { name: '添加任务' }).click();
    const status = page.getByRole('combobox', { name: '任务状态：封禁 103.99.0.122 和 183.62.140.253' });
    await status.selectOption('done');
    await expectText(page.getByRole('status').last(), /任务“封禁 103.99.0.122 和 183.62.140.253”已设为“已完成”/);
    await page.getByLabel('评论', { exact: true }).fill('防火墙已封禁两个来源地址');
    await page.getByRole('button', { name: '发表评论' }).click();
    await expectText(page.getByRole('list', { name: '时间线' }), /防火墙已封禁两个来源地址/);

    // Containment leads straight to recovery; this step is made from the keyboard alone.
    await page.getByRole('toolbar', { name: '状态变更' }).getByRole('button', { name: '转为“恢复中”' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.type('口令已全部重置');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expectText(page.locator('main .page-header .badge-state'), /^恢复中$/);
    await move(page, '验证中');
    await noUnlabelled(page, 'incident verification');

    // Closing asks for the review; each protective action becomes a protect ticket.
    await move(page, '已关闭', async (d) => {
      await d.getByLabel('根本原因').fill('堡垒机 SSH 对公网开放且允许口令登录');
      await d.getByLabel('经验教训').fill('管理入口不应暴露在公网');
      await d.getByLabel('防护措施').fill('堡垒机仅允许 VPN 访问\n启用 SSH 密钥登录');
      await shot(page, 'incident-close');
    });
    const timeline = page.getByRole('list', { name: '时间线' });
    await expectText(timeline, /状态：验证中 → 已关闭/);
    await expectText(timeline, /开立防护工单“堡垒机仅允许 VPN 访问”/);
    await expectText(page.locator('main'), /事后复盘/);
    await shot(page, 'incident-closed');
    const closed = (await app.call('GET', `/api/incidents/${key}`, { token: users.analyst.token })).body;
    expect(closed).toMatchObject({ state: 'closed', resolution: 'resolved', review: { protectiveActions: ['堡垒机仅允许 VPN 访问', '启用 SSH 密钥登录'] } });
    expect(closed.timeline.filter((e: { type: string }) => e.type === 'transition').map((e: { detail: { to: string } }) => e.detail.to)).toEqual([
      'acknowledged',
      'confirmed',
      'containment',
      'recovery',
      'verification',
      'closed',
    ]);
    expect(closed.timeline.find((e: { detail: { to?: string } }) => e.detail.to === 'recovery').detail.reason).toBe('口令已全部重置');

    await go(page, '/incidents?kind=protect');
    await expectText(page.locator('main table tbody'), /启用 SSH 密钥登录/);
    expect(await page.locator('main table tbody tr').count()).toBe(2);
    await shot(page, 'protect-tickets');

    // The owner of the asset reads the incident and may comment, but moves nothing.
    const owner = await asUser('owner.water', 'owner.water-password-1');
    await go(owner.page, '/incidents?open=all');
    await owner.page.getByRole('link', { name: key }).click();
    await expectText(owner.page.locator('main h1'), new RegExp(key));
    expect(await owner.page.getByRole('toolbar', { name: '状态变更' }).count()).toBe(0);
    expect(await owner.page.getByRole('button', { name: '发表评论' }).count()).toBe(1);
    expect(await owner.page.locator('main').textContent()).not.toContain('监管报告');
    await shot(owner.page, 'incident-owner');
  });

  it('opens an incident by hand, refuses a step without its reason, and shows the English page', async () => {
    const b = await asUser('admin', ADMIN_PASSWORD);
    const page = b.page;
    await go(page, '/incidents');
    await page.getByRole('button', { name: '新建事件' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('标题').fill('政务门户首页被篡改');
    await dialog.getByLabel('类别').selectOption('information_content');
    await noUnlabelled(page, 'new incident');
    await dialog.getByRole('button', { name: '新建事件' }).click();
    await expectText(page.locator('main h1'), /^INC-\d{4}-\d{4} 政务门户首页被篡改$/);
    await page.getByRole('button', { name: '编辑…' }).click();
    const edit = page.getByRole('dialog');
    await edit.getByLabel('优先级').selectOption('p1');
    await noUnlabelled(page, 'edit incident');
    await edit.getByRole('button', { name: '保存' }).click();
    await expectText(page.locator('main .details').first(), /P1（最紧急）/);
    // Dismissing as a false positive needs a reason; the dialog says so and stays.
    await page.getByRole('toolbar', { name: '状态变更' }).getByRole('button', { name: '转为“误报”' }).click();
    const step = page.getByRole('dialog');
    await expect(step.getByLabel('原因（必填）').getAttribute('required')).resolves.toBe('');
    await step.getByLabel('原因（必填）').fill('运维人员在测试环境发布的页面');
    await step.getByRole('button', { name: '转为“误报”' }).click();
    await expectText(page.locator('main .page-header .badge-state'), /^误报$/);

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await expectText(page.locator('main .page-header .badge-state'), /^False positive$/);
    await expectText(page.getByRole('toolbar', { name: 'Change of state' }), /Move to Acknowledged/);
    await shot(page, 'incident-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
  });
});
