import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { root } from '../support/service-process.js';
import { bruteForceSources } from '../support/openssh-truth.js';

const taishi = (...args: string[]) => spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH }, encoding: 'utf8' });

describe('detection from the command line', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-rules-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('rules validate passes the shipped pack and names file, line, column and reason of a bad rule without stopping the others', async () => {
    const ok = taishi('rules', 'validate');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^(\d+) valid \(\1 active, 0 dormant\), 0 invalid/m);
    expect(Number(/^(\d+) valid/m.exec(ok.stdout)![1])).toBeGreaterThanOrEqual(40);
    const bad = path.join(scratch, 'bad.yml');
    await writeFile(bad, [
      'title: good one', 'id: 0f6a3f50-0000-4000-8000-000000000001', 'logsource: { product: linux, service: sshd }', 'detection:', '  sel: { message|contains: hello }', '  condition: sel', '---',
      'title: broken', 'id: 0f6a3f50-0000-4000-8000-000000000002', 'logsource: { product: linux, service: sshd }', 'detection:', '  sel: { message|contians: hello }', '  condition: sel',
    ].join('\n'));
    const r = taishi('rules', 'validate', bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/bad\.yml:12:\d+: .*contians/);
    expect(r.stdout).toMatch(/^1 valid \(1 active, 0 dormant\), 1 invalid/m);
  });

  it('rules test runs every rule’s own examples', () => {
    const r = taishi('rules', 'test');
    expect(r.stdout).toMatch(/all examples pass/);
    expect(r.status).toBe(0);
  });

  it('hunt over the OpenSSH log raises brute-force alerts for exactly the sources the log itself shows, with file and line of each event', async () => {
    const r = taishi('hunt', '--format', 'ndjson', 'fixtures/loghub/OpenSSH_2k.log');
    expect(r.status).toBe(0);
    // The rate is said on stderr, so ndjson on stdout stays clean.
    expect(r.stderr).toMatch(/^2000 events in [\d.]+ s \(\d+ events\/s\)/m);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const brute = alerts.filter((a) => a.title === 'SSH brute force from one address');
    const correlation = parse((await readFile(path.join(root, 'rules/detection/linux/sshd.yml'), 'utf8')).split('\n---\n').find((d) => d.includes('name: ssh_brute_force'))!);
    const threshold = correlation.correlation.condition.gte;
    const timespanMs = Number(/^(\d+)m$/.exec(correlation.correlation.timespan)![1]) * 60_000;
    const lines = (await readFile(path.join(root, 'fixtures/loghub/OpenSSH_2k.log'), 'utf8')).split('\n').filter(Boolean);
    const expected = bruteForceSources(lines, threshold, timespanMs);
    expect(expected.length).toBeGreaterThan(3);
    expect(brute.map((a) => a.group.replace('source.address=', '')).sort()).toEqual(expected);
    for (const a of brute) {
      expect(a).toMatchObject({ level: 'high', tags: expect.arrayContaining(['attack.t1110.001']) });
      for (const e of a.events) expect(lines[e.line - 1]).toMatch(/sshd\[\d+\]/);
    }
  });

  it('hunt in worker threads finds the same alerts, correlations and lines as in one thread, and says which', async () => {
    // Three copies of the OpenSSH log make three 2,000-line batches for the brute-force correlation
    // to count across, dealt to different threads; two more files follow it.
    const ssh = await readFile(path.join(root, 'fixtures/loghub/OpenSSH_2k.log'), 'utf8');
    const tripled = path.join(scratch, 'openssh-3x.log');
    await writeFile(tripled, (ssh.endsWith('\n') ? ssh : `${ssh}\n`).repeat(3));
    const files = [tripled, 'fixtures/loghub/Apache_2k.log', 'fixtures/logs/redhat-legacy-auth.log'];
    const single = taishi('hunt', '--format', 'ndjson', '--workers', '0', ...files);
    const threaded = taishi('hunt', '--format', 'ndjson', '--workers', '3', ...files);
    expect(single.status).toBe(0);
    expect(threaded.status).toBe(0);
    expect(threaded.stdout).toBe(single.stdout);
    const alerts = single.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const brute = alerts.filter((a) => a.title === 'SSH brute force from one address');
    expect(brute.length).toBeGreaterThan(3);
    // Events of the last copy are counted too: lines past 4,000 are among the correlated ones.
    expect(brute.some((a) => a.events.some((e: { line: number }) => e.line > 4000))).toBe(true);
    expect(alerts.some((a) => a.events.some((e: { file: string }) => e.file === 'fixtures/logs/redhat-legacy-auth.log'))).toBe(true);
    const events = /^(\d+) events in [\d.]+ s \(\d+ events\/s\) 事件\/秒$/m.exec(single.stderr)?.[1];
    expect(Number(events)).toBeGreaterThan(9000);
    expect(threaded.stderr).toMatch(new RegExp(`^${events} events in [\\d.]+ s \\(\\d+ events/s, 4 threads\\) 事件/秒$`, 'm'));

    const bad = taishi('hunt', '--workers', 'many', tripled);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--workers');
  });
});
