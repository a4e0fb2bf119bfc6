import type { LogLevel } from '@nestjs/common';
import type { Caller } from '../shared/principal.js';
import type { Settings } from '../config/index.js';
import { DEMO_PASSWORD, DEMO_USERS, DEPARTMENTS, DemoRefusedError, demoServices, HttpFeed, InProcessFeed, loadDemo, recordFeed, runLive, type DemoReport } from '../demo/index.js';
import { progressBar } from './progress.js';

type Get = <S>(type: new (...args: never[]) => S) => S;
export type WithServices = <T>(job: (get: Get, settings: Settings) => Promise<T>, logger?: LogLevel[]) => Promise<T>;

const say = (zh: string, en: string) => process.stdout.write(`${zh} / ${en}\n`);

const LEVELS: [string, string][] = [['critical', '严重'], ['high', '高'], ['medium', '中'], ['low', '低'], ['informational', '提示']];
const GRADES: [string, string][] = [['especially_major', '特别重大'], ['major', '重大'], ['relatively_major', '较大'], ['general', '一般'], ['unrated', '未定级']];
const STATES: [string, string][] = [
  ['new', '新建'],
  ['acknowledged', '已受理'],
  ['confirmed', '已确认'],
  ['containment', '遏制中'],
  ['eradication', '根除中'],
  ['recovery', '恢复中'],
  ['verification', '验证中'],
  ['closed', '已关闭'],
  ['duplicate', '重复'],
  ['false_positive', '误报'],
  ['benign', '无害'],
];
const ROLE_NAMES = { analyst: '安全分析员 analyst', compliance: '合规专员 compliance', owner: '系统负责人 owner' };

function breakdown(counts: Record<string, number>, names: [string, string][]): string {
  return names.filter(([id]) => counts[id]).map(([id, zh]) => `${zh} ${id} ${counts[id]}`).join(' · ') || '0';
}

/** The running service, if this installation's HTTP port answers. */
async function runningService(settings: Settings): Promise<string | undefined> {
  const host = ['0.0.0.0', '::', ''].includes(settings.TAISHI_HOST) ? '127.0.0.1' : settings.TAISHI_HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${settings.TAISHI_PORT}`;
  try {
    const response = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(1500) });
    return response.ok ? url : undefined;
  } catch {
    return undefined;
  }
}

function printSummary(report: DemoReport, settings: Settings, seconds: number): void {
  const c = report.counts;
  const incidents = Object.values(c.incidentsByGrade).reduce((a, b) => a + b, 0);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('');
  out(`演示城市已${report.mode === 'full' ? '载入' : '续载'}，用时 ${seconds.toFixed(1)} 秒 / Demo city ${report.mode === 'full' ? 'loaded' : 'topped up'} in ${seconds.toFixed(1)} s`);
  out(`  资产 Assets: ${c.assets}`);
  out(`  本次事件 Events this run: ${report.events}（${new Date(report.from).toISOString()} – ${new Date(report.until).toISOString()}）`);
  out(`  告警 Alerts: ${breakdown(c.alertsByLevel, LEVELS)}`);
  out(`  安全事件 Incidents: ${incidents} — ${breakdown(c.incidentsByGrade, GRADES)}`);
  out(`    状态 States: ${breakdown(c.incidentsByState, STATES)}`);
  out(`  防护工单 Protect tickets: ${c.protectTickets}`);
  out(`  个人信息申报偏差 Classification findings: ${c.classificationFindings}`);
  for (const p of report.problems) out(`  ! ${p}`);
  out('');
  out(`控制台 Console: ${settings.TAISHI_PUBLIC_URL ?? `http://localhost:${settings.TAISHI_PORT}/`}`);
  out(`演示账户，口令均为 ${DEMO_PASSWORD}（公开口令，切勿在生产环境载入演示）/ Demo logins, all with password ${DEMO_PASSWORD} (public: never load the demo into a production installation):`);
  for (const u of DEMO_USERS) out(`  ${u.username.padEnd(20)} ${ROLE_NAMES[u.role]}${u.department ? ` · ${DEPARTMENTS[u.department]}` : ''}`);
  out('  管理员请用安装时生成的 admin 账户 / administrators use the installation’s own admin account');
  out('');
}

/**
 * `taishi demo [--follow] [--force]`: loads the demo city into this installation's database, then,
 * when the service is running, sends it live traffic through its HTTP collector (once, or until
 * Ctrl-C with --follow) so its ingest charts and detection see a city at work.
 */
export async function demoCommand(values: { follow?: boolean; force?: boolean }, withServices: WithServices, caller: Caller): Promise<number> {
  const started = Date.now();
  // Errors only: the demo's users have no e-mail, and a warning for each notification that could not be addressed would bury the summary.
  return withServices(async (get, settings) => {
    const service = await runningService(settings);
    const services = demoServices(get);
    say('态势演示城市', 'Taishi demo city');
    let report: DemoReport;
    try {
      const bar = progressBar('事件 Events');
      report = await loadDemo(services, { caller, force: values.force, holdBackMs: service ? 15 * 60_000 : 0, progress: (done, total) => bar.update(done, total), say });
    } catch (error) {
      if (!(error instanceof DemoRefusedError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    printSummary(report, settings, (Date.now() - started) / 1000);
    if (!service && !values.follow) {
      say('服务未运行：启动服务（npm start）后登录控制台即可查看', 'the service is not running: start it (npm start) and log in to the console');
      return 0;
    }
    const local = new InProcessFeed(services.ingest);
    const feed = service ? await HttpFeed.open(services.users, service, caller) : local;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      // The service learnt of the new systems when they were registered (asset-change notices), so their traffic is attributed at once.
      if (service) say(`实时流量经运行中服务的 HTTP 采集接口送入（${service}）`, `live traffic goes to the running service's HTTP collector (${service})`);
      if (values.follow) say('持续发送实时流量，按 Ctrl-C 停止', 'sending live traffic; press Ctrl-C to stop');
      const live = await runLive({ feed, fallback: local, from: report.until, silence: report.silence, follow: values.follow ? { signal: stop.signal } : undefined, say });
      await recordFeed(services, caller, live.until, report.silence, live.delivered);
      say(`实时流量：${live.delivered} 条事件，其中攻击 ${live.attacks} 次`, `live traffic: ${live.delivered} events, ${live.attacks} attack(s)`);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await feed.close();
    }
    say(`共用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒`, `total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }, ['error']);
}
