import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AssetsService } from '../assets/index.js';
import { AuditService } from '../audit/index.js';
import { listedDepartment } from '../shared/index.js';
import type { Caller } from '../shared/principal.js';
import { AuthService } from '../auth/index.js';
import { UsersService } from '../auth/index.js';
import { ClassificationService } from '../classification/index.js';
import { DEFAULT_PROFILE, ProfilesService, RunsService } from '../compliance/index.js';
import { DepartmentsService } from '../departments/index.js';
import { AlertsService, LiveDetection, ScheduledRules } from '../detection/index.js';
import { IncidentMerge, IncidentQueries, IncidentsService, IncidentWorkflow, type IncidentRow } from '../incidents/index.js';
import { IngestService } from '../ingest/index.js';
import { DEMO_PASSWORD, DEMO_USERS, DEPARTMENTS, demoAssets, SILENT_DEVICE } from './city.js';
import { HOUR, MINUTE } from './clock.js';
import { ingestRecords } from './live.js';
import { replayApacheErrors, replayOpenSsh } from './loghub.js';
import { attackScenarios } from './scenarios.js';
import { background, type DemoRecord, type Silence } from './traffic.js';

export interface DemoServices {
  auth: AuthService;
  assets: AssetsService;
  departments: DepartmentsService;
  users: UsersService;
  ingest: IngestService;
  liveDetection: LiveDetection;
  scheduledRules: ScheduledRules;
  alerts: AlertsService;
  incidents: IncidentsService;
  incidentQueries: IncidentQueries;
  incidentMerge: IncidentMerge;
  incidentWorkflow: IncidentWorkflow;
  audit: AuditService;
  classification: ClassificationService;
  profiles: ProfilesService;
  runs: RunsService;
}

/** The services the demo works through, from a Nest application or application context. */
export function demoServices(get: <T>(type: new (...args: never[]) => T) => T): DemoServices {
  return {
    auth: get(AuthService),
    assets: get(AssetsService),
    departments: get(DepartmentsService),
    users: get(UsersService),
    ingest: get(IngestService),
    liveDetection: get(LiveDetection),
    scheduledRules: get(ScheduledRules),
    alerts: get(AlertsService),
    incidents: get(IncidentsService),
    incidentQueries: get(IncidentQueries),
    incidentMerge: get(IncidentMerge),
    incidentWorkflow: get(IncidentWorkflow),
    audit: get(AuditService),
    classification: get(ClassificationService),
    profiles: get(ProfilesService),
    runs: get(RunsService),
  };
}

// The rules the scenarios are written for (rules/detection); the demo finds its incidents by them.
const RULES = {
  sshBruteForce: 'f8f1436b-5e79-43de-8227-e9421d8f666d',
  portScan: '8df12153-25d6-4fd3-9e5b-1b4e6276ddaf',
  sqlInjection: '7d36dcc6-5b15-44e4-b42c-4a63551e301b',
  pathTraversal: '764a9d1f-2f28-430b-8029-117190512fb0',
  webShell: 'f00e17ce-f098-4c75-80a8-a27ed002e6eb',
  scriptInUploads: 'a4bbbe23-654d-49fd-936f-5268f321d32e',
  bulkDownload: 'e9f19afa-7e9b-464b-96a1-4fb4f405db9e',
  deviceSilent: '9315c64a-53f6-402c-ad13-f3900c817a3b',
} as const;

const BASTION = '运维堡垒机 LabSZ';
const PORTAL = '县政务服务网（门户网站）';

/** The demo refuses a database that holds someone's real registry or users, unless forced. */
export class DemoRefusedError extends Error {}

export interface DemoOptions {
  caller: Caller;
  /** Load even into a database that holds assets or users the demo did not create. */
  force?: boolean;
  /** Everyday traffic of this last stretch is left for the live feed to deliver. */
  holdBackMs?: number;
  progress?: (done: number, total: number) => void;
  say?: (zh: string, en: string) => void;
}

