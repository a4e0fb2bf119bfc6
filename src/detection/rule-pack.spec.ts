import { bruteForceSources } from '../../test/support/openssh-truth.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLine, type NormalizedEvent, type ParseContext } from '../ingest/parsing/index.js';
import { loadLogsourceMapping } from './logsources.js';
import {
  correlationSequences,
  dormancyText,
  loadPlaceholders,
  loadRulePack,
  runCorrelationSequences,
  runRuleExamples,
  runScheduleTests,
  scheduleOf,
  type Placeholders,
  type RulePack,
} from './rule-pack.js';
import { chineseText, localisedRuleTitle } from './rule-text.js';
import { CorrelationEngine } from './sigma/index.js';

const root = process.cwd();
const mapping = loadLogsourceMapping(readFileSync(join(root, 'rules/logsources.yml'), 'utf8'));
const placeholders = loadPlaceholders(readFileSync(join(root, 'rules/placeholders.yml'), 'utf8'));
const pack = loadRulePack(join(root, 'rules/detection'), mapping, placeholders, root);
const context: ParseContext = { source: 'test', transport: 'file', receivedAt: new Date('2024-06-01T04:00:00Z'), timeZone: 'Asia/Shanghai' };

/** The areas the pack must cover, each by at least one rule or correlation's `x-taishi-coverage`. */
const REQUIRED_COVERAGE = [
  'ssh_brute_force', 'ssh_password_spraying', 'ssh_success_after_failures', 'ssh_invalid_user_enumeration',
  'sudo_su_abuse', 'new_privileged_account', 'cron_persistence',
  'web_sql_injection', 'web_xss', 'web_path_traversal', 'web_webshell', 'web_scanner', 'web_log4shell', 'web_sensitive_file_probe',
  'firewall_port_scan', 'firewall_denied_flood',
  'windows_logon_spraying', 'windows_new_service', 'windows_audit_log_cleared', 'windows_suspicious_powershell', 'windows_new_local_admin',
  'iot_device_silent', 'iot_telemetry_out_of_range', 'iot_config_or_firmware_change', 'iot_default_credentials',
  'data_exfiltration_volume', 'off_hours_admin_login', 'management_from_outside_china',
];

