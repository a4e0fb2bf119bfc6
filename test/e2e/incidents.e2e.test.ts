import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LiveDetection } from '../../src/detection/index.js';
import { IncidentTimersService } from '../../src/incidents/incident-timers.service.js';
import { NotificationsService } from '../../src/notifications/index.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { testDatabaseTargets } from '../support/databases.js';
import { SmtpListener } from '../support/smtp-listener.js';
import { syslogStamp } from '../support/city-logs.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { until } from '../support/until.js';

const BRUTE_FORCE = 'f8f1436b-5e79-43de-8227-e9421d8f666d';
const FROM_ABROAD = 'a56a65b7-97c8-4581-96cd-8727e04a4a09';

/** The shipped policy with clocks short enough for a test: 3 s of quiet, SLAs in seconds for unrated. */
async function shortClockRules(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'taishi-incident-rules-'));
  await cp('rules/incidents/grading.yml', path.join(dir, 'grading.yml'));
  const policy = (await readFile('rules/incidents/policy.yml', 'utf8'))
    .replace('quiet_period: 24h', 'quiet_period: 3s')
    .replace(/unrated: +\{[^}]*\}/, 'unrated: { acknowledge: 2s, contain: 1h, recover: 2h }');
  await writeFile(path.join(dir, 'policy.yml'), policy);
  return dir;
}

