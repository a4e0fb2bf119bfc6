import { randomUUID } from 'node:crypto';
import { namedGrade } from '../../src/incidents/incidents.service.js';
import type { IncidentRef } from '../../src/notifications/index.js';
import { NotificationsService } from '../../src/notifications/index.js';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { SmtpListener } from '../support/smtp-listener.js';

const SMTP_USER = 'taishi-mailer';
const SMTP_PASSWORD = 'smtp-Secret-Pa55word';
const incident = (over: Partial<IncidentRef> = {}): IncidentRef => ({
  id: randomUUID(),
  key: 'INC-2026-0001',
  title: '供水 SCADA 勒索软件',
  grade: namedGrade('relatively_major'),
  category: { id: 'malware', name: { 'zh-CN': '恶意程序事件', en: 'Malware' } },
  state: 'new',
  ...over,
});

describe.each(testDatabaseTargets())('notification e-mail through a real SMTP listener ($name PostgreSQL)', ({ adminUrl }) => {
  let smtp: SmtpListener;
  let app: TestApp;
  let notifications: NotificationsService;
  let admin: string;
  const users: Record<string, { id: string; token?: string }> = {};
  const address = (name: string) => `${name}@city.example.cn`;
  const serviceClock = new ShiftedClock();

  beforeAll(async () => {
    smtp = await new SmtpListener({ username: SMTP_USER, password: SMTP_PASSWORD }).start();
    app = await startTestApp(adminUrl, {
      TAISHI_SMTP_HOST: '127.0.0.1',
      TAISHI_SMTP_PORT: String(smtp.port),
      TAISHI_SMTP_TLS: 'off',
      TAISHI_SMTP_USER: SMTP_USER,
      TAISHI_SMTP_PASSWORD: SMTP_PASSWORD,
      TAISHI_SMTP_FROM: 'Taishi 态势 <taishi@city.example.cn>',
      TAISHI_PUBLIC_URL: 'https://taishi.city.example.cn',
      TAISHI_DIGEST_CRON: 'off',
    }, undefined, { clock: serviceClock });
    notifications = app.running.app.get(NotificationsService);
    const seeded = await seedUsers(app);
    admin = seeded.admin;
    users.analyst1 = seeded.analyst;
    users.owner = seeded.ownerA;
    const me = await app.call('GET', '/api/auth/me', { token: admin });
    users.admin = { id: me.body.id };
    await app.call('PATCH', `/api/users/${me.body.id}`, { token: admin, body: { email: address('admin') } });
    await app.call('PATCH', `/api/users/${seeded.ownerA.id}`, { token: admin, body: { email: address('owner.water') } });
    const make = async (username: string, role: string, extra: Record<string, unknown>) => {
      const r = await app.call('POST', '/api/users', { token: admin, body: { username, role, password: `${username}-password-1`, ...extra } });
      expect(r.status).toBe(201);
      users[username] = { id: r.body.id, token: await app.login(username, `${username}-password-1`) };
    };
    await make('li.na', 'analyst', { email: address('li.na'), language: 'zh-CN', displayName: '李娜' });
    await make('sam', 'analyst', { email: address('sam'), language: 'en', displayName: 'Sam Lee' });
    await make('gone', 'analyst', { email: address('gone') });
    await app.call('PATCH', `/api/users/${users.gone.id}`, { token: admin, body: { disabled: true } });
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const subjectsTo = (name: string) => smtp.to(address(name)).map((m) => m.parsed.subject);
  const outbox = async (query = '') => (await app.call('GET', `/api/notifications/outbox${query}`, { token: admin })).body;

  it('mails every analyst in their own language when nobody is on duty, and records who could not be mailed', async () => {
    const result = await notifications.notify({ kind: 'incident_created', incident: incident() }, { onDutyAnalysts: true });
    // li.na and sam get mail; analyst1 has no address; gone is disabled and not counted.
    expect(result).toEqual({ queued: 2, skipped: 1 });
    await notifications.flush();
    const zh = await smtp.waitFor((m) => m.rcptTo.includes(address('li.na')));
    const en = await smtp.waitFor((m) => m.rcptTo.includes(address('sam')));
    expect(zh.parsed.subject).toBe('【态势】新事件 INC-2026-0001（较大）：供水 SCADA 勒索软件');
    expect(en.parsed.subject).toBe('[Taishi] New incident INC-2026-0001 (Relatively major): 供水 SCADA 勒索软件');
    expect(zh.parsed.text).toContain('类别：恶意程序事件');
    expect(en.parsed.text).toContain('Category: Malware');
    expect(en.parsed.html).toContain('href="https://taishi.city.example.cn/#/incidents?id=INC-2026-0001"');
    expect(zh.parsed.from?.value).toEqual([{ name: 'Taishi 态势', address: 'taishi@city.example.cn' }]);
    expect(zh.parsed.to && !Array.isArray(zh.parsed.to) && zh.parsed.to.value).toEqual([{ name: '李娜', address: address('li.na') }]);
    expect(zh.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(zh.auth).toEqual({ username: SMTP_USER, password: SMTP_PASSWORD });
    expect(smtp.to(address('gone'))).toEqual([]);

    const skipped = await outbox('?status=skipped');
    expect(skipped.items).toEqual([expect.objectContaining({ kind: 'incident_created', username: 'analyst1', address: null, reason: { code: 'no_address' }, lastError: null })]);
    const sent = await outbox('?status=sent');
    expect(sent.items.map((i: { address: string }) => i.address).sort()).toEqual([address('li.na'), address('sam')]);
    expect(sent.smtp).toEqual({ configured: true, host: '127.0.0.1', port: smtp.port, tls: 'off', user: SMTP_USER, from: 'Taishi 态势 <taishi@city.example.cn>' });
    expect(JSON.stringify(sent)).not.toContain(SMTP_PASSWORD);
  });

  it('sends new incidents only to analysts on duty once someone is, and audits the change', async () => {
    const set = await app.call('PUT', '/api/notifications/preferences', { token: users.sam.token, body: { onDuty: true } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ onDuty: true, email: address('sam'), language: 'en', kinds: { incident_created: true, digest: true } });
    await notifications.notify({ kind: 'incident_created', incident: incident({ key: 'INC-2026-0002' }) }, { onDutyAnalysts: true });
    await notifications.flush();
    expect(subjectsTo('sam')).toContain('[Taishi] New incident INC-2026-0002 (Relatively major): 供水 SCADA 勒索软件');
    expect(subjectsTo('li.na').filter((s) => s?.includes('INC-2026-0002'))).toEqual([]);
    const trail = await app.call('GET', `/api/audit?targetType=user&targetId=${users.sam.id}`, { token: admin });
    expect(trail.body[0]).toMatchObject({ action: 'notification.preferences.update', actor: 'sam', before: { onDuty: false }, after: { onDuty: true } });
    const owner = await app.call('PUT', '/api/notifications/preferences', { token: users.owner.token, body: { onDuty: true } });
    expect(owner.status).toBe(400);
  });

  it('leaves out a kind the user muted', async () => {
    const mute = await app.call('PUT', '/api/notifications/preferences', { token: users['li.na'].token, body: { kinds: { grade_changed: false } } });
    expect(mute.body.kinds).toMatchObject({ grade_changed: false, incident_created: true });
    const result = await notifications.notify(
      { kind: 'grade_changed', incident: incident({ key: 'INC-2026-0003' }), from: namedGrade('general'), to: namedGrade('major'), reason: '影响扩大' },
      { userIds: [users['li.na'].id, users.sam.id] },
    );
    expect(result).toEqual({ queued: 1, skipped: 0 });
    await notifications.flush();
    expect(subjectsTo('sam')).toContain('[Taishi] Incident INC-2026-0003 regraded: General → Major');
    expect(subjectsTo('li.na').filter((s) => s?.includes('INC-2026-0003'))).toEqual([]);
  });

  it('refuses preferences it does not understand', async () => {
    const token = users['li.na'].token;
    for (const body of [{}, { kinds: { nope: true } }, { onDuty: 'yes' }, { kinds: { digest: 'off' } }, { kinds: [] }, { extra: 1 }]) {
      const r = await app.call('PUT', '/api/notifications/preferences', { token, body });
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
    }
    expect((await app.call('GET', '/api/notifications/outbox?status=lost', { token: admin })).status).toBe(400);
    expect((await app.call('GET', '/api/notifications/outbox?limit=0', { token: admin })).status).toBe(400);
  });

  it('keeps event data out of headers and escapes it in HTML', async () => {
    const title = '<script>alert(1)</script> x\r\nBcc: evil@example.com\r\nX-Injected: 1';
    await notifications.notify({ kind: 'incident_assigned', incident: incident({ key: 'INC-2026-0004', title }), assignee: users['li.na'].id }, { userIds: [users['li.na'].id] });
    await notifications.flush();
    const mail = await smtp.waitFor((m) => m.parsed.subject?.includes('INC-2026-0004') ?? false);
    expect(mail.rcptTo).toEqual([address('li.na')]);
    const headerBlock = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/^(bcc|x-injected):/im);
    expect(mail.parsed.bcc).toBeUndefined();
    expect(mail.parsed.headers.has('x-injected')).toBe(false);
    expect(mail.parsed.subject).toBe('【态势】事件 INC-2026-0004 已分派给 李娜：<script>alert(1)</script> x Bcc: evil@example.com X-Injected: 1');
    expect(mail.parsed.html).not.toContain('<script>');
    expect(mail.parsed.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('sends a message once per recipient and dedupe key', async () => {
    const deadline = { kind: 'reporting_deadline' as const, incident: incident({ key: 'INC-2026-0005' }), notice: '80%' as const, deadlineAt: '2026-03-01T08:00:00Z', reportTo: { 'zh-CN': '所在地省级网信部门', en: 'the provincial cyberspace administration' } };
    const to = { userIds: [users['li.na'].id, users.sam.id] };
    expect(await notifications.notify(deadline, to, { dedupeKey: 'deadline:INC-2026-0005:80%' })).toEqual({ queued: 2, skipped: 0 });
    expect(await notifications.notify(deadline, to, { dedupeKey: 'deadline:INC-2026-0005:80%' })).toEqual({ queued: 0, skipped: 0 });
    await notifications.flush();
    expect(subjectsTo('li.na').filter((s) => s?.includes('INC-2026-0005'))).toEqual(['【态势】事件 INC-2026-0005 报告时限将至（已用 80%）']);
    expect(subjectsTo('sam').filter((s) => s?.includes('INC-2026-0005'))).toEqual(['[Taishi] Incident INC-2026-0005: reporting deadline near (80% used)']);
    expect(smtp.to(address('li.na')).find((m) => m.parsed.subject?.includes('INC-2026-0005'))!.parsed.text).toContain('报告时限：2026-03-01 16:00（北京时间）');
  });

  it('sends a message queued a moment ago even when the service’s clock is behind the database’s', async () => {
    // The row is stamped due by PostgreSQL; the delivery run that queueing starts, in the same
    // millisecond or on a host whose clock runs behind, must still find it due.
    serviceClock.skip(-2_000);
    try {
      await notifications.notify({ kind: 'task_assigned', incident: incident({ key: 'INC-2026-0010' }), task: { title: '核对日志', dueAt: null } }, { userIds: [users.sam.id] });
      await notifications.flush();
    } finally {
      serviceClock.skip(2_000);
    }
    expect(subjectsTo('sam')).toContain('[Taishi] Incident INC-2026-0010 new task: 核对日志');
    expect((await outbox('?kind=task_assigned&status=sent')).items.map((m: { subject: string }) => m.subject)).toContain('[Taishi] Incident INC-2026-0010 new task: 核对日志');
  });

  it('keeps mail through an SMTP outage and delivers it when the server is back', async () => {
    await smtp.stop();
    await notifications.notify({ kind: 'sla_breach', incident: incident({ key: 'INC-2026-0006' }), target: 'contain', dueAt: '2026-03-01T08:00:00Z' }, { userIds: [users.sam.id, users['li.na'].id] });
    await notifications.flush();
    const waiting = (await outbox('?kind=sla_breach')).items;
    expect(waiting).toHaveLength(2);
    const [tried, untried] = [...waiting].sort((a, b) => b.attempts - a.attempts);
    expect(tried).toMatchObject({ status: 'retrying', attempts: 1, lastError: expect.stringMatching(/^attempt 1: .*ECONNREFUSED/) });
    expect(new Date(tried.nextAttemptAt).getTime()).toBeGreaterThan(Date.now() + 50_000);
    // The second was never tried, since the server was known to be down: it waits as long, with no attempt counted.
    expect(untried).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: tried.nextAttemptAt });

    await smtp.start();
    await notifications.flush(new Date(Date.now() + 5 * 60_000));
    expect(subjectsTo('sam')).toContain('[Taishi] Incident INC-2026-0006 missed its containment deadline');
    expect(subjectsTo('li.na')).toContain('【态势】事件 INC-2026-0006 超出遏制时限');
    expect((await outbox('?kind=sla_breach&status=sent')).total).toBe(2);
  });

  it('fails a message the server refuses for good, and an administrator can send it again', async () => {
    smtp.refuse.add(address('sam'));
    await notifications.notify({ kind: 'task_assigned', incident: incident({ key: 'INC-2026-0008' }), task: { title: '隔离主机', dueAt: null } }, { userIds: [users.sam.id] });
    await notifications.flush();
    const [failed] = (await outbox('?status=failed&kind=task_assigned')).items;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/550/) });

    smtp.refuse.clear();
    const retried = await app.call('POST', `/api/notifications/outbox/${failed.id}/retry`, { token: admin });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'queued', attempts: 0 });
    await notifications.flush();
    expect(subjectsTo('sam')).toContain('[Taishi] Incident INC-2026-0008 new task: 隔离主机');
    expect((await app.call('POST', `/api/notifications/outbox/${failed.id}/retry`, { token: admin })).status).toBe(409);
    expect((await app.call('POST', `/api/notifications/outbox/${randomUUID()}/retry`, { token: admin })).status).toBe(404);
    const trail = await app.call('GET', `/api/audit?targetType=notification&targetId=${failed.id}`, { token: admin });
    expect(trail.body[0]).toMatchObject({ action: 'notification.retry', actor: 'admin', before: { status: 'failed' } });
  });

  it('sends mail skipped for want of an address once the user has one', async () => {
    const [skipped] = (await outbox('?status=skipped')).items;
    expect((await app.call('POST', `/api/notifications/outbox/${skipped.id}/retry`, { token: admin })).status).toBe(409);
    await app.call('PATCH', `/api/users/${users.analyst1.id}`, { token: admin, body: { email: address('analyst1') } });
    expect((await app.call('POST', `/api/notifications/outbox/${skipped.id}/retry`, { token: admin })).body).toMatchObject({ status: 'queued', address: address('analyst1') });
    await notifications.flush();
    expect(subjectsTo('analyst1')).toEqual(['【态势】新事件 INC-2026-0001（较大）：供水 SCADA 勒索软件']);
  });

  it('records a notification nobody could receive', async () => {
    const r = await notifications.notify({ kind: 'incident_closed', incident: incident({ key: 'INC-2026-0009' }), resolution: 'x' }, { roles: ['compliance'], userIds: [users.gone.id] });
    // compliance1 has no address: one skipped row for that user, none for the disabled one.
    expect(r).toEqual({ queued: 0, skipped: 1 });
    const nobody = await notifications.notify({ kind: 'incident_closed', incident: incident({ key: 'INC-2026-0010' }), resolution: 'x' }, { userIds: [users.gone.id] });
    expect(nobody).toEqual({ queued: 0, skipped: 1 });
    const rows = (await outbox('?status=skipped&kind=incident_closed')).items;
    expect(rows.find((i: { subject: string }) => i.subject.includes('INC-2026-0010'))).toMatchObject({ userId: null, address: null, reason: { code: 'no_recipient', params: { to: expect.any(String) } }, lastError: null });
  });

  it('sends each subscribed user a digest in their language, once a day', async () => {
    await app.call('PUT', '/api/notifications/preferences', { token: users.sam.token, body: { kinds: { digest: false } } });
    notifications.registerDigestSource({
      name: 'test-incidents',
      sections: async (recipient, window) =>
        recipient.role === 'owner'
          ? []
          : [{ title: { 'zh-CN': '未关闭事件', en: 'Open incidents' }, lines: [{ 'zh-CN': `较大 2 起（${window.to.getTime() - window.from.getTime()} ms）`, en: '2 relatively major' }] }],
    });
    const now = new Date('2026-03-01T00:30:00Z');
    const first = await notifications.sendDigest(now);
    // admin, li.na and analyst1 get one; sam muted it; the owner's digest is empty; compliance1 has no address.
    expect(first).toEqual({ queued: 3, skipped: 1 });
    expect(await notifications.sendDigest(now)).toEqual({ queued: 0, skipped: 0 });
    await notifications.flush();
    const digest = smtp.to(address('li.na')).filter((m) => m.parsed.subject?.includes('每日摘要'));
    expect(digest.map((m) => m.parsed.subject)).toEqual(['【态势】每日摘要 2026-03-01']);
    expect(digest[0].parsed.text).toContain('未关闭事件\n- 较大 2 起（86400000 ms）');
    expect(subjectsTo('sam').filter((s) => s?.includes('digest'))).toEqual([]);
    expect(subjectsTo('owner.water')).toEqual([]);
  });

  it('sends a test message on an administrator’s request', async () => {
    const r = await app.call('POST', '/api/notifications/test', { token: admin, body: { to: 'ops@city.example.cn' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, to: 'ops@city.example.cn' });
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('ops@city.example.cn'));
    expect(mail.parsed.subject).toBe('【态势】测试邮件');
    expect((await app.call('POST', '/api/notifications/test', { token: admin, body: { to: 'not an address' } })).status).toBe(400);
    await smtp.stop();
    const down = await app.call('POST', '/api/notifications/test', { token: admin, body: {} });
    expect(down.status).toBe(502);
    expect(down.body.code).toBe('notification.smtp_refused');
    expect(down.body.message).not.toContain(SMTP_PASSWORD);
    await smtp.start();
  });
});

