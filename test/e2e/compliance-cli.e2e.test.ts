import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseCsv } from '../../src/assets/csv.js';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

const root = path.resolve(import.meta.dirname, '../..');
const [embedded] = testDatabaseTargets();
const DEFAULT_PROFILE = '全部控制项 / All controls';

/** `taishi audit run` as an operator runs it from cron or a shell (the CLI runs from dist/, built by `npm test`). */
describe('taishi audit run PROFILE', () => {
  let databaseUrl: string;
  let scratch: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase(embedded.adminUrl);
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-cli-audit-'));
    await writeFile(
      path.join(scratch, 'assets.json'),
      JSON.stringify([
        { name: '县政务服务门户', type: 'web_application', department: '交通局', addresses: ['portal-web'], contact: { name: '赵工', phone: '13800000000' }, mlps: { level: 2 }, data: { categories: ['办事人员信息'], personal: 'sensitive' } },
        { name: '路灯网关', type: 'iot_gateway', department: '城管局', addresses: ['lamp-gw'], contact: { name: '钱工', phone: '13800000001' }, securityContact: { name: '孙工', phone: '13800000002' }, mlps: { level: 1 }, data: { categories: ['设备状态'] } },
      ]),
    );
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await writeFile(path.join(scratch, 'events.ndjson'), `${JSON.stringify({ '@timestamp': at, host: { name: 'portal-web' }, event: { action: 'http_request', dataset: 'web.access' }, message: 'GET /' })}\n`);
  });
  afterAll(async () => {
    await dropTestDatabase(embedded.adminUrl, databaseUrl);
    await rm(scratch, { recursive: true, force: true });
  });

  const taishi = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: scratch }, encoding: 'utf8' });

  it('audits what the other commands loaded, with progress, and writes the report in each format', async () => {
    // A first import names departments the empty list does not hold: refused row by row, in both languages, until asked to add them.
    const refused = taishi('assets', 'import', path.join(scratch, 'assets.json'));
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('行 row 1 [department]: 部门“交通局”不在部门列表中');
    expect(refused.stdout).toContain('--add-departments');
    expect(refused.stdout).toContain('未写入任何数据 / Nothing was written.');
    const imported = taishi('assets', 'import', path.join(scratch, 'assets.json'), '--add-departments');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toContain('已添加部门 Departments added: 交通局, 城管局');
    expect(taishi('ingest', path.join(scratch, 'events.ndjson'), '--format', 'json').status).toBe(0);

    const out = path.join(scratch, 'report.json');
    const json = taishi('audit', 'run', DEFAULT_PROFILE, '--format', 'json', '--out', out);
    // Failing controls make the exit status 1, for cron jobs and scripts to notice.
    expect(json.status).toBe(1);
    expect(json.stdout).toBe('');
    expect(json.stderr).toMatch(/审计 Auditing .*100%/);
    expect(json.stderr).toMatch(/全部控制项 \/ All controls: 通过 pass \d+, 不通过 fail \d+, 不适用 n\/a \d+, 待证明 needs attestation \d+ \(run [0-9a-f-]{36}, report .*report\.json\)/);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.run).toMatchObject({ trigger: 'cli', status: 'completed', requestedBy: expect.stringMatching(/^cli:/) });
    const result = (control: string, subject: string) => report.results.find((r: any) => r.controlId === control && r.subject.name === subject);
    expect(result('CSL-21-LOG-COVERAGE', '县政务服务门户')).toMatchObject({ status: 'pass', department: '交通局', evidence: { hoursSinceLastEvent: 1 } });
    expect(result('CSL-21-LOG-COVERAGE', '路灯网关')).toMatchObject({ status: 'fail', evidence: { lastEventAt: null } });
    // The finding names the missing entry as the asset form does, not by its field name.
    expect(result('CSL-21-RESPONSIBLE-PERSON', '县政务服务门户')).toMatchObject({
      status: 'fail',
      evidence: { missing: ['securityContact'] },
      message: { 'zh-CN': '登记信息缺少：安全负责人。', en: 'Registration lacks: security contact.' },
    });
    expect(result('PIPL-55-SENSITIVE-PI-PROTECTION', '县政务服务门户')).toMatchObject({ status: 'fail', evidence: { maskingEnabled: true, missing: ['pia'] } });
    expect(report.summary.byStatus.fail).toBe(report.results.filter((r: any) => r.status === 'fail').length);

    const csv = taishi('audit', 'run', DEFAULT_PROFILE, '--format', 'csv', '--lang', 'en');
    expect(csv.status).toBe(1);
    const rows = parseCsv(csv.stdout).map((r) => r.cells);
    expect(rows[0].slice(0, 3)).toEqual(['run_id', 'control_id', 'control_title']);
    expect(rows).toHaveLength(report.results.length + 1);
    expect(rows.find((r) => r[1] === 'CSL-21-LOG-COVERAGE' && r[8] === '路灯网关')?.[13]).toBe('No log has ever arrived from this system.');

    const html = taishi('audit', 'run', DEFAULT_PROFILE, '--lang', 'en');
    expect(html.stdout).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html.stdout).toContain('Compliance audit report');

    // three runs, each audited, and the trail still verifies
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows: runs } = await db.query(`SELECT trigger, status FROM compliance_runs ORDER BY started_at`);
    await db.end();
    expect(runs).toEqual(Array.from({ length: 3 }, () => ({ trigger: 'cli', status: 'completed' })));
    const verify = taishi('audit', 'verify');
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/Audit chain intact: \d+ records verified/);
  });

  it('names a missing profile, and answers a bad option with usage and exit 2', () => {
    const missing = taishi('audit', 'run', 'no such profile');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/No audit profile "no such profile"/);
    const bad = taishi('audit', 'run', DEFAULT_PROFILE, '--format', 'pdf');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of html, json, csv/);
    expect(taishi('audit', 'run').status).toBe(2);
  });
});
