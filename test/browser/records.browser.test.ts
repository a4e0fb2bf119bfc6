import type { Page } from 'playwright-core';
import { LiveDetection } from '../../src/detection/index.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { axeViolations, buildConsole, consoleHarness, expectText, rowCount, setLanguage } from '../support/browser.js';
import { bastionAttack } from '../support/city-logs.js';
import { testDatabaseTargets } from '../support/databases.js';

/**
 * Records people can read: an event as a table of its fields whose values narrow the list, and
 * compliance evidence in words, with the warning that reports still carry the placeholder
 * organisation name (this app never sets TAISHI_ORGANISATION_NAME).
 */
describe.each(testDatabaseTargets())('human-readable records in the console ($name PostgreSQL)', ({ name, adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let runId: string;
  const { asUser, go, shot } = consoleHarness(name, () => app.baseUrl);
  const noAxe = async (page: Page, where: string) => expect({ where, violations: await axeViolations(page) }).toEqual({ where, violations: [] });
  /** How many events the API finds for these field filters, over the last day as the list's default range. */
  const countVia = async (filters: string[]) => {
    const query = new URLSearchParams({ from: new Date(Date.now() - 86_400_000).toISOString(), limit: '200' });
    for (const f of filters) query.append('filter', f);
    const r = await app.call('GET', `/api/events?${query}`, { token: users.analyst.token });
    expect(r.status).toBe(200);
    return (r.body.events as unknown[]).length;
  };

  beforeAll(async () => {
    app = await startTestApp(adminUrl, { TAISHI_CONSOLE_DIR: await buildConsole() });
    users = await seedUsers(app);
    const asset = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '供水调度堡垒机', type: 'server', addresses: ['zw-bastion'], criticality: 'high' } });
    expect(asset.status).toBe(201);
    expect((await app.call('POST', '/api/ingest', { token: users.admin, rawBody: bastionAttack(), headers: { 'content-type': 'text/plain' } })).status).toBe(202);
    const booking = JSON.stringify({ '@timestamp': new Date().toISOString(), message: '预约登记提交失败', host: { name: 'app-01' }, user: { name: 'zhangwei' }, event: { dataset: 'app.booking', action: 'submit' } });
    expect((await app.call('POST', '/api/ingest', { token: users.admin, rawBody: booking, headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(202);
    await app.running.app.get(LiveDetection).settled();
    // One audit with the default profile, so there is evidence to read.
    const profiles = await app.call('GET', '/api/compliance/profiles', { token: users.compliance.token });
    const started = await app.call('POST', '/api/compliance/runs', { token: users.compliance.token, body: { profileId: profiles.body[0].id } });
    expect(started.status).toBe(202);
    runId = started.body.id;
    for (let i = 0; i < 300; i++) {
      const run = await app.call('GET', `/api/compliance/runs/${runId}`, { token: users.compliance.token });
      if (run.body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(() => app.stop());

  it('an analyst reads an event as a table of fields, narrows the list by clicking values, and opens the raw JSON', async () => {
    const b = await asUser('analyst1', 'analyst1-password-1');
    const page = b.page;
    await go(page, '/events');
    const all = await countVia([]);
    await rowCount(page, all);
    await page.locator('main table tbody tr', { hasText: 'Accepted password' }).getByRole('button', { name: '查看' }).click();
    const dialog = page.getByRole('dialog', { name: '事件详情' });
    const fields = dialog.getByRole('table', { name: '事件字段' });
    await fields.waitFor();
    // Time, host, source, action and message first; then the rest by name.
    const paths = (await fields.locator('tbody tr td:first-child').allTextContents()).map((p) => p.trim());
    expect(paths[0]).toBe('@timestamp');
    const at = (p: string) => paths.findIndex((x) => x === p || x.startsWith(`${p}.`));
    expect([at('host'), at('source'), at('event.action'), at('message')].every((i, k, a) => i > 0 && (k === 0 || i > a[k - 1]))).toBe(true);
    expect(paths.indexOf('event.dataset')).toBeGreaterThan(at('message'));
    expect(paths).toContain('event.id');
    await expectText(fields, /zw-bastion/);
    await expectText(fields, /Accepted password for root/);
    // The raw event is one click away, not in the way.
    const raw = dialog.locator('pre.json');
    expect(await raw.isVisible()).toBe(false);
    await dialog.getByText('事件完整内容（JSON）').click();
    await raw.waitFor();
    expect(JSON.parse((await raw.textContent()) ?? '')).toMatchObject({ host: { name: 'zw-bastion' }, source: { ip: '203.0.113.77' } });
    await noAxe(page, 'event detail zh-CN');
    await shot(page, 'records-event-fields');

    // A value narrows the list, and the address carries it.
    await fields.getByRole('link', { name: 'zw-bastion', exact: true }).first().click();
    await dialog.waitFor({ state: 'detached' });
    const onHost = await countVia(['host.name:zw-bastion']);
    expect(onHost).toBeLessThan(all);
    await rowCount(page, onHost);
    expect(page.url()).toContain('filter=host.name%3Azw-bastion');
    await expectText(page.getByRole('list', { name: '字段筛选' }), /host\.name:zw-bastion/);
    await page.locator('main table tbody tr', { hasText: 'Accepted password' }).getByRole('button', { name: '查看' }).click();
    await page.getByRole('dialog', { name: '事件详情' }).getByRole('link', { name: '203.0.113.77', exact: true }).first().click();
    const onBoth = await countVia(['host.name:zw-bastion', 'source.ip:203.0.113.77']);
    await rowCount(page, onBoth);
    expect(page.url()).toMatch(/filter=host\.name%3Azw-bastion&filter=source\.ip%3A203\.0\.113\.77/);
    // The address is enough for a colleague to see the same list.
    const shared = page.url();
    const colleague = await asUser('analyst1', 'analyst1-password-1');
    await colleague.page.goto(shared);
    await rowCount(colleague.page, onBoth);
    expect((await colleague.page.locator('main table tbody').textContent()) ?? '').not.toContain('jt-gw-07');

    await setLanguage(page, 'en');
    await rowCount(page, onBoth);
    await page.locator('main table tbody tr').first().getByRole('button', { name: 'View' }).click();
    const en = page.getByRole('dialog', { name: 'Event detail' });
    await en.getByRole('table', { name: 'Event fields' }).waitFor();
    await expectText(en, /Select an underlined value to narrow the event list/);
    await en.getByText('Whole event (JSON)').click();
    await en.locator('pre.json').waitFor();
    await noAxe(page, 'event detail en');
    await shot(page, 'records-event-fields-en');
    await setLanguage(page, 'zh-CN');
  });

  it('a compliance officer reads evidence in words and is told the organisation name is not set', async () => {
    const org = await app.call('GET', '/api/compliance/organisation', { token: users.compliance.token });
    expect(org.body).toEqual({ name: '本单位', named: false });
    const b = await asUser('compliance1', 'compliance1-password-1');
    const page = b.page;
    await go(page, '/compliance');
    await expectText(page.locator('.organisation-notice'), /单位名称尚未设置，合规报告和事件报告中都写作“本单位”。请管理员.*TAISHI_ORGANISATION_NAME/);
    await noAxe(page, 'compliance runs zh-CN');

    await go(page, `/compliance?tab=results&run=${runId}`);
    await page.locator('table.matrix').waitFor();
    await page.locator('table.matrix').getByRole('button', { name: /^CSL-21-LOG-COVERAGE · 供水调度堡垒机：/ }).click();
    const dialog = page.getByRole('dialog');
    await expectText(dialog, /距最近一条日志\s*[\d.]+ 小时/);
    await expectText(dialog, /允许的最长间隔\s*24 小时/);
    const text = (await dialog.textContent()) ?? '';
    expect(text).not.toMatch(/hoursSinceLastEvent|windowHours|lastEventAt/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    await noAxe(page, 'result evidence zh-CN');
    await shot(page, 'records-evidence');
    await dialog.getByRole('button', { name: '关闭' }).click();

    // Findings carry the same words behind a disclosure.
    await go(page, '/compliance?tab=findings');
    await page.locator('main table tbody details.evidence').first().locator('summary').click();
    await page.locator('main table tbody details.evidence[open] dl.details dt').first().waitFor();
    await noAxe(page, 'findings zh-CN');

    // The HTML report says it too, in its own time zone, and carries the warning.
    const report = await app.call('GET', `/api/compliance/runs/${runId}/report?format=html&lang=zh-CN`, { token: users.compliance.token });
    expect(report.status).toBe(200);
    expect(report.body).toContain('单位名称尚未设置');
    expect(report.body).toMatch(/<span class="k">距最近一条日志<\/span>：[\d.]+ 小时/);
    expect(report.body).toMatch(/<span class="k">最近一条日志<\/span>：\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC\+8\)/);

    await setLanguage(page, 'en');
    await go(page, `/compliance?tab=results&run=${runId}`);
    await expectText(page.locator('.organisation-notice'), /The organisation name is not set, so compliance and incident reports say “本单位”/);
    await page.locator('table.matrix').getByRole('button', { name: /^CSL-21-LOG-COVERAGE · 供水调度堡垒机: / }).click();
    await expectText(page.getByRole('dialog'), /Since the last event\s*[\d.]+ hours?/);
    await noAxe(page, 'result evidence en');
    await shot(page, 'records-evidence-en');
    await setLanguage(page, 'zh-CN');
  });

  it('the incident report asks for the organisation name while it is the placeholder', async () => {
    const created = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '堡垒机账号被爆破', category: 'network_attack' } });
    expect(created.status).toBe(201);
    const key = created.body.key ?? created.body.id;
    expect((await app.call('POST', `/api/incidents/${key}/grade`, { token: users.analyst.token, body: { grade: 'relatively_major', reason: '供水调度网络可能受影响' } })).status).toBeLessThan(300);
    const b = await asUser('compliance1', 'compliance1-password-1');
    await go(b.page, `/incidents?id=${encodeURIComponent(key)}`);
    const report = b.page.locator('form.report-part').first();
    await expectText(report.locator('.organisation-notice'), /单位名称尚未设置.*TAISHI_ORGANISATION_NAME/);
    await noAxe(b.page, 'incident report zh-CN');
    await shot(b.page, 'records-incident-report-organisation');
  });
});