export interface DemoReport {
  /** `full`: the whole last day with every scenario; `top-up`: a load less than a day old is continued with everyday traffic only. */
  mode: 'full' | 'top-up';
  from: number;
  until: number;
  silence: Silence;
  users: { created: string[]; existing: string[] };
  assets: { created: number; existing: number };
  events: number;
  counts: {
    assets: number;
    alertsByLevel: Record<string, number>;
    incidentsByGrade: Record<string, number>;
    incidentsByState: Record<string, number>;
    protectTickets: number;
    classificationFindings: number;
  };
  /** Things the demo could not do, said in both languages. */
  problems: string[];
}

const quiet = () => undefined;

/**
 * Loads the demo city: departments' users and systems, a day of their logs (the loghub samples,
 * everyday traffic and four attacks), detection over all of it, and an analyst's first moves on the
 * incidents it opens. Running it again adds nothing twice: users and assets are kept by name, and
 * a load less than a day old is only continued with the traffic since.
 */
export async function loadDemo(s: DemoServices, options: DemoOptions): Promise<DemoReport> {
  const say = options.say ?? quiet;
  const caller = options.caller;
  const now = Date.now();
  const problems: string[] = [];
  const problem = (zh: string, en: string) => {
    problems.push(`${zh} / ${en}`);
    say(zh, en);
  };

  await refuseForeignData(s, caller, options.force ?? false);
  // Loaded before the service ever started, the demo's users would keep it from creating `admin`.
  await s.auth.ensureInitialAdmin();
  await ensureDepartments(s, caller);
  const users = await ensureUsers(s, caller);
  say(`演示账户：新建 ${users.created.length} 个，已有 ${users.existing.length} 个`, `demo accounts: ${users.created.length} created, ${users.existing.length} already there`);
  const assets = await ensureAssets(s, caller, users.ids, now);
  say(`资产：新登记 ${assets.created} 个，已有 ${assets.existing} 个`, `assets: ${assets.created} registered, ${assets.existing} already there`);

  const previous = await previousLoad(s.audit, now);
  let until = now - (options.holdBackMs ?? 0);
  let records: DemoRecord[];
  let silence: Silence;
  let from: number;
  if (previous) {
    ({ silence, until: from } = previous);
    // A live feed may have run until moments ago, past the stretch held back for this one.
    until = Math.max(until, from);
    records = background(from, until, silence);
    say(`演示数据已载入至 ${new Date(from).toISOString()}，仅补充此后的日常流量`, `the demo was loaded up to ${new Date(from).toISOString()}; adding everyday traffic since then only`);
  } else {
    from = now - 24 * HOUR;
    silence = { device: SILENT_DEVICE, since: now - 2 * HOUR };
    records = [...background(from, until, silence), ...attackScenarios(now), ...(await loghub(now, problem))];
  }
  say(`载入 ${records.length} 条事件`, `loading ${records.length} events`);
  await ingestRecords(s.ingest, records, options.progress);
  await s.liveDetection.settled();
  // The absence rule runs on its own schedule; run it now so the silent sensor is on the page at once.
  await s.scheduledRules.runScheduled(new Date());
  await s.liveDetection.settled();
  await s.audit.record({
    ...caller,
    action: 'demo.load',
    targetType: 'demo',
    targetId: 'city',
    after: { mode: previous ? 'top-up' : 'full', from: new Date(from).toISOString(), until: new Date(until).toISOString(), silence: { device: silence.device, since: new Date(silence.since).toISOString() }, events: records.length },
  });

  if (!previous) {
    await firstMoves(s, caller, users.ids, assets.ids, now, problem, say);
    await firstAudit(s, caller, say, problem);
  }
  return {
    mode: previous ? 'top-up' : 'full',
    from,
    until,
    silence,
    users: { created: users.created, existing: users.existing },
    assets: { created: assets.created, existing: assets.existing },
    events: records.length,
    counts: await counts(s, caller),
    problems,
  };
}

async function refuseForeignData(s: DemoServices, caller: Caller, force: boolean): Promise<void> {
  if (force) return;
  const demoNames = new Set(demoAssets(new Date()).map((a) => a.input.name));
  const { items, total } = await s.assets.list({ limit: 1000 }, caller.principal);
  const foreignAssets = items.filter((a) => !demoNames.has(a.name)).length + (total - items.length);
  const demoUsers = new Set(DEMO_USERS.map((u) => u.username));
  const foreignUsers = (await s.users.list()).filter((u) => u.username !== 'admin' && !demoUsers.has(u.username)).length;
  if (foreignAssets || foreignUsers)
    throw new DemoRefusedError(
      `这个数据库里已有 ${foreignAssets} 个非演示资产和 ${foreignUsers} 个非演示用户，演示数据会与真实数据混在一起且无法撤销（审计链只增不删）；确需载入请加 --force。` +
        ` / This database already holds ${foreignAssets} asset(s) and ${foreignUsers} user(s) the demo did not create; demo data would mix with real data for good (the audit trail is append-only). Add --force to load anyway.`,
    );
}

