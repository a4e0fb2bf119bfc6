import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadLogsourceMapping } from '../../src/detection/logsources.js';
import { exampleEvent, loadPlaceholders, loadRulePack, type PackRule } from '../../src/detection/rule-pack.js';
import { parseJsonRecord, parseLine, type ParseContext } from '../../src/ingest/parsing/index.js';
import { root } from '../support/service-process.js';
import { sigmahqRepository } from '../support/sigmahq.js';

/**
 * SigmaHQ's rules and regression data, read from their checkout (see test/support/sigmahq.ts; they
 * are not copied into the project): `taishi rules validate` over every rule folder, the logsource
 * mapping on the recorded events, and Taishi's own events (fixtures/sigmahq-events.yml) for the
 * rules whose sources have no recorded events.
 */

const REPOSITORY = sigmahqRepository();
const RULE_FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-dfir', 'rules-placeholder'];
const context: ParseContext = { source: 'sigmahq', transport: 'file', receivedAt: new Date('2026-08-05T00:00:00Z'), timeZone: 'Asia/Shanghai' };

const taishi = (...args: string[]) => spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

function summary(stdout: string) {
  const m = /^(\d+) valid \((\d+) active, (\d+) dormant\), (\d+) invalid/m.exec(stdout);
  if (!m) throw new Error(`no summary line in:\n${stdout.slice(-2000)}`);
  const [valid, active, dormant, invalid] = m.slice(1).map(Number);
  return { valid, active, dormant, invalid };
}

function loadPack(base: string) {
  const mapping = loadLogsourceMapping(readFileSync(path.join(root, 'rules/logsources.yml'), 'utf8'));
  const placeholders = loadPlaceholders(readFileSync(path.join(root, 'rules/placeholders.yml'), 'utf8'));
  return loadRulePack(RULE_FOLDERS.map((f) => path.join(base, f)).filter((f) => existsSync(f)), mapping, placeholders, base);
}

/** The JSON objects of an evtx export: pretty-printed, one after another. */
function jsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' && depth++ === 0) start = i;
    else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

interface RegressionCase {
  ruleId: string;
  title: string;
  file: string;
  events: unknown[];
  matchCount?: number;
}

/** SigmaHQ's regression cases: each info.yml names a rule; its folder holds the recorded events. */
function regressionCases(base: string): RegressionCase[] {
  const cases: RegressionCase[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(path.join(dir, entry.name));
      else if (entry.name === 'info.yml') {
        const info = parse(readFileSync(path.join(dir, entry.name), 'utf8')) as { rule_metadata: { id: string; title: string }[]; regression_tests_info?: { path: string; match_count?: number }[] };
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.raw'))) {
          const text = readFileSync(path.join(dir, file), 'utf8');
          const events = file.endsWith('.json') ? jsonObjects(text).map((r) => parseJsonRecord(r, context)) : text.split('\n').filter(Boolean).map((l) => parseLine(l, context));
          const stem = file.replace(/\.(json|raw)$/, '');
          const test = info.regression_tests_info?.find((t) => path.basename(t.path).startsWith(`${stem}.`));
          for (const rule of info.rule_metadata) cases.push({ ruleId: rule.id, title: rule.title, file: path.relative(base, path.join(dir, file)), events, matchCount: test?.match_count });
        }
      }
    }
  };
  visit(path.join(base, 'regression_data'));
  return cases;
}

/** How each case came out: the number of its events the rule matches, or why the rule does not run. */
function runCases(cases: RegressionCase[], rules: PackRule[], dormant: Map<string, string>) {
  const byId = new Map(rules.map((r) => [r.rule.id, r]));
  return cases.map((c) => {
    const rule = byId.get(c.ruleId);
    if (!rule) return { ...c, matched: 0, why: dormant.get(c.ruleId) ?? 'not loaded' };
    return { ...c, matched: c.events.filter((e) => rule.matches(e)).length, why: '' };
  });
}

