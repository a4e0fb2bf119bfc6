import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from '../support/service-process.js';

const taishi = (...args: string[]) => spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH }, encoding: 'utf8' });
const MIXED = 'fixtures/logs/mixed-recognition.log';
/** Personal data written into the fixture: none of it may reach the report. */
const PERSONAL = ['13812345678', '13912345670', '13900001111', '11010519491231002X', 'zhangsan@example.gov.cn'];

interface Report {
  lines: number;
  recognised: number;
  programs: { program: string; lines: number; recognised: number; share: number; shapes: { shape: string; count: number }[] }[];
}

describe('taishi parse-report', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-parse-report-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('lists per program the share read and the most frequent unrecognised shapes, personal data masked, in both languages', () => {
    const r = taishi('parse-report', MIXED);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^hisd\s+8\s+0\.0%$/m);
    expect(r.stdout).toMatch(/^sshd\s+6\s+100\.0%$/m);
    expect(r.stdout).toMatch(/^\s+3 {2}patient query by <mobile> id <resident_id> took <n> ms$/m);
    expect(r.stdout).toMatch(/^\s+2 {2}挂号失败 患者手机 <mobile> 科室 "<s>"$/m);
    expect(r.stdout).toContain('共 18 行，44.4% 解析为已知动作');
    expect(r.stdout).toContain('18 lines, 44.4% parsed to a known action');
    for (const secret of PERSONAL) expect(r.stdout).not.toContain(secret);
    expect(r.stderr).toMatch(/parse-report mixed-recognition\.log .*100%/);
  });

  it('--json gives the same report for machines; --top bounds the shapes; gzip files and several files add up', async () => {
    const gz = path.join(scratch, 'mixed.log.gz');
    await writeFile(gz, gzipSync(await readFile(path.join(root, MIXED))));
    const r = taishi('parse-report', '--json', '--top', '1', MIXED, gz);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toMatchObject({ lines: 36, recognised: 16 });
    const hisd = report.programs.find((p) => p.program === 'hisd')!;
    expect(hisd).toMatchObject({ lines: 16, recognised: 0, share: 0, shapes: [{ shape: 'patient query by <mobile> id <resident_id> took <n> ms', count: 6 }] });
    expect(report.programs.find((p) => p.program === 'sshd')).toMatchObject({ lines: 12, share: 1, shapes: [] });
    for (const secret of PERSONAL) expect(r.stdout).not.toContain(secret);
  });

  it('refuses a missing file and a bad --top with the usage, exit 2', () => {
    const missing = taishi('parse-report', 'no/such.log');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('用法 / Usage: taishi parse-report [--json] [--top N] FILE...');
    expect(taishi('parse-report', '--top', 'x', MIXED).status).toBe(2);
    expect(taishi('parse-report').status).toBe(2);
  });
});
