/**
 * The commands that work on this installation's database, through the same services as the
 * server. Loaded only when one of them runs, so help and usage errors answer at once.
 */
import 'reflect-metadata';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { AppModule } from '../app.module.js';
import { assetErrors, AssetsService, type ImportReport, type RowError } from '../assets/index.js';
import { AuditService } from '../audit/index.js';
import { ProfilesService, RunsService, type Lang, type ReportFormat } from '../compliance/index.js';
import type { Principal } from '../auth/index.js';
import { loadSettings, type Settings } from '../config/index.js';
import { connectDatabase } from '../database/index.js';
import { DomainError, errorCatalogue } from '../shared/index.js';
import { LiveDetection } from '../detection/index.js';
import { IngestService } from '../ingest/index.js';
import { demoCommand } from './demo-command.js';
import { INGEST_FORMATS } from './ingest-formats.js';
import { UsageError } from './command-line.js';
import { lineBatches } from './line-reader.js';
import { progressBar } from './progress.js';

/** Runs a job against the same database and services as the server, without HTTP. */
async function withServices<T>(job: (get: <S>(type: new (...args: never[]) => S) => S, settings: Settings) => Promise<T>, logger: LogLevel[] = ['error', 'warn']): Promise<T> {
  const settings = loadSettings();
  const database = await connectDatabase(settings);
  try {
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(settings, database.url, { listen: false }), { logger, abortOnError: false });
    try {
      return await job((type) => context.get(type), settings);
    } finally {
      await context.close();
    }
  } finally {
    await database.release();
  }
}

const operator: Principal = { kind: 'cli', name: userInfo().username };

export async function auditVerify(): Promise<number> {
  const result = await withServices((get) => get(AuditService).verify());
  if (!result.appendOnlyForService) process.stdout.write('注意：服务的数据库角色能改写审计表 / Note: the service\'s database role can rewrite the audit trail (see TAISHI_RUNTIME_DATABASE_URL)\n');
  if (result.ok) {
    const anchor = result.anchor ? `; head anchored at record ${result.anchor.id} (${result.anchor.at})` : '; no anchor outside the database yet';
    process.stdout.write(`审计链完整 / Audit chain intact: ${result.checked} records verified (${result.unkeyed} unkeyed from before the keyed chain${anchor})\n`);
    return 0;
  }
  process.stdout.write(
    `审计链已被破坏 / Audit chain BROKEN at record ${result.firstBroken!.id}: ${result.firstBroken!.reason} (${result.checked} records before it verified)\n`,
  );
  return 1;
}

const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'json', 'csv'];

/** Runs a profile here and now, with progress on stderr and the report on stdout or in --out. */
export async function auditRun(values: { format?: string; lang?: string; out?: string }, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('audit run takes exactly one PROFILE (its name or id)');
  const format = (values.format ?? 'html') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const lang = ({ 'zh-CN': 'zh-CN', zh: 'zh-CN', en: 'en' } as Record<string, Lang>)[values.lang ?? 'zh-CN'];
  if (!lang) throw new UsageError('--lang must be zh-CN or en');
  return withServices(async (get) => {
    const runs = get(RunsService);
    const profile = await get(ProfilesService).find(positionals[0]);
    const bar = progressBar('审计 Auditing');
    const started = (await runs.start(profile.id, 'cli', { principal: operator, sourceIp: null }, undefined, (done, total) => bar.update(done, total)))!;
    const run = await runs.settled(started.id);
    if (run.status !== 'completed') {
      process.stderr.write(`审计失败 / Audit run ${run.id} failed: ${run.error}\n`);
      return 1;
    }
    const report = await runs.report(run.id, operator, format, lang);
    if (values.out) await writeFile(values.out, report.body);
    else process.stdout.write(report.body);
    const { pass, fail, not_applicable, needs_attestation } = run.summary!.byStatus;
    process.stderr.write(
      `${profile.name}: 通过 pass ${pass}, 不通过 fail ${fail}, 不适用 n/a ${not_applicable}, 待证明 needs attestation ${needs_attestation} (run ${run.id}${values.out ? `, report ${values.out}` : ''})\n`,
    );
    return fail > 0 ? 1 : 0;
  });
}