/** The demo's users and assets name only listed departments. */
async function ensureDepartments(s: DemoServices, caller: Caller): Promise<void> {
  const listed = (await s.departments.list()).map((d) => d.name);
  for (const name of Object.values(DEPARTMENTS)) if (listedDepartment(listed, name) === undefined) await s.departments.add(name, caller);
}

async function ensureUsers(s: DemoServices, caller: Caller) {
  const existing = new Map((await s.users.list()).map((u) => [u.username, u.id]));
  const kept = DEMO_USERS.filter((u) => existing.has(u.username)).map((u) => u.username);
  const missing = DEMO_USERS.filter((u) => !existing.has(u.username));
  // Side by side: each account's password hash (scrypt) is most of its cost, and runs off the main thread.
  const made = await Promise.all(
    missing.map((u) =>
      s.users.create(
        { username: u.username, displayName: u.displayName, role: u.role, department: u.department ? DEPARTMENTS[u.department] : undefined, password: DEMO_PASSWORD, language: 'zh-CN' },
        caller,
      ),
    ),
  );
  made.forEach((user, i) => existing.set(missing[i].username, user.id));
  return { created: missing.map((u) => u.username), existing: kept, ids: existing };
}

async function ensureAssets(s: DemoServices, caller: Caller, userIds: Map<string, string>, now: number) {
  const { items } = await s.assets.list({ limit: 1000 }, caller.principal);
  const ids = new Map(items.map((a) => [a.name, a.id]));
  let created = 0;
  let existing = 0;
  for (const asset of demoAssets(new Date(now))) {
    if (ids.has(asset.input.name)) {
      existing++;
      continue;
    }
    const view = await s.assets.create({ ...asset.input, contactUserId: asset.owner ? userIds.get(asset.owner) : undefined }, caller);
    ids.set(view.name, view.id);
    created++;
  }
  return { created, existing, ids };
}

/** The last demo load or live feed less than a day old: where its traffic stopped, and which sensor fell silent. */
async function previousLoad(audit: AuditService, now: number): Promise<{ until: number; silence: Silence } | undefined> {
  const [last] = await audit.list({ limit: 1, targetType: 'demo' });
  const after = last?.after as { until?: string; silence?: { device: string; since: string } } | null | undefined;
  if (!after?.until || !after.silence) return undefined;
  const until = Date.parse(after.until);
  if (!(until > now - 24 * HOUR) || until > now) return undefined;
  return { until, silence: { device: after.silence.device, since: Date.parse(after.silence.since) } };
}

/** Records the end of a live feed, so the next run continues from there. */
export async function recordFeed(s: Pick<DemoServices, 'audit'>, caller: Caller, until: number, silence: Silence, delivered: number): Promise<void> {
  await s.audit.record({
    ...caller,
    action: 'demo.feed',
    targetType: 'demo',
    targetId: 'city',
    after: { until: new Date(until).toISOString(), silence: { device: silence.device, since: new Date(silence.since).toISOString() }, events: delivered },
  });
}

/** The loghub samples, found like rules/ relative to the working directory (the repository; images without fixtures/ skip them). */
async function loghub(now: number, problem: (zh: string, en: string) => void): Promise<DemoRecord[]> {
  const read = (name: string) =>
    readFile(path.resolve('fixtures/loghub', name), 'utf8').catch(() => {
      problem(`未找到 fixtures/loghub/${name}，跳过该 loghub 样本的回放`, `fixtures/loghub/${name} not found; that loghub sample is not replayed`);
      return '';
    });
  const [ssh, apache] = await Promise.all([read('OpenSSH_2k.log'), read('Apache_2k.log')]);
  return [...replayOpenSsh(ssh, now - 16 * HOUR), ...replayApacheErrors(apache, now - 23 * HOUR, now - 20 * MINUTE)];
}

