import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { buildConsole, consoleHarness, expectText } from '../support/browser.js';
import { testDatabaseTargets } from '../support/databases.js';

const ORGANISATION = '某县大数据中心';

/** The compliance part of the console: audits with their progress, the results matrix, findings, attestations and reports. */
describe.each(testDatabaseTargets())('compliance in the web console ($name PostgreSQL)', ({ name, adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let runId: string;
  const { asUser, go, shot, noUnlabelled } = consoleHarness(name, () => app.baseUrl);
  /** Clicks a link that downloads, and returns what arrived. */
  const download = async (page: Page, label: string) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: label }).first().click()]);
    return { name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') };
  };

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_CONSOLE_DIR: await buildConsole(), TAISHI_ORGANISATION_NAME: ORGANISATION });
    users = await seedUsers(app);
    const assets = [
      { token: users.admin, body: { name: '供水调度系统', type: 'server', department: '水务局', addresses: ['10.1.0.5'], cii: { designated: true, designationRef: '关保〔2025〕1号' }, mlps: { level: 3 }, data: { level: 'important', personal: 'personal', categories: [] } } },
      { token: users.ownerB.token, body: { name: '交通信号控制平台', type: 'web_application', addresses: ['10.20.0.5'], mlps: { level: 2 } } },
    ];
    for (const a of assets) expect((await app.call('POST', '/api/assets', a)).status).toBe(201);
  });

  afterAll(() => app.stop());

  it('a compliance officer runs an audit and downloads the HTML report', async () => {
    const b = await asUser('compliance1', 'compliance1-password-1');
    const page = b.page;
    await go(page, '/compliance');
    await expectText(page.locator('main'), /还没有运行过合规审计/);
    await expect(page.getByLabel('审计方案').inputValue()).resolves.toMatch(/^[0-9a-f-]{36}$/);
    await noUnlabelled(page, 'compliance runs');
    // Remember every progress value the page shows while the audit runs.
    await page.evaluate(() => {
      const g = globalThis as any;
      g.progressSeen = [];
      new g.MutationObserver(() => {
        const bar = g.document.querySelector('.run-live progress');
        if (bar) g.progressSeen.push(`${bar.value}/${bar.max}`);
      }).observe(g.document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByRole('button', { name: '开始审计' }).click();
    await expectText(page.locator('.run-live'), /审计结束：全部控制项/);
    const seen = (await page.evaluate(() => (globalThis as any).progressSeen)) as string[];
    expect(seen.length).toBeGreaterThan(0);
    const runs = (await app.call('GET', '/api/compliance/runs', { token: users.compliance.token })).body;
    expect(runs).toHaveLength(1);
    runId = runs[0].id;
    expect(runs[0]).toMatchObject({ status: 'completed', progress: { done: runs[0].progress.total } });
    const summary = runs[0].summary;
    await expectText(page.locator('.run-live [role="status"]'), new RegExp(`共 ${summary.results} 项结果（${summary.controls} 个控制项，2 个资产）：${summary.byStatus.fail} 项不通过`));
    await shot(page, 'compliance-run-done');

    // The results matrix: controls down, subjects across, every cell naming its result.
    await page.locator('.run-live').getByRole('link', { name: '查看结果矩阵' }).click();
    const matrix = page.locator('table.matrix');
    await matrix.waitFor();
    expect(await matrix.locator('button.cell').count()).toBe(summary.results);
    expect(await matrix.locator('button.cell-fail').count()).toBe(summary.byStatus.fail);
    await expectText(page.getByRole('table', { name: '按法律法规汇总' }), /中华人民共和国网络安全法/);
    await noUnlabelled(page, 'compliance results');
    await shot(page, 'compliance-results');
    await matrix.getByRole('button', { name: /^CSL-21-RESPONSIBLE-PERSON · 交通信号控制平台：不通过$/ }).click();
    const dialog = page.getByRole('dialog');
    await expectText(dialog, /证据（运行时冻结）/);
    await expectText(dialog, /整改建议/);
    await shot(page, 'compliance-result-detail');
    await dialog.getByRole('button', { name: '关闭' }).click();
    await page.getByLabel('结果', { exact: true }).selectOption('fail');
    await page.waitForFunction((n: number) => (globalThis as any).document.querySelectorAll('table.matrix button.cell').length === n, summary.byStatus.fail);
    expect(await matrix.locator('button.cell:not(.cell-fail)').count()).toBe(0);

    // The report, as people read it (Chinese and English HTML) and as machines do (CSV).
    const zh = await download(page, '报告（中文 HTML）');
    expect(zh.name).toBe(`taishi-audit-${runId}.html`);
    for (const text of ['<html lang="zh-CN">', '合规审计报告', ORGANISATION, runId, '按法律法规汇总', '交通信号控制平台', 'CSL-21-RESPONSIBLE-PERSON']) expect({ text, found: zh.text.includes(text) }).toEqual({ text, found: true });
    const en = await download(page, '报告（英文 HTML）');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Compliance audit report');
    const csv = await download(page, 'CSV');
    expect(csv.text.trim().split('\n')).toHaveLength(summary.results + 1);
  });

  it('moves findings through remediation and risk acceptance, opens a protect ticket, and attests a manual control', async () => {
    const b = await asUser('compliance1', 'compliance1-password-1');
    const page = b.page;
    await go(page, '/compliance?tab=findings');
    const rows = page.locator('main table tbody tr');
    const open = (await app.call('GET', '/api/compliance/findings?status=open', { token: users.compliance.token })).body;
    expect(await rows.count()).toBe(open.total);
    await noUnlabelled(page, 'findings');
    await shot(page, 'compliance-findings');

    const finding = (controlId: string, subject: string) => open.items.find((f: { controlId: string; subject: { name: string } }) => f.controlId === controlId && f.subject.name === subject);
    const responsible = finding('CSL-21-RESPONSIBLE-PERSON', '交通信号控制平台');
    const row = rows.filter({ hasText: 'CSL-21-RESPONSIBLE-PERSON' }).filter({ hasText: '交通信号控制平台' });
    await row.getByRole('button', { name: '开始整改' }).click();
    await page.getByRole('dialog').getByLabel('说明（可选）').fill('已通知交通局补充联系人');
    await page.getByRole('dialog').getByRole('button', { name: '确定：整改中' }).click();
    await expectText(page.getByRole('status').last(), /CSL-21-RESPONSIBLE-PERSON 已设为“整改中”/);

    const accepted = open.items.find((f: { id: string }) => f.id !== responsible.id);
    await page.getByLabel('状态', { exact: true }).selectOption('all');
    const other = rows.filter({ hasText: accepted.controlId }).filter({ hasText: accepted.subject.name });
    await other.getByRole('button', { name: '接受风险…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('批准人').fill('分管副局长 王某');
    await dialog.getByLabel('接受风险的理由').fill('系统将于下季度下线');
    const inThirtyDays = new Date(Date.now() + 30 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    await dialog.getByLabel('接受至（北京时间，含当日）').fill(inThirtyDays);
    await dialog.getByRole('button', { name: '确定：已接受风险' }).click();
    await expectText(page.getByRole('status').last(), /已设为“已接受风险”/);
    await row.getByRole('button', { name: '开立防护工单' }).click();
    await expectText(page.getByRole('status').last(), /已开立防护工单 PRT-\d{4}-\d{4}/);
    const after = (await app.call('GET', '/api/compliance/findings?limit=500', { token: users.compliance.token })).body.items as { id: string; status: string; riskAcceptance: unknown; protectTicket: { key: string } | null }[];
    expect(after.find((f) => f.id === responsible.id)).toMatchObject({ status: 'in_remediation', protectTicket: { key: expect.stringMatching(/^PRT-/) } });
    expect(after.find((f) => f.id === accepted.id)).toMatchObject({ status: 'risk_accepted', riskAcceptance: { approver: '分管副局长 王某', expiresAt: inThirtyDays } });

    // A manual control attested with an evidence file, whose hash the service records.
    await go(page, '/compliance?tab=attestations');
    await expectText(page.locator('main'), /还没有证明材料/);
    await page.getByLabel('控制项').selectOption('CSL-25-EMERGENCY-PLAN');
    await expectText(page.locator('main'), /此控制项针对本单位整体/);
    const evidence = Buffer.from('%PDF-1.4\n% 某县网络安全事件应急预案（2026 年修订）\n');
    await page.getByLabel('证明文件').setInputFiles({ name: '应急预案-2026.pdf', mimeType: 'application/pdf', buffer: evidence });
    await page.getByLabel('备注').fill('县政府办公室印发');
    await noUnlabelled(page, 'attestations');
    await page.getByRole('button', { name: '上传', exact: true }).click();
    await expectText(page.locator('main .notice-ok'), new RegExp(`已为 CSL-25-EMERGENCY-PLAN · ${ORGANISATION} 登记证明`));
    await expectText(page.getByRole('table', { name: '已登记的证明材料' }), /应急预案-2026\.pdf/);
    await shot(page, 'compliance-attestations');
    const [attestation] = (await app.call('GET', '/api/compliance/attestations', { token: users.compliance.token })).body;
    expect(attestation).toMatchObject({ controlId: 'CSL-25-EMERGENCY-PLAN', subject: { type: 'organisation', name: ORGANISATION }, note: '县政府办公室印发', evidence: { sha256: createHash('sha256').update(evidence).digest('hex'), contentType: 'application/pdf' } });

    // The catalogue, by law.
    await go(page, '/compliance?tab=controls');
    await page.getByLabel('法律法规').selectOption('PIPL');
    await expectText(page.locator('main'), /显示 \d+ \/ \d+ 个控制项/);
    expect(await page.locator('main table tbody tr').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('PIPL-51-DE-IDENTIFICATION')]));
    expect((await page.locator('main table tbody tr').allTextContents()).every((r) => r.includes('个人信息保护法'))).toBe(true);
    await page.getByRole('button', { name: '个人信息的去标识化', exact: true }).click();
    await expectText(page.getByRole('dialog'), /TAISHI_PII_MASKING/);
    await shot(page, 'compliance-controls');
  });

  it('shows owners their own department’s part, and the pass rate per law on the situation page', async () => {
    const owner = await asUser('owner.traffic', 'owner.traffic-password-1');
    await go(owner.page, '/compliance?tab=results');
    expect(await owner.page.getByRole('navigation', { name: '合规视图' }).getByRole('link').allTextContents()).toEqual(['审计运行', '结果矩阵', '发现项', '控制项目录']);
    const mine = (await app.call('GET', `/api/compliance/runs/${runId}/results`, { token: users.ownerB.token })).body as { subject: { name: string } }[];
    expect(mine.length).toBeGreaterThan(0);
    await owner.page.locator('table.matrix').waitFor();
    expect(await owner.page.locator('table.matrix button.cell').count()).toBe(mine.length);
    expect(await owner.page.locator('table.matrix thead').textContent()).not.toContain('供水调度系统');
    await shot(owner.page, 'compliance-owner');

    const b = await asUser('compliance1', 'compliance1-password-1');
    await go(b.page, '/situation');
    const figure = b.page.getByRole('figure', { name: '各法规检查通过率' });
    await figure.locator('.chart[data-chart="ready"]').waitFor();
    const section = (await app.call('GET', '/api/situation', { token: users.compliance.token })).body.sections.compliance;
    const applicable = section.byLaw.filter((l: { counts: { total: number; not_applicable: number } }) => l.counts.total > l.counts.not_applicable);
    const plotted = (await figure.locator('.chart').evaluate((el: any) => (globalThis as any).echarts.getInstanceByDom(el).getOption().series[0].data.map((d: { value: number }) => d.value))) as number[];
    expect(plotted).toHaveLength(applicable.length);
    expect(plotted.every((v) => v >= 0 && v <= 100)).toBe(true);
    await expectText(b.page.locator('main'), /最近一次审计：全部控制项 \/ All controls/);
    await shot(b.page, 'situation-compliance');
  });
});