describe('rule pack (rules/detection)', () => {
  it('loads, validates and compiles every rule without errors', () => {
    expect(pack.errors).toEqual([]);
  });

  it('has at least 40 detection rules, each with the metadata analysts rely on', () => {
    expect(pack.rules.length).toBeGreaterThanOrEqual(40);
    const ids = new Set<string>();
    for (const doc of [...pack.rules.map((r) => r.rule), ...pack.correlations]) {
      const where = `${doc.file}: ${doc.title}`;
      expect({ where, id: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(doc.id ?? '') }).toEqual({ where, id: true });
      expect({ where, duplicate: ids.has(doc.id!) }).toEqual({ where, duplicate: false });
      ids.add(doc.id!);
      const missing = (['status', 'description', 'level'] as const).filter((k) => !doc[k]);
      if (doc.falsepositives.length === 0) missing.push('falsepositives' as never);
      if (!doc.tags.some((t) => /^attack\.t\d{4}(\.\d{3})?$/.test(t))) missing.push('ATT&CK technique tag' as never);
      expect({ where, missing }).toEqual({ where, missing: [] });
    }
  });

  it('gives every rule and correlation a Chinese title and description (x-taishi-zh)', () => {
    const docs = [...pack.rules.map((r) => r.rule), ...pack.correlations];
    expect(docs).toHaveLength(75);
    const untranslated = docs.filter((d) => {
      const zh = chineseText(d);
      return !zh || 'problem' in zh || zh.title === d.title || zh.description === d.description;
    });
    expect(untranslated.map((d) => `${d.file}: ${d.title}`)).toEqual([]);
    expect(pack.warnings).toEqual([]);
    const ssh = docs.find((d) => d.name === 'ssh_brute_force')!;
    expect([localisedRuleTitle(ssh, 'zh-CN'), localisedRuleTitle(ssh, 'en')]).toEqual(['单一来源地址 SSH 暴力破解', 'SSH brute force from one address']);
  });

  it('covers every required area', () => {
    const covered = new Set(
      [...pack.rules.map((r) => r.rule), ...pack.correlations].flatMap((d) => (d.custom['x-taishi-coverage'] as string[] | undefined) ?? []),
    );
    expect(REQUIRED_COVERAGE.filter((area) => !covered.has(area))).toEqual([]);
  });

  it("every rule's own examples match (and do not match) as stated, through parser, logsource and fields", () => {
    const failures = pack.rules.flatMap((r) => runRuleExamples(r, context));
    expect(failures).toEqual([]);
    // rules without examples would pass vacuously
    const untested = pack.rules.filter((r) => !r.rule.tests || r.rule.tests.match.length === 0 || r.rule.tests.nomatch.length === 0);
    expect(untested.map((r) => `${r.rule.file}: ${r.rule.title}`)).toEqual([]);
  });

  it("every correlation's example sequences give the stated hits", () => {
    const failures = pack.correlations.flatMap((c) => runCorrelationSequences(pack, c, mapping, context));
    expect(failures).toEqual([]);
    const weak = pack.correlations.filter((c) => {
      const seqs = correlationSequences(c);
      return !seqs.some((s) => s.expect.hits > 0) || !seqs.some((s) => s.expect.hits === 0);
    });
    expect(weak.map((c) => `${c.file}: ${c.title} needs a sequence that hits and one that does not`)).toEqual([]);
  });

  it('scheduled rules declare a valid schedule and their absence examples hold', () => {
    const scheduled = pack.rules.filter((r) => scheduleOf(r.rule));
    expect(scheduled.length).toBeGreaterThanOrEqual(1);
    const failures = scheduled.flatMap((r) => runScheduleTests(r, mapping, context));
    expect(failures).toEqual([]);
    expect(scheduled.every((r) => Array.isArray(r.rule.custom['x-taishi-schedule-tests']))).toBe(true);
  });
});

describe('SSH rules over fixtures/loghub/OpenSSH_2k.log', () => {
  const lines = readFileSync(join(root, 'fixtures/loghub/OpenSSH_2k.log'), 'utf8').split('\n').filter((l) => l.length > 0);
  const brute = pack.correlations.find((c) => c.name === 'ssh_brute_force')!;

  it('the brute-force correlation fires for exactly the addresses derived from the log', () => {
    const engine = new CorrelationEngine(pack.correlations, { knownRules: pack.rules.map((r) => r.rule), fieldMapper: mapping.correlationFieldMapper });
    const sshRules = pack.rules.filter((r) => r.rule.logsource.service === 'sshd');
    const fired = new Set<string>();
    for (const line of lines) {
      const event = parseLine(line, context) as NormalizedEvent;
      const ts = Date.parse(event['@timestamp']);
      for (const r of sshRules) {
        if (!r.matches(event)) continue;
        for (const hit of engine.process({ id: r.rule.id, name: r.rule.name }, event, ts)) {
          if (hit.correlation === brute) fired.add(String(hit.group['source.address']));
        }
      }
    }
    const expected = bruteForceSources(lines, brute.condition.tests.find((t) => t.op === 'gte')!.value, brute.timespanMs);
    expect(expected.length).toBeGreaterThan(3); // the log is a real attack log: the test must not pass vacuously
    expect([...fired].sort()).toEqual(expected);
  });
});