/**
 * What an analyst would have done by now: closed the old bastion brute force with a review (which
 * opens protect tickets), folded what grouping left apart of the portal attack into one incident
 * and contained it, acknowledged and graded the data leak (the one confirmed 较大, so the one
 * legal clock), and opened an incident for the silent sensor. The SCADA break-in is left new and
 * proposed 较大 for assessment (待研判), as the thing to look at first.
 */
async function firstMoves(
  s: DemoServices,
  caller: Caller,
  userIds: Map<string, string>,
  assetIds: Map<string, string>,
  since: number,
  problem: (zh: string, en: string) => void,
  say: (zh: string, en: string) => void,
) {
  const analyst = userIds.get('demo.analyst');
  const { items } = await s.incidentQueries.list({ kind: 'incident', limit: 500 }, caller.principal);
  const fresh = items.filter((i) => i.createdAt.getTime() >= since - MINUTE);
  const details = await Promise.all(fresh.map((i) => s.incidentQueries.detail(i.id, caller.principal)));
  const withRule = (ruleId: string) => details.filter((d) => (d.alerts as { ruleId: string }[]).some((a) => a.ruleId === ruleId));
  const step = async (zh: string, en: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      problem(`${zh}失败：${(error as Error).message}`, `${en} failed: ${(error as Error).message}`);
    }
  };
  const take = async (incident: Pick<IncidentRow, 'key'>, title: string) => s.incidents.update(incident.key, { title, assigneeId: analyst }, caller);
  const walk = async (incident: Pick<IncidentRow, 'key'>, states: ('acknowledged' | 'confirmed' | 'containment' | 'recovery' | 'verification')[]) => {
    for (const to of states) await s.incidentWorkflow.transition(incident.key, { to }, caller);
  };

  const [bastion] = withRule(RULES.sshBruteForce).filter((d) => d.assetIds.includes(assetIds.get(BASTION) ?? ''));
  if (bastion)
    await step('关闭堡垒机暴力破解事件', 'closing the bastion brute-force incident', async () => {
      await take(bastion, '运维堡垒机 LabSZ 遭受 SSH 暴力破解');
      await walk(bastion, ['acknowledged', 'confirmed', 'containment', 'recovery', 'verification']);
      await s.incidentWorkflow.transition(
        bastion.key,
        {
          to: 'closed',
          overrideQuietPeriod: true,
          reason: '攻击源已在边界防火墙封禁，堡垒机已关闭口令登录，此后无成功登录。',
          review: {
            rootCause: '堡垒机 SSH 端口直接暴露在互联网上，且允许口令登录。',
            lessons: '运维入口不应直接暴露在互联网上；口令登录应改为密钥加双因素认证。',
            protectiveActions: ['堡垒机关闭口令登录，仅允许密钥加双因素认证', '边界防火墙将 22 端口限制为仅运维专网可达'],
          },
        },
        caller,
      );
    });
  else problem('未找到堡垒机暴力破解事件', 'no bastion brute-force incident was opened');

  const [shell] = [...withRule(RULES.webShell), ...withRule(RULES.scriptInUploads)];
  if (shell)
    await step('处置门户网站攻击事件', 'working the portal attack incident', async () => {
      const related = [RULES.sqlInjection, RULES.pathTraversal, RULES.scriptInUploads, RULES.portScan].flatMap(withRule).filter((d) => d.id !== shell.id);
      const others = [...new Map(related.map((d) => [d.id, d])).values()];
      if (others.length) await s.incidentMerge.merge(shell.key, others.map((o) => o.key), caller);
      await take(shell, '县政务服务网遭 SQL 注入后被植入 WebShell');
      // A county portal: the annex's portal criteria start at prefecture level, and nothing was
      // defaced or knocked out, so the analyst records the level and the grade stays 一般.
      const portal = assetIds.get(PORTAL);
      if (portal) await s.incidents.update(shell.key, { gradingFacts: { assets: [{ assetId: portal, portal: 'county' }] } }, caller);
      await walk(shell, ['acknowledged', 'confirmed', 'containment']);
      await s.incidents.comment(shell.key, '已删除上传目录中的 WebShell 文件，临时关闭编辑器上传接口，并在边界防火墙封禁 203.0.113.77。正在排查是否有横向移动。', caller);
    });
  else problem('未找到门户网站 WebShell 事件', 'no portal web-shell incident was opened');

  const [leak] = withRule(RULES.bulkDownload);
  if (leak)
    await step('定级数据泄露事件', 'grading the data-leak incident', async () => {
      await take(leak, '政务数据共享交换接口居民个人信息被批量导出');
      await walk(leak, ['acknowledged']);
      await s.incidents.setGrade(
        leak.key,
        { grade: 'relatively_major', reason: '约 60 万条居民身份证号、手机号经共享接口被批量导出（12 批，每批 5 万行），属重要数据遭泄露，按较大事件处置并报告。' },
        caller,
      );
      await s.incidents.comment(leak.key, '已冻结外包账号 wx_contractor02 并断开 10.10.8.66 的网络；共享接口登记为“不含个人信息”，与日志不符，已请政务服务管理局更正申报。', caller);
    });
  else problem('未找到数据批量导出事件', 'no bulk-export (data leak) incident was opened');

  const { items: silentAlerts } = await s.alerts.list({ ruleId: RULES.deviceSilent, limit: 100 }, caller.principal);
  const sensor = silentAlerts.find((a) => a.groupKey.endsWith(`=${SILENT_DEVICE}`) && a.status !== 'closed');
  if (sensor)
    await step('为停止上报的传感器建立事件', 'opening an incident for the silent sensor', async () => {
      // A medium alert opens no incident by itself; the analyst decides this one matters.
      const incident = await s.incidents.sendAlert(sensor.id, { title: '城北水厂出厂水余氯监测仪停止上报' }, caller);
      await s.incidents.update(incident.key, { assigneeId: analyst }, caller);
      await walk(incident, ['acknowledged']);
      await s.incidents.comment(incident.key, '已通知水厂值班人员现场检查设备供电和通信，期间改为人工每小时取样化验。', caller);
    });
  else problem('未找到传感器停止上报告警', 'no silent-sensor alert was raised');
  say('已模拟分析员的初步处置', 'the analyst’s first moves are done');
}

