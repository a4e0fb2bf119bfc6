import { StartupError } from '../common/index.js';
import { DomainError } from '../shared/domain-error.js';
import { ConfigError } from '../config/index.js';
import { command, generalUsage, runCommandLine, usageLine, UsageError } from './command-line.js';
import { INGEST_FORMATS } from './ingest-formats.js';

// Each command loads its implementation when it runs: `taishi --help` need not load the service.
const services = () => import('./service-commands.js');
const detection = () => import('./detection-commands.js');
const recognition = () => import('./parse-report.js');

/** The CLI: one entry per command, with its usage. `taishi help <command>` prints it. */
const COMMANDS = [
  command({
    name: 'ingest',
    synopsis: `FILE... [--format ${INGEST_FORMATS.join('|')}] [--source NAME]`,
    summary: '导入日志文件 / backfill log files (UTF-8 or GBK) into the event store',
    details: '--source 默认为 file:<文件名> / --source defaults to file:<file name>; replaying a file adds nothing twice.',
    options: { format: { type: 'string' }, source: { type: 'string' } },
    positionals: true,
    run: async ({ values, positionals }) => (await services()).ingestFiles(values, positionals),
  }),
  command({
    name: 'rules validate',
    synopsis: '[--list-dormant] [PATH...]',
    summary: '校验检测规则 / validate Sigma rules (default: TAISHI_RULES_DIR)',
    details:
      '有效规则分为运行与休眠（尚无日志来源、占位符未配置）；--list-dormant 按原因列出休眠规则；退出码 1 表示有无效规则\n' +
      'valid rules are active or dormant (no log source yet, placeholder not configured); --list-dormant lists the dormant ones by cause; exit 1 when a rule is invalid',
    options: { 'list-dormant': { type: 'boolean' } },
    positionals: true,
    run: async ({ values, positionals }) => (await detection()).rulesValidate(values, positionals),
  }),
  command({
    name: 'rules test',
    synopsis: '[PATH...]',
    summary: "规则自测 / run every rule's own examples",
    details: '退出码 1 表示有示例未通过 / exit 1 when an example fails',
    options: {},
    positionals: true,
    run: async ({ positionals }) => (await detection()).rulesTest(positionals),
  }),
  command({
    name: 'hunt',
    synopsis: '[--rules PATH]... [--format table|ndjson] [--workers N] FILE...',
    summary: '离线狩猎 / run the rules over log files',
    details:
      '--rules 可重复，默认 TAISHI_RULES_DIR；--workers 另加的解析与匹配线程数，默认：输入达 256 MB 时按核数另加（最多 3），否则 0（只用本线程）\n' +
      '--rules may repeat; default TAISHI_RULES_DIR. --workers: extra threads that parse and match; by default one per further core (at most 3) from 256 MB of input, else 0 (this thread only)',
    options: { rules: { type: 'string', multiple: true }, format: { type: 'string' }, workers: { type: 'string' } },
    positionals: true,
    run: async ({ values, positionals }) => (await detection()).hunt(values, positionals),
  }),
  command({
    name: 'parse-report',
    synopsis: '[--json] [--top N] FILE...',
    summary: '识别率报告 / per sending program, the share of lines Taishi can read and the shapes of the rest',
    details:
      '文件可为 UTF-8 或 GBK，可 gzip 压缩；--top 每个程序列出的未识别形态数（默认 5）；进度写到 stderr\n' +
      'files may be UTF-8 or GBK, gzipped or not; --top is how many unrecognised shapes to list per program (default 5); progress goes to stderr',
    options: { json: { type: 'boolean' }, top: { type: 'string' } },
    positionals: true,
    run: async ({ values, positionals }) => (await recognition()).parseReport(values, positionals),
  }),
  command({
    name: 'audit verify',
    synopsis: '',
    summary: "校验审计链 / verify the audit trail's hash chain",
    details: '退出码 1 表示审计链被破坏 / exit 1 when the chain is broken',
    options: {},
    positionals: false,
    run: async () => (await services()).auditVerify(),
  }),
  command({
    name: 'audit run',
    synopsis: 'PROFILE [--format html|json|csv] [--lang zh-CN|en] [--out FILE]',
    summary: '合规审计 / run a compliance audit profile (name or id) and print its report',
    details: '退出码 1 表示有控制项不通过 / exit 1 when a control fails',
    options: { format: { type: 'string' }, lang: { type: 'string' }, out: { type: 'string' } },
    positionals: true,
    run: async ({ values, positionals }) => (await services()).auditRun(values, positionals),
  }),
  command({
    name: 'assets import',
    synopsis: 'FILE [--dry-run] [--add-departments] [--format csv|json]',
    summary: '导入资产 / import assets (CSV in UTF-8 or GBK, or JSON), all rows or none',
    details: '--add-departments 把文件中尚未列出的部门加入部门列表（首次导入时）/ lists the departments the file names that are not listed yet (a first import)',
    options: { 'dry-run': { type: 'boolean' }, 'add-departments': { type: 'boolean' }, format: { type: 'string' } },
    positionals: true,
    run: async ({ values, positionals }) => (await services()).assetsImport(values, positionals),
  }),
  command({
    name: 'demo',
    synopsis: '[--follow] [--force]',
    summary: '演示城市 / load a demo county: departments, systems, a day of logs and attacks, alerts and incidents',
    details: '--follow 持续送入实时流量，Ctrl-C 停止 / --follow keeps live traffic coming until Ctrl-C\n--force 向已有非演示数据的数据库载入 / --force loads into a database holding data the demo did not create',
    options: { follow: { type: 'boolean' }, force: { type: 'boolean' } },
    positionals: false,
    run: async ({ values }) => (await services()).demo(values),
  }),
];

try {
  process.exitCode = await runCommandLine(COMMANDS, process.argv.slice(2), (text) => process.stdout.write(text));
} catch (error) {
  if (error instanceof UsageError) {
    const help = error.command ? `用法 / Usage: taishi ${usageLine(error.command)}\n说明 / Help: taishi help ${error.command.name}\n` : generalUsage(COMMANDS);
    process.stderr.write(`${error.message}\n\n${help}`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`配置错误 / Configuration error: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof DomainError) {
    process.stderr.write(`错误 / Error: ${error.messageIn('zh-CN')} / ${error.messageIn('en')}\n`);
    process.exitCode = 1;
  } else {
    const message = (error as { response?: { message?: string } }).response?.message ?? (error as Error).message;
    process.stderr.write(`错误 / Error: ${message}\n`);
    process.exitCode = 1;
  }
}