describe(`SigmaHQ rules: the repository at ${REPOSITORY}`, () => {
  let pack: ReturnType<typeof loadPack>;
  beforeAll(() => {
    pack = loadPack(REPOSITORY);
  }, 180_000);

  it('validate loads at least 99.5% of the rules as valid, lists the dormant ones with their cause, warns about identifiers that look like modifiers', () => {
    const started = Date.now();
    const r = taishi('rules', 'validate', '--list-dormant', ...RULE_FOLDERS.map((f) => path.join(REPOSITORY, f)).filter((f) => existsSync(f)));
    const seconds = (Date.now() - started) / 1000;
    const counts = summary(r.stdout);
    process.stdout.write(`SigmaHQ rules validate: ${counts.valid} valid (${counts.active} active, ${counts.dormant} dormant), ${counts.invalid} invalid, in ${seconds.toFixed(1)} s\n`);
    expect(counts.valid / (counts.valid + counts.invalid)).toBeGreaterThanOrEqual(0.995);
    const problems = r.stdout.split('\n').filter((l) => /^ {2}\S.*:\d+:\d+: /.test(l) && !l.startsWith('  warning'));
    expect(problems.length).toBeGreaterThanOrEqual(counts.invalid);
    expect(r.status).toBe(counts.invalid ? 1 : 0);
    // each kind of dormancy, named with its cause and the file
    expect(r.stdout).toMatch(/no source yet for logsource product=azure service=signinlogs: rules\/logsources\.yml has no entry for product 'azure'\n(\s+\S.*\n)*?\s+\S*rules\/cloud\/azure\/signin_logs\/azure_ad_azurehound_discovery\.yml:1:1 {2}Discovery Using AzureHound/);
    expect(r.stdout).toMatch(/no source yet for logsource product=macos category=process_creation/);
    expect(r.stdout).toMatch(/no value for placeholder %Admins_Workstations% \(set it in rules\/placeholders\.yml\)\n(\s+\S+.*\n)*?\s+\S*rules-placeholder\/windows\/builtin\/security\/win_security_admin_logon\.yml/);
    expect(r.stdout).toMatch(/the events of logsource product=linux category=network_connection carry no Initiated/);
    expect(r.stdout).toMatch(/warning 警告: \S*rules\/macos\/process_creation\/proc_creation_macos_file_and_directory_discovery\.yml:\d+:\d+: search identifier 'select_tree_execution\|endswith'/);
  }, 180_000);

  it("fires the rules on Taishi's own events for their sources, through parser and logsource mapping, and not on the near misses", () => {
    const examples = parse(readFileSync(path.join(root, 'fixtures/sigmahq-events.yml'), 'utf8')) as ({ rule: string; match?: boolean; normalized?: unknown } & Record<string, unknown>)[];
    const byId = new Map(pack.rules.map((r) => [r.rule.id, r]));
    const outcome = examples.map(({ rule, match = true, normalized, ...example }) => {
      const r = byId.get(rule);
      const event = normalized ?? exampleEvent(example, context);
      return { rule: `${rule} ${r?.rule.title ?? '(not active)'}`, expected: match, fired: r ? r.matches(event) : 'not active' };
    });
    expect(examples.length).toBeGreaterThan(30);
    expect(outcome.filter((o) => o.fired !== o.expected)).toEqual([]);
  });

  it('fires every regression case that has an active rule on its recorded events', () => {
    const dormant = new Map(pack.dormant.map((d) => [d.rule.id ?? '', d.reason.kind]));
    const results = runCases(regressionCases(REPOSITORY), pack.rules, dormant);
    const fired = results.filter((c) => c.matched > 0);
    const exact = results.filter((c) => c.matchCount === undefined || c.matched === c.matchCount);
    process.stdout.write(`SigmaHQ regression data: ${fired.length} of ${results.length} cases fire their rule; ${exact.length} with exactly the match_count SigmaHQ gives\n`);
    expect(results.length).toBeGreaterThan(150);
    expect(results.filter((c) => c.matched === 0).map((c) => `${c.file}: ${c.title}: ${c.why || 'no event matches'}`)).toEqual([]);
  }, 180_000);
});