/** The default audit run once at once, so the compliance panels have results before its Monday schedule. */
async function firstAudit(s: DemoServices, caller: Caller, say: (zh: string, en: string) => void, problem: (zh: string, en: string) => void): Promise<void> {
  const profile = await s.profiles.find(DEFAULT_PROFILE.name);
  const started = await s.runs.start(profile.id, 'cli', caller);
  if (!started) return problem('合规审计未能启动（另一次审计正在运行）', 'the compliance audit did not start (another run is in progress)');
  const run = await s.runs.settled(started.id);
  if (run.status !== 'completed' || !run.summary) return problem(`合规审计失败：${run.error}`, `the compliance audit failed: ${run.error}`);
  const n = run.summary.byStatus;
  say(
    `合规审计：通过 ${n.pass}，不通过 ${n.fail}，待证明 ${n.needs_attestation}，不适用 ${n.not_applicable}`,
    `compliance audit: ${n.pass} pass, ${n.fail} fail, ${n.needs_attestation} need attestation, ${n.not_applicable} not applicable`,
  );
}

async function counts(s: DemoServices, caller: Caller): Promise<DemoReport['counts']> {
  const principal = caller.principal;
  const tally = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
  const levels = ['critical', 'high', 'medium', 'low', 'informational'];
  const alertTotals = await Promise.all(levels.map((level) => s.alerts.list({ level, limit: 1 }, principal).then((r) => [level, r.total] as const)));
  const incidents = await s.incidentQueries.list({ kind: 'incident', limit: 1000 }, principal);
  const protect = await s.incidentQueries.list({ kind: 'protect', limit: 1 }, principal);
  return {
    assets: (await s.assets.list({ limit: 1 }, principal)).total,
    alertsByLevel: Object.fromEntries(alertTotals),
    incidentsByGrade: tally(incidents.items.map((i) => i.grade)),
    incidentsByState: tally(incidents.items.map((i) => i.state)),
    protectTickets: protect.total,
    classificationFindings: (await s.classification.findings(principal)).length,
  };
}
