import { spawnSync } from 'node:child_process';
import { root } from '../support/service-process.js';

const taishi = (...args: string[]) => spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH }, encoding: 'utf8' });

/** Help never touches a database, and a typo is answered with what was meant. */
describe('taishi command-line help', () => {
  it('taishi --help and taishi help list every command with its usage, on stdout, exit 0', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = taishi(...args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^用法 \/ Usage: taishi <command>/);
      for (const usage of ['ingest FILE...', 'rules validate [--list-dormant] [PATH...]', 'rules test [PATH...]', 'hunt [--rules PATH]...', 'parse-report [--json] [--top N] FILE...', 'audit verify', 'audit run PROFILE', 'assets import FILE', 'demo [--follow] [--force]']) expect(r.stdout).toContain(usage);
      expect(r.stderr).toBe('');
    }
  });

  it('taishi help <command> and taishi <command> --help print that command’s usage and options', () => {
    const viaHelp = taishi('help', 'hunt');
    const viaFlag = taishi('hunt', '--help');
    const viaShort = taishi('hunt', '--format', 'ndjson', '-h');
    for (const r of [viaHelp, viaFlag, viaShort]) {
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^用法 \/ Usage: taishi hunt \[--rules PATH\]\.\.\. \[--format table\|ndjson\] \[--workers N\] FILE\.\.\./);
      expect(r.stdout).toContain('选项 / Options: --rules, --format');
    }
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
    const audit = taishi('audit', 'run', '--help');
    expect(audit.status).toBe(0);
    expect(audit.stdout).toMatch(/^用法 \/ Usage: taishi audit run PROFILE/);
  });

  it('an unknown option names the closest valid one, with the command’s usage, exit 2', () => {
    const r = taishi('hunt', '--fromat', 'ndjson', 'fixtures/loghub/OpenSSH_2k.log');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^未知选项 \/ unknown option '--fromat' for 'hunt'; 是否想用 \/ did you mean '--format'\?\n/);
    expect(r.stderr).toContain('用法 / Usage: taishi hunt [--rules PATH]...');
    const dry = taishi('assets', 'import', 'x.csv', '--dryrun');
    expect(dry.status).toBe(2);
    expect(dry.stderr).toMatch(/did you mean '--dry-run'\?/);
    const far = taishi('demo', '--verbose');
    expect(far.status).toBe(2);
    expect(far.stderr).toMatch(/^未知选项 \/ unknown option '--verbose' for 'demo'\n/);
  });

  it('an unknown command names the closest one; a group without its subcommand lists them', () => {
    const typo = taishi('hnut', 'x.log');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/^未知命令 \/ unknown command: 'hnut'; 是否想用 \/ did you mean 'hunt'\?/);
    expect(typo.stderr).toContain('用法 / Usage: taishi <command>');
    const sub = taishi('rules', 'tset');
    expect(sub.stderr).toMatch(/did you mean 'rules test'\?/);
    const group = taishi('audit');
    expect(group.status).toBe(2);
    expect(group.stderr).toMatch(/^'audit' 需要子命令 \/ needs a subcommand: verify, run/);
    expect(taishi('help', 'nosuch').status).toBe(2);
  });

  it('no command at all prints the usage on stderr, exit 2', () => {
    const r = taishi();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^未给出命令 \/ no command given\n\n用法 \/ Usage: taishi <command>/);
  });
});