describe.each(testDatabaseTargets())('incidents on $name PostgreSQL', ({ adminUrl }) => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let smtp: SmtpListener;
  let rulesDir: string;
  let labsz: string;
  /** The service's clock: quiet periods and SLA targets pass by moving it, not by sleeping. */
  const serviceClock = new ShiftedClock();

  const ingest = async (lines: string[]) => {
    for (let i = 0; i < lines.length; i += 500) {
      const r = await app.call('POST', '/api/ingest?source=labsz', { token: users.admin, rawBody: lines.slice(i, i + 500).join('\n'), headers: { 'content-type': 'text/plain' } });
      expect(r.status).toBe(202);
    }
    await app.running.app.get(LiveDetection).settled();
  };
  const delivered = () => app.running.app.get(NotificationsService).flush();
  /** The first mail received that matches, by envelope recipient, subject and plain text. */
  const mailWhere = (match: (m: { to: string[]; subject: string; text: string }) => boolean) =>
    smtp.waitFor((m) => match({ to: m.rcptTo, subject: m.parsed.subject ?? '', text: m.parsed.text ?? '' })).then((m) => ({ subject: m.parsed.subject ?? '', text: m.parsed.text ?? '' }));
  const incidentsOf = async (ruleId: string) => {
    const list = (await app.call('GET', '/api/incidents?kind=incident&limit=100', { token: users.analyst.token })).body.items;
    const details = await Promise.all(list.map((i: { key: string }) => app.call('GET', `/api/incidents/${i.key}`, { token: users.analyst.token }).then((r) => r.body)));
    return details.filter((d: { alerts: { ruleId: string }[] }) => d.alerts.some((a) => a.ruleId === ruleId));
  };

  beforeAll(async () => {
    smtp = await new SmtpListener().start();
    rulesDir = await shortClockRules();
    app = await startTestApp(adminUrl, {
      TAISHI_SMTP_HOST: '127.0.0.1',
      TAISHI_SMTP_PORT: String(smtp.port),
      TAISHI_SMTP_TLS: 'off',
      TAISHI_SMTP_FROM: 'taishi@county.example',
      TAISHI_INCIDENT_RULES_DIR: rulesDir,
      TAISHI_INCIDENT_TICK_SECONDS: '3600',
      TAISHI_ORGANISATION_NAME: '某县大数据中心',
    }, undefined, { clock: serviceClock });
    users = await seedUsers(app);
    const mail = (id: string, email: string, language: string) => app.call('PATCH', `/api/users/${id}`, { token: users.admin, body: { email, language } });
    await mail(users.analyst.id, 'analyst1@county.example', 'zh-CN');
    await mail(users.ownerA.id, 'water-owner@county.example', 'en');
    await mail(users.compliance.id, 'compliance@county.example', 'zh-CN');
    const asset = await app.call('POST', '/api/assets', {
      token: users.admin,
      body: {
        name: 'LabSZ 堡垒机',
        type: 'server',
        department: '水务局',
        addresses: ['labsz'],
        contactUserId: users.ownerA.id,
        cii: { designated: true, designationRef: '关保〔2025〕12号' },
        mlps: { level: 3 },
        data: { level: 'important', personal: 'none', categories: [] },
      },
    });
    expect(asset.status).toBe(201);
    labsz = asset.body.id;
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  it('takes the replayed OpenSSH attack from alerts to a graded incident with playbook tasks, mail, and a reviewed close', async () => {
    const lines = (await readFile('fixtures/loghub/OpenSSH_2k.log', 'utf8')).split('\n').filter(Boolean);
    await ingest(lines);

    // Every brute-force alert on the bastion host joins one incident: same asset, within a day.
    const bruteAlerts = (await app.call('GET', `/api/alerts?ruleId=${BRUTE_FORCE}&limit=100`, { token: users.analyst.token })).body;
    expect(bruteAlerts.total).toBeGreaterThan(3);
    const [incident] = await incidentsOf(BRUTE_FORCE);
    expect(incident.alerts.filter((a: { ruleId: string }) => a.ruleId === BRUTE_FORCE)).toHaveLength(bruteAlerts.total);
    expect(incident).toMatchObject({ kind: 'incident', state: 'new', phase: 'detect', category: 'network_attack', assetIds: [labsz], departments: ['水务局'], createdBy: 'taishi:incident-grouping' });
    expect(incident.key).toMatch(/^INC-\d{4}-\d{4}$/);

    // Proposed from the asset: a CII system is proposed at least 较大 (a policy floor), which makes
    // it wait for the analyst's assessment (研判); the grade by the annex's criteria stays 一般 (issue 14).
    expect(incident.grade).toBe('general');
    expect(incident.gradeSource).toBe('proposal');
    expect(incident.proposal).toMatchObject({ grade: 'relatively_major', byCriteria: 'general' });
    expect(incident.proposal.rationale).toEqual([expect.objectContaining({ rule: 'asset_floor', grade: 'relatively_major', assetId: labsz, source: 'policy' })]);
    expect(incident.assessment).toMatchObject({ status: 'pending', proposed: 'relatively_major' });
    expect(Date.parse(incident.assessment.dueAt) - Date.parse(incident.detectedAt)).toBe(30 * 60_000);
    expect(Date.parse(incident.assessment.wouldBeDeadline.dueAt) - Date.parse(incident.detectedAt)).toBe(3_600_000);
    expect(incident.evidenceEventIds.length).toBeGreaterThan(0);

    // The brute-force playbook's detect tasks are there.
    expect(incident.tasks.map((t: { title: { en: string } }) => t.title.en)).toEqual(['Check for a successful login', 'Grade the incident and decide on reporting']);
    expect(incident.sla.map((s: { target: string; status: string }) => [s.target, s.status])).toEqual([
      ['acknowledge', 'running'],
      ['contain', 'running'],
      ['recover', 'running'],
    ]);

    // The on-duty analyst was mailed in Chinese.
    await delivered();
    const created = await mailWhere((m) => m.to.includes('analyst1@county.example') && m.subject.includes(incident.key));
    expect(created.subject).toMatch(/新事件/);

    // No legal clock on a proposal; once the analyst confirms 较大 on this CII incident the 1-hour
    // reporting clock runs, counted from discovery, listed for compliance (measures Art. 4).
    const clockOf = async () =>
      ((await app.call('GET', '/api/incidents/clocks', { token: users.compliance.token })).body as { incident: { key: string } }[]).find((c) => c.incident.key === incident.key) as
        | { clock: string; startsAt: string; dueAt: string }
        | undefined;
    expect(await clockOf()).toBeUndefined();
    const confirmed = await app.call('POST', `/api/incidents/${incident.key}/grade`, { token: users.analyst.token, body: { grade: 'relatively_major', reason: '堡垒机遭暴力破解，研判为较大' } });
    expect(confirmed.body).toMatchObject({ grade: 'relatively_major', gradeSource: 'analyst' });
    const clock = (await clockOf())!;
    expect(clock).toMatchObject({ clock: 'initial_report', startsAt: incident.detectedAt });
    expect(Date.parse(clock.dueAt) - Date.parse(clock.startsAt)).toBe(3_600_000);

    // Illegal steps are refused with what is allowed.
    const path = `/api/incidents/${incident.key}`;
    const step = (body: object, token = users.analyst.token) => app.call('POST', `${path}/transitions`, { token, body });
    const illegal = await step({ to: 'closed' });
    expect(illegal.status).toBe(409);
    expect(illegal.body.details.allowed).toEqual(['acknowledged', 'false_positive', 'benign', 'duplicate']);
    expect((await step({ to: 'false_positive' })).status).toBe(400);
    expect((await step({ to: 'acknowledged' }, users.ownerA.token)).status).toBe(403);

    expect((await step({ to: 'acknowledged' })).body.state).toBe('acknowledged');
    const assigned = await app.call('PATCH', path, { token: users.analyst.token, body: { assigneeId: users.analyst.id, watcherIds: [users.compliance.id] } });
    expect(assigned.body).toMatchObject({ assigneeId: users.analyst.id, watcherIds: [users.compliance.id] });
    expect((await step({ to: 'confirmed' })).body.state).toBe('confirmed');
    expect((await step({ to: 'containment' })).body.state).toBe('containment');

    // Entering respond added the playbook's respond tasks; the owner's go to the asset's contact user.
    const responding = (await app.call('GET', path, { token: users.analyst.token })).body;
    const ownerTasks = responding.tasks.filter((t: { assigneeRole: string }) => t.assigneeRole === 'system_owner');
    expect(ownerTasks.map((t: { title: { en: string } }) => t.title.en)).toEqual(['Block the attacking sources', 'Reset passwords of targeted and compromised accounts']);
    expect(ownerTasks.every((t: { assigneeId: string }) => t.assigneeId === users.ownerA.id)).toBe(true);
    await delivered();
    const taskMail = await mailWhere((m) => m.to.includes('water-owner@county.example') && m.text.includes('Block the attacking sources'));
    expect(taskMail.subject).toContain(incident.key);

    // The owner sees the incident on their asset, completes their own task and may comment; another department sees nothing.
    expect((await app.call('GET', path, { token: users.ownerB.token })).status).toBe(404);
    const done = await app.call('PATCH', `${path}/tasks/${ownerTasks[0].id}`, { token: users.ownerA.token, body: { status: 'done', note: '防火墙已封禁 183.62.140.253' } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', note: '防火墙已封禁 183.62.140.253' });
    const analystTask = responding.tasks.find((t: { assigneeRole: string }) => t.assigneeRole === 'analyst');
    expect((await app.call('PATCH', `${path}/tasks/${analystTask.id}`, { token: users.ownerA.token, body: { status: 'done' } })).status).toBe(404);
    expect((await app.call('POST', `${path}/comments`, { token: users.ownerA.token, body: { body: '已通知运维' } })).status).toBe(201);

    expect((await step({ to: 'eradication' })).body.state).toBe('eradication');
    expect((await step({ to: 'recovery' })).body.state).toBe('recovery');
    expect((await step({ to: 'verification' })).body.state).toBe('verification');
    // Closing needs the review; the attack happened years ago in event time, so the rule is long quiet.
    expect((await step({ to: 'closed' })).status).toBe(400);
    const review = { rootCause: '堡垒机 SSH 对公网开放且允许口令登录', lessons: '管理入口不应暴露在公网', protectiveActions: ['堡垒机仅允许 VPN 访问', '启用 SSH 密钥登录'] };
    const closed = await step({ to: 'closed', review });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ state: 'closed', resolution: 'resolved', review });
    expect(closed.body.closedAt).not.toBeNull();

    // Each protective action became a protect ticket.
    const protect = (await app.call('GET', '/api/incidents?kind=protect', { token: users.analyst.token })).body.items;
    expect(protect.map((p: { title: string }) => p.title).sort()).toEqual(['启用 SSH 密钥登录', '堡垒机仅允许 VPN 访问']);
    expect(protect.every((p: { key: string; state: string }) => /^PRT-\d{4}-\d{4}$/.test(p.key) && p.state === 'open')).toBe(true);
    // Protect tickets have their own short flow.
    const ticket = `/api/incidents/${protect[0].key}/transitions`;
    const skip = await app.call('POST', ticket, { token: users.analyst.token, body: { to: 'done' } });
    expect(skip.status).toBe(409);
    expect(skip.body.details.allowed).toEqual(['in_progress', 'cancelled']);
    expect((await app.call('POST', ticket, { token: users.analyst.token, body: { to: 'in_progress' } })).body.state).toBe('in_progress');
    expect((await app.call('POST', ticket, { token: users.analyst.token, body: { to: 'done' } })).body).toMatchObject({ state: 'done', resolution: 'done' });

    await delivered();
    await mailWhere((m) => m.to.includes('analyst1@county.example') && m.subject.includes(incident.key) && /关闭/.test(m.subject));

    // The timeline tells the story; the audit trail holds the same changes.
    const final = (await app.call('GET', path, { token: users.analyst.token })).body;
    const types = final.timeline.map((t: { type: string }) => t.type);
    expect(types).toEqual(expect.arrayContaining(['created', 'alerts_linked', 'grade_changed', 'playbook_tasks', 'transition', 'task_updated', 'comment', 'protect_ticket_opened']));
    expect(final.timeline.filter((t: { type: string }) => t.type === 'transition').map((t: { detail: { to: string } }) => t.detail.to)).toEqual([
      'acknowledged',
      'confirmed',
      'containment',
      'eradication',
      'recovery',
      'verification',
      'closed',
    ]);
    const trail = (await app.call('GET', `/api/audit?targetType=incident&targetId=${incident.id}&limit=200`, { token: users.admin })).body;
    expect(trail.filter((r: { action: string }) => r.action === 'incident.transition')).toHaveLength(7);

    // Reopening needs a reason.
    expect((await step({ to: 'containment' })).status).toBe(400);
    expect((await step({ to: 'containment', reason: '同一来源再次登录成功' })).body.state).toBe('containment');
    // And closed again, so that later alerts on the host open an incident of their own.
    for (const to of ['recovery', 'verification']) expect((await step({ to })).status).toBe(200);
    expect((await step({ to: 'closed', review })).status).toBe(200);
  });

  it('keeps an incident in verification while its rule still fires, and lets it close after the quiet period or on an override', async () => {
    const now = () => serviceClock.now().toISOString();
    const login = () => `<38>1 ${now()} labsz sshd 24680 - - Accepted password for fztu from 119.137.62.142 port 49116 ssh2`;
    await ingest([login()]);
    const [incident] = await incidentsOf(FROM_ABROAD);
    expect(incident.state).toBe('new');
    const path = `/api/incidents/${incident.key}`;
    const step = (body: object) => app.call('POST', `${path}/transitions`, { token: users.analyst.token, body });
    for (const to of ['acknowledged', 'confirmed', 'containment', 'recovery', 'verification']) expect((await step({ to })).status).toBe(200);
    const review = { rootCause: '运维账号口令泄露', lessons: '境外登录应告警即处置', protectiveActions: ['限制 SSH 来源地址'] };

    // It fires again while we verify: closing is refused, saying when it may close.
    await ingest([login()]);
    const blocked = await step({ to: 'closed', review });
    expect(blocked.status).toBe(409);
    expect(blocked.body.details).toMatchObject({ reason: 'not_quiet', quiet: false, rules: [FROM_ABROAD], quietPeriodMs: 3000 });
    // An override needs a reason.
    expect((await step({ to: 'closed', review, overrideQuietPeriod: true })).status).toBe(400);

    // After three quiet seconds it closes.
    serviceClock.skip(3200);
    const closed = await step({ to: 'closed', review });
    expect(closed.status).toBe(200);

    // Reopened, the rule fires again, and the analyst overrides with a reason.
    expect((await step({ to: 'containment', reason: '再次出现境外登录' })).status).toBe(200);
    expect((await step({ to: 'recovery' })).status).toBe(200);
    expect((await step({ to: 'verification' })).status).toBe(200);
    await ingest([login()]);
    expect((await step({ to: 'closed', review })).status).toBe(409);
    const overridden = await step({ to: 'closed', review, overrideQuietPeriod: true, reason: '来源为已登记的运维出口，已加入例外' });
    expect(overridden.status).toBe(200);
    const timeline = (await app.call('GET', path, { token: users.analyst.token })).body.timeline;
    expect(timeline.some((t: { type: string; detail: { reason: string } }) => t.type === 'quiet_period_overridden' && t.detail.reason.includes('例外'))).toBe(true);
  });

  it('escalates an SLA breach by timeline entry and e-mail, once', async () => {
    const created = await app.call('POST', '/api/incidents', {
      token: users.analyst.token,
      body: { title: '门户网站疑似被篡改', category: 'network_attack', assigneeId: users.analyst.id },
    });
    expect(created.status).toBe(201);
    expect(created.body.grade).toBe('unrated');
    serviceClock.skip(2100);
    const timers = app.running.app.get(IncidentTimersService);
    const first = await timers.tick(serviceClock.now());
    expect(first.slaBreaches).toBeGreaterThanOrEqual(1);
    expect((await timers.tick(serviceClock.now())).slaBreaches).toBe(0);
    await delivered();
    const mail = await mailWhere((m) => m.to.includes('analyst1@county.example') && m.subject.includes(created.body.key) && /超出/.test(m.subject));
    expect(mail.text).toMatch(/确认|acknowledge/);
    const detail = (await app.call('GET', `/api/incidents/${created.body.key}`, { token: users.analyst.token })).body;
    expect(detail.timeline.filter((t: { type: string }) => t.type === 'sla_breached').map((t: { detail: { target: string } }) => t.detail.target)).toEqual(['acknowledge']);
    expect(detail.sla[0]).toMatchObject({ target: 'acknowledge', status: 'breached' });
  });

  it('asks for the PIPL Art. 57 notice on any incident that exposed personal information, whatever its category', async () => {
    const created = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '撞库后导出用户资料', category: 'network_attack' } });
    const key = created.body.key;
    const report = () => app.call('GET', `/api/incidents/${key}/report`, { token: users.compliance.token }).then((r) => r.body);
    expect((await report()).pipl).toBeNull();
    const patched = await app.call('PATCH', `/api/incidents/${key}`, { token: users.analyst.token, body: { gradingFacts: { personalDataExposed: 350 } } });
    expect(patched.status).toBe(200);
    expect((await report()).pipl).toMatchObject({ record: null, missing: expect.arrayContaining(['pi_types', 'cause', 'contact']) });
  });

  it('runs the reporting clock from discovery and notifies compliance at 50%, then records the report and the PIPL notice', async () => {
    // Discovered 40 minutes ago on a CII asset, graded 重大 by the analyst: a 1-hour clock at 67%.
    const detectedAt = new Date(serviceClock.nowMs() - 40 * 60_000).toISOString();
    const created = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '供水调度系统数据外泄', category: 'data_security', assetIds: [labsz], detectedAt } });
    const key = created.body.key;
    expect((await app.call('POST', `/api/incidents/${key}/grade`, { token: users.analyst.token, body: { grade: 'major' } })).status).toBe(400);
    const graded = await app.call('POST', `/api/incidents/${key}/grade`, { token: users.analyst.token, body: { grade: 'major', reason: '泄露约 1200 万人的用水户信息' } });
    expect(graded.body).toMatchObject({ grade: 'major', gradeSource: 'analyst', gradeReason: '泄露约 1200 万人的用水户信息' });

    const ticked = await app.running.app.get(IncidentTimersService).tick(serviceClock.now());
    expect(ticked.clockNotices).toBeGreaterThanOrEqual(1);
    await delivered();
    const notice = await mailWhere((m) => m.to.includes('compliance@county.example') && m.subject.includes(key) && m.text.includes('保护工作部门'));
    expect(notice.subject).toMatch(/过半/);

    const report = (await app.call('GET', `/api/incidents/${key}/report`, { token: users.compliance.token })).body;
    expect(report).toMatchObject({ reportRequired: true, reporterType: 'cii_operator', status: 'draft' });
    expect(report.deadline.hours).toBe(1);
    // 重大 on CII: the protection department's own 30-minute step is shown (Art. 4).
    expect(report.escalation).toMatchObject({ withinMinutes: 30 });
    expect(report.header).toMatchObject({ unit: '某县大数据中心', reporterType: 'cii_operator' });
    expect(report.draft.first.items).toEqual(['unit_and_systems', 'discovery', 'type_grade_impact', 'measures_and_effect']);
    expect(report.draft.content).toMatchObject({ unit: '某县大数据中心', systems: ['LabSZ 堡垒机'], grade: 'major', category: 'data_security' });
    expect(report.draft.missing).toEqual(expect.arrayContaining(['measures_and_effect', 'preliminary_cause']));
    expect(report.pipl.missing).toEqual(expect.arrayContaining(['authority_notified', 'individuals_decision']));

    const path = `/api/incidents/${key}/report`;
    expect((await app.call('PATCH', path, { token: users.ownerA.token, body: { status: 'initial_submitted' } })).status).toBe(403);
    expect((await app.call('PATCH', path, { token: users.compliance.token, body: { status: 'final' } })).status).toBe(409);
    // Art. 7: mandatory items missing and no reason given → refused with a coded error naming them.
    const refused = await app.call('PATCH', path, { token: users.compliance.token, body: { status: 'initial_submitted' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'incident.report_items_missing', details: { reason: 'items_missing' } });
    expect(refused.body.details.missing).toEqual(expect.arrayContaining(['discovery', 'preliminary_cause', 'scene_protection']));
    expect(refused.body.message).toContain('现场保护情况');
    const submitted = await app.call('PATCH', path, {
      token: users.compliance.token,
      body: {
        status: 'initial_submitted',
        missingReason: '原因和调查线索仍在分析，先报告第（一）（二）项',
        content: { discoveryPlace: '县大数据中心机房', impact: '用水户姓名、手机号外泄', measuresTaken: '下线接口', measuresEffect: '外泄已停止' },
        pipl: {
          content: { piTypes: ['姓名', '手机号'], cause: '接口未鉴权', possibleHarm: '诈骗电话', remedies: '已下线接口', individualSteps: '警惕冒充水务局的电话', contact: '0000-12345678' },
          authority: { name: '县网信办', notifiedAt: serviceClock.now().toISOString() },
          individuals: { notified: true, notifiedAt: serviceClock.now().toISOString(), channel: '短信' },
        },
      },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('initial_submitted');
    expect(submitted.body.deadline.met).toBe(true);
    expect(submitted.body.pipl.missing).toEqual([]);
    // With the initial report in, no clock runs for it until handling ends.
    expect((await app.call('GET', '/api/incidents/clocks', { token: users.compliance.token })).body.some((c: { incident: { key: string } }) => c.incident.key === key)).toBe(false);
  });

  it('sends alerts by hand, merges incidents, and reports MTTA and MTTR per grade and month', async () => {
    const alerts = (await app.call('GET', '/api/alerts?limit=200', { token: users.analyst.token })).body.items as { id: string; level: string }[];
    const low = alerts.find((a) => a.level === 'low')!;
    const fresh = await app.call('POST', `/api/alerts/${low.id}/incident`, { token: users.analyst.token, body: {} });
    expect(fresh.status).toBe(200);
    expect(fresh.body.kind).toBe('incident');
    const again = await app.call('POST', `/api/alerts/${low.id}/incident`, { token: users.analyst.token, body: {} });
    expect(again.status).toBe(409);

    const other = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '同一来源的扫描', category: 'network_attack' } });
    const merged = await app.call('POST', `/api/incidents/${other.body.key}/merge`, { token: users.analyst.token, body: { into: fresh.body.key } });
    expect(merged.status).toBe(200);
    const source = (await app.call('GET', `/api/incidents/${other.body.key}`, { token: users.analyst.token })).body;
    expect(source).toMatchObject({ state: 'duplicate', mergedInto: fresh.body.id });
    expect((await app.call('POST', `/api/incidents/${other.body.key}/merge`, { token: users.analyst.token, body: { into: fresh.body.key } })).status).toBe(409);

    const stats = await app.call('GET', '/api/incidents/stats/mean-times?months=1', { token: users.compliance.token });
    expect(stats.status).toBe(200);
    const relativelyMajor = stats.body.find((r: { grade: string }) => r.grade === 'relatively_major');
    expect(relativelyMajor.acknowledged).toBeGreaterThanOrEqual(1);
    expect(relativelyMajor.mttaMinutes).toBeGreaterThanOrEqual(0);
    expect(relativelyMajor.recovered).toBeGreaterThanOrEqual(1);
    expect((await app.call('GET', '/api/incidents/stats/mean-times?months=99', { token: users.compliance.token })).status).toBe(400);
  });

  it('puts new and open incidents and the running clocks in the daily digest, confined to the owner\'s department', async () => {
    await app.running.app.get(NotificationsService).sendDigest(serviceClock.now());
    await delivered();
    const analyst = await mailWhere((m) => m.to.includes('analyst1@county.example') && /每日摘要/.test(m.subject));
    expect(analyst.text).toMatch(/新登记事件（\d+）/);
    expect(analyst.text).toMatch(/INC-\d{4}-\d{4} \[较大\]/);
    expect(analyst.text).toContain('运行中的报告时限');
    const owner = await mailWhere((m) => m.to.includes('water-owner@county.example') && /digest/i.test(m.subject));
    expect(owner.text).toMatch(/New incidents \(\d+\)/);
    expect(owner.text).not.toContain('reporting clocks');
  });

  it('makes one incident of one intrusion, a second of another source on another asset, and no legal clock until an analyst confirms 较大 (issue 14)', async () => {
    const asset = async (name: string, host: string, cii: boolean) => {
      const r = await app.call('POST', '/api/assets', {
        token: users.admin,
        body: { name, type: 'server', department: '水务局', addresses: [host], cii: { designated: cii }, mlps: { level: 3 }, data: { level: 'general', personal: 'none', categories: [] } },
      });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const scada = await asset('二水厂 SCADA 工作站', 'zw-scada-01', true);
    const web = await asset('交通局办公系统', 'jt-oa-02', false);
    const start = serviceClock.nowMs() - 10 * 60_000;
    const line = (i: number, host: string, text: string) => `${syslogStamp(new Date(start + i * 1000))} ${host} ${text}`;
    const lines = [
      // One source on the CII asset: brute force, a successful login, sudo to a root shell, a second root account.
      ...Array.from({ length: 10 }, (_, i) => line(i, 'zw-scada-01', `sshd[510${i}]: Failed password for ops from 203.0.113.50 port 5100${i} ssh2`)),
      line(11, 'zw-scada-01', 'sshd[5200]: Accepted password for ops from 203.0.113.50 port 52000 ssh2'),
      line(12, 'zw-scada-01', 'sudo:      ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/bin/bash -i'),
      line(13, 'zw-scada-01', 'useradd[5300]: new user: name=toor, UID=0, GID=0, home=/root, shell=/bin/bash'),
      // Another source on another asset.
      ...Array.from({ length: 10 }, (_, i) => line(20 + i, 'jt-oa-02', `sshd[610${i}]: Failed password for zhao from 198.51.100.60 port 6100${i} ssh2`)),
    ];
    expect((await app.call('POST', '/api/ingest', { token: users.admin, rawBody: lines.join('\n'), headers: { 'content-type': 'text/plain' } })).status).toBe(202);
    await app.running.app.get(LiveDetection).settled();

    const on = async (assetId: string) => {
      const list = (await app.call('GET', `/api/incidents?kind=incident&assetId=${assetId}&limit=100`, { token: users.analyst.token })).body.items as { key: string }[];
      return Promise.all(list.map((i) => app.call('GET', `/api/incidents/${i.key}`, { token: users.analyst.token }).then((r) => r.body)));
    };
    // Usually done when detection has settled; but a brute force counted through the shared
    // correlation feed (the windows' keeper changing hands) fires on the feed's next read. CI saw
    // the server-PostgreSQL run find no incident yet once.
    await until('both incidents opened', async () => (await on(scada)).length > 0 && (await on(web)).length > 0);
    const [intrusion, ...moreOnScada] = await on(scada);
    expect(moreOnScada).toEqual([]);
    const rules = new Set(intrusion.alerts.map((a: { ruleId: string }) => a.ruleId));
    for (const rule of [BRUTE_FORCE, '0b2e7580-6a67-423f-9cb4-bfbabc45b114', 'fcd2f2dd-1ab4-4cf3-ac61-d2671be385fa', 'ea750839-8ebc-4822-b529-97a2506f88bf']) expect(rules).toContain(rule);
    expect(intrusion.category).toBe('network_attack');
    const [second, ...moreOnWeb] = await on(web);
    expect(moreOnWeb).toEqual([]);
    expect(second.key).not.toBe(intrusion.key);
    expect(second.assetIds).toEqual([web]);

    // Proposed 较大 (CII floor), waiting for the assessment; no legal clock runs for either.
    expect(intrusion).toMatchObject({ grade: 'general', gradeSource: 'proposal', proposal: { grade: 'relatively_major' }, assessment: { status: 'pending' } });
    expect(second.assessment).toEqual({ status: 'not_needed' });
    const clocksFor = async (key: string) => ((await app.call('GET', '/api/incidents/clocks', { token: users.compliance.token })).body as { incident: { key: string }; startsAt: string; dueAt: string }[]).filter((c) => c.incident.key === key);
    expect(await clocksFor(intrusion.key)).toEqual([]);
    expect(await clocksFor(second.key)).toEqual([]);

    // Left unassessed past the 30-minute assessment SLA, it is escalated once, still without a legal clock.
    const timers = app.running.app.get(IncidentTimersService);
    await timers.tick(new Date(serviceClock.nowMs() + 31 * 60_000));
    await timers.tick(new Date(serviceClock.nowMs() + 32 * 60_000));
    const escalated = (await app.call('GET', `/api/incidents/${intrusion.key}`, { token: users.analyst.token })).body;
    expect(escalated.timeline.filter((e: { type: string; detail: { target: string } }) => e.type === 'sla_breached' && e.detail.target === 'assess')).toHaveLength(1);
    expect(escalated.assessment).toMatchObject({ status: 'pending', overdue: false });
    expect(await clocksFor(intrusion.key)).toEqual([]);

    // The analyst confirms 较大: one clock, counted from discovery (measures Art. 4: CII, 1 h).
    expect((await app.call('POST', `/api/incidents/${intrusion.key}/grade`, { token: users.analyst.token, body: { grade: 'relatively_major', reason: '关基工作站被入侵并新建 root 账号' } })).status).toBe(200);
    const [clock, ...others] = await clocksFor(intrusion.key);
    expect(others).toEqual([]);
    expect(clock).toMatchObject({ clock: 'initial_report', startsAt: intrusion.detectedAt });
    expect(Date.parse(clock.dueAt) - Date.parse(intrusion.detectedAt)).toBe(3_600_000);

    // Merge several at once and split back: one set of clocks, the earliest discovery, all evidence.
    const merged = await app.call('POST', '/api/incidents/merge', { token: users.analyst.token, body: { into: intrusion.key, incidents: [second.key] } });
    expect(merged.status).toBe(200);
    expect(merged.body.assetIds.sort()).toEqual([scada, web].sort());
    expect(merged.body.detectedAt).toBe([intrusion.detectedAt, second.detectedAt].sort()[0]);
    expect(merged.body).toMatchObject({ grade: 'relatively_major', gradeSource: 'analyst' });
    const mergedDetail = (await app.call('GET', `/api/incidents/${intrusion.key}`, { token: users.analyst.token })).body;
    expect(mergedDetail.alerts).toHaveLength(intrusion.alerts.length + second.alerts.length);
    expect(await clocksFor(second.key)).toEqual([]);
    expect(await clocksFor(intrusion.key)).toHaveLength(1);
    const self = await app.call('POST', '/api/incidents/merge', { token: users.analyst.token, body: { into: intrusion.key, incidents: [intrusion.key] } });
    expect([self.status, self.body.code]).toEqual([400, 'incident.merge_into_self']);

    const split = await app.call('POST', `/api/incidents/${intrusion.key}/split`, { token: users.analyst.token, body: { incident: second.key } });
    expect(split.status).toBe(200);
    expect(split.body).toMatchObject({ assetIds: [scada], detectedAt: intrusion.detectedAt });
    const back = (await app.call('GET', `/api/incidents/${second.key}`, { token: users.analyst.token })).body;
    expect(back).toMatchObject({ state: 'new', mergedInto: null, assetIds: [web] });
    expect(back.alerts).toHaveLength(second.alerts.length);
    const again = await app.call('POST', `/api/incidents/${intrusion.key}/split`, { token: users.analyst.token, body: { incident: second.key } });
    expect([again.status, again.body.code]).toEqual([409, 'incident.not_merged']);
  });

  it('validates input precisely', async () => {
    const bad = await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: '', category: 'nonsense', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/extra/);
    expect(JSON.stringify(bad.body.details)).toMatch(/category/);
    const found = (await app.call('GET', `/api/incidents?q=${encodeURIComponent('门户网站')}`, { token: users.analyst.token })).body;
    expect(found.items.map((i: { title: string }) => i.title)).toEqual(['门户网站疑似被篡改']);
    const byKey = (await app.call('GET', `/api/incidents?q=${found.items[0].key}`, { token: users.analyst.token })).body;
    expect(byKey.total).toBe(1);
    expect((await app.call('GET', '/api/incidents?q=100%25_', { token: users.analyst.token })).body.total).toBe(0);
    expect((await app.call('GET', '/api/incidents?state=bogus', { token: users.analyst.token })).status).toBe(400);
    expect((await app.call('GET', '/api/incidents/INC-1999-0001', { token: users.analyst.token })).status).toBe(404);
    expect((await app.call('GET', '/api/incidents/not-an-id', { token: users.analyst.token })).status).toBe(404);
    expect((await app.call('POST', '/api/incidents', { token: users.analyst.token, body: { title: 'x', category: 'malware', assetIds: ['00000000-0000-4000-8000-000000000000'] } })).status).toBe(400);
  });
});