describe('dormant rules: valid, but no source or value yet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taishi-dormant-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rule = (id: string, logsource: string, detection: string) =>
    `title: rule ${id}\nid: 00000000-0000-4000-8000-00000000000${id}\nlogsource: ${logsource}\ndetection:\n${detection}\n  condition: sel\n`;
  writeFileSync(
    join(dir, 'rules.yml'),
    [
      rule('1', '{ product: linux, service: sshd }', '  sel: { message|contains: hello }'),
      rule('2', '{ product: plc, service: modbus }', '  sel: { function_code: 8 }'),
      rule('3', '{ product: linux, service: sshd }', "  sel:\n    source.ip|expand: '%jump_hosts%'"),
      rule('4', '{ product: linux, service: sshd }', "  sel:\n    source.ip|expand|cidr: '%office_networks%'"),
      rule('5', '{ product: linux, service: sshd }', '  sel: { Initiated: "true" }'),
      'title: two modbus writes\nid: 00000000-0000-4000-8000-000000000006\ncorrelation: { type: event_count, rules: [00000000-0000-4000-8000-000000000002], group-by: [source.ip], timespan: 1m, condition: { gte: 2 } }\n',
      rule('7', '{ product: linux, service: sshd }', '  sel: { message|contians: typo }'),
    ].join('---\n'),
  );
  const base = 'logsources:\n  - logsource: { product: linux }\n  - logsource: { service: sshd }\n    when: { event.dataset: system.auth }\n    unavailable: [Initiated]\n';
  const load = (extraMapping: string, extraPlaceholders: Placeholders) => loadRulePack(dir, loadLogsourceMapping(base + extraMapping), extraPlaceholders, dir);
  const states = (p: RulePack) => ({
    active: [...p.rules.map((r) => r.rule.title), ...p.correlations.map((c) => c.title)].sort(),
    dormant: p.dormant.map((d) => `${d.rule.title}: ${dormancyText(d.reason)}`).sort(),
  });

  it('loads rules without a mapping, a placeholder value or a field as dormant with the reason; only spec violations are errors', () => {
    const pack = load('', {});
    expect(states(pack)).toEqual({
      active: ['rule 1'],
      dormant: [
        "rule 2: no source yet for logsource product=plc service=modbus: rules/logsources.yml has no entry for product 'plc'",
        'rule 3: no value for placeholder %jump_hosts% (set it in rules/placeholders.yml)',
        'rule 4: no value for placeholder %office_networks% (set it in rules/placeholders.yml)',
        'rule 5: the events of logsource product=linux service=sshd carry no Initiated (rules/logsources.yml lists it as unavailable)',
        'two modbus writes: its rules 00000000-0000-4000-8000-000000000002 are dormant',
      ],
    });
    expect(pack.errors).toEqual([expect.stringMatching(/^rules\.yml:\d+:\d+: unknown modifier 'contians'/)]);
    expect(pack.invalid).toBe(1);
    expect(pack.warnings).toEqual([expect.stringMatching(/^rules\.yml:\d+:1: rule 3: no value for placeholder %jump_hosts%/), expect.stringMatching(/rule 4: no value for placeholder %office_networks%/)]);
    expect(pack.dormant.find((d) => d.rule.title === 'rule 2')!.reason).toEqual({ kind: 'logsource', logsource: 'product=plc service=modbus', missing: "product 'plc'" });
  });

  it('wakes them when the mapping and the values are added', () => {
    const pack = load("  - logsource: { product: plc }\n    when: { event.module: modbus }\n  - logsource: { service: modbus }\n", { jump_hosts: ['10.0.0.5'], office_networks: ['10.1.0.0/16'] });
    expect(states(pack)).toEqual({ active: ['rule 1', 'rule 2', 'rule 3', 'rule 4', 'two modbus writes'], dormant: ['rule 5: the events of logsource product=linux service=sshd carry no Initiated (rules/logsources.yml lists it as unavailable)'] });
    const cidr = pack.rules.find((r) => r.rule.title === 'rule 4')!;
    const event = (ip: string) => ({ event: { dataset: 'system.auth' }, source: { ip } });
    expect([cidr.matches(event('10.1.2.3')), cidr.matches(event('10.2.0.1'))]).toEqual([true, false]);
  });
});