/** A row's problem in Chinese and English where its code is known, else as the validator put it. */
function rowProblem(e: RowError): string {
  const definition = e.code ? errorCatalogue().get(e.code) : undefined;
  if (!definition) return e.message;
  const zh = new DomainError(e.code!, definition, e.params).messageIn('zh-CN');
  return zh === e.message ? e.message : `${zh} / ${e.message}`;
}

function printReport(report: ImportReport): void {
  for (const e of report.errors.slice(0, 200)) process.stdout.write(`  行 row ${e.row}${e.column ?? e.field ? ` [${e.column ?? e.field}]` : ''}: ${rowProblem(e)}\n`);
  if (report.errors.length > 200) process.stdout.write(`  … ${report.errors.length - 200} more\n`);
  process.stdout.write(
    `${report.dryRun ? '试运行 Dry run' : '导入 Import'}: ${report.total} rows, ${report.valid} valid, ${report.errors.length} error(s), ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged` +
      (report.encoding ? ` (encoding ${report.encoding})` : '') +
      '\n',
  );
  if (report.departmentsAdded.length) process.stdout.write(`${report.dryRun ? '将添加部门 Would add departments' : '已添加部门 Departments added'}: ${report.departmentsAdded.join(', ')}\n`);
}

export async function assetsImport(values: { 'dry-run'?: boolean; 'add-departments'?: boolean; format?: string }, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('assets import takes exactly one FILE');
  const file = positionals[0];
  const format = values.format ?? (path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') throw new UsageError(`--format must be csv or json, not ${format}`);
  const content = await readFile(file);
  const dryRun = values['dry-run'] ?? false;
  const bars = { validate: progressBar('校验 Validating'), write: progressBar('写入 Writing   ') };
  const started = Date.now();
  try {
    const report = await withServices((get) =>
      get(AssetsService).import(content, format, dryRun, { principal: operator, sourceIp: null }, (phase, done, total) => bars[phase].update(done, total), {
        addDepartments: values['add-departments'] ?? false,
      }),
    );
    printReport(report);
    process.stdout.write(`用时 Took ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
    return report.errors.length ? 1 : 0;
  } catch (error) {
    const details = error instanceof DomainError && error.code === assetErrors.codes.import_refused ? (error.details as ImportReport) : undefined;
    if (details) {
      printReport(details);
      process.stdout.write('未写入任何数据 / Nothing was written.\n');
      return 1;
    }
    throw error;
  }
}

export async function ingestFiles(values: { format?: string; source?: string }, positionals: string[]): Promise<number> {
  if (positionals.length === 0) throw new UsageError('ingest takes at least one FILE');
  const format = (values.format ?? 'auto') as (typeof INGEST_FORMATS)[number];
  if (!INGEST_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${INGEST_FORMATS.join(', ')}`);
  for (const file of positionals) await stat(file).catch(() => Promise.reject(new UsageError(`cannot read ${file}`)));
  return withServices(async (get) => {
    const ingest = get(IngestService);
    let total = 0;
    for (const file of positionals) {
      const size = (await stat(file)).size;
      const bar = progressBar(`${path.basename(file)}`);
      const started = Date.now();
      const source = values.source ?? `file:${path.basename(file)}`;
      let lines = 0;
      for await (const { batch, bytesRead } of lineBatches(file, 5000)) {
        await ingest.ingest(batch.map(({ bytes }) => ({ bytes })), { source, transport: 'file', receivedAt: new Date(), format }, 'file');
        lines += batch.length;
        bar.update(bytesRead, size);
      }
      bar.update(size, size);
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`${file}: ${lines} 行 lines stored in ${seconds.toFixed(1)} s (${Math.round(lines / Math.max(seconds, 0.001))}/s)\n`);
      total += lines;
    }
    // Alerts and the incidents they open are written before the database is let go.
    await get(LiveDetection).settled();
    process.stdout.write(`共 Total: ${total} events\n`);
    return 0;
  });
}

export function demo(values: { follow?: boolean; force?: boolean }): Promise<number> {
  return demoCommand(values, withServices, { principal: operator, sourceIp: null });
}