describe.each(testDatabaseTargets())('notifications without an SMTP server ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  afterAll(() => app.stop());

  it('keeps every mail in the outbox as held and says why', async () => {
    app = await startTestApp(adminUrl);
    const { admin, analyst } = await seedUsers(app);
    await app.call('PATCH', `/api/users/${analyst.id}`, { token: admin, body: { email: 'a1@city.example.cn' } });
    const notifications = app.running.app.get(NotificationsService);
    expect(await notifications.notify({ kind: 'incident_created', incident: incident() }, { onDutyAnalysts: true })).toEqual({ queued: 1, skipped: 0 });
    const list = (await app.call('GET', '/api/notifications/outbox', { token: admin })).body;
    expect(list.smtp).toMatchObject({ configured: false, host: null });
    expect(list.counts).toMatchObject({ held: 1 });
    expect(list.items[0]).toMatchObject({ status: 'held', address: 'a1@city.example.cn', reason: { code: 'smtp_not_configured' }, lastError: null });
    expect((await app.call('POST', `/api/notifications/outbox/${list.items[0].id}/retry`, { token: admin })).status).toBe(409);
    expect((await app.call('POST', '/api/notifications/test', { token: admin, body: { to: 'x@city.example.cn' } })).status).toBe(409);
  });
});
