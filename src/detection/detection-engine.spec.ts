import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AssetIndex } from '../assets/index.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { actorsOf, DetectionEngine, type CorrelationInput, type RuleFiring } from './detection-engine.js';
import { AhoCorasick, AnchorScanner, EvalContext, PairSkipScanner } from './sigma/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const files = { rules: [path.join(root, 'rules/detection')], logsources: path.join(root, 'rules/logsources.yml'), placeholders: path.join(root, 'rules/placeholders.yml') };

const cityLines = ['fixtures/loghub/OpenSSH_2k.log', 'fixtures/loghub/Apache_2k.log', 'fixtures/logs/nginx-access.log', 'fixtures/logs/auth.log', 'fixtures/logs/firewall-kv.log', 'fixtures/logs/iptables.log']
  .flatMap((f) => readFileSync(path.join(root, f), 'utf8').split('\n').filter(Boolean))
  .map((text) => ({ text }));
const events = new IngestPipeline(() => new AssetIndex([])).process(cityLines, { source: 'spec', transport: 'file', receivedAt: new Date('2026-11-29T00:00:00Z') }, []);

describe('DetectionEngine', () => {

  it('finds through its index exactly the matches a rule-by-rule evaluation finds', () => {
    const { engine, errors } = DetectionEngine.fromFiles(files);
    expect(errors).toEqual([]);
    engine.evaluate(events);
    const naive = new Map<string, number>();
    for (const rule of engine.pack.rules) {
      const n = events.filter((e) => rule.logsource.matches(e) && rule.compiled.matches(e, new EvalContext(e))).length;
      naive.set(rule.rule.id!, n);
    }
    const indexed = new Map(engine.ruleStats().filter((r) => r.kind === 'rule').map((r) => [r.id, r.matches]));
    expect(indexed).toEqual(new Map([...naive].filter(([id]) => indexed.has(id))));
    expect([...naive.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
  });

  it('evaluates far fewer rules than it holds', () => {
    const { engine } = DetectionEngine.fromFiles(files);
    engine.evaluate(events);
    const evaluations = engine.ruleStats().reduce((n, r) => n + r.evaluations, 0);
    expect(evaluations).toBeLessThan(events.length * engine.ruleCount * 0.1);
  });

  it('keeps its evaluation contexts between calls, and a call made from inside another gets its own', () => {
    const ruleFirings = (firings: RuleFiring[]) => firings.filter((f) => f.kind === 'rule').map((f) => `${f.ruleId} ${f.event.event.id}`);
    const expected = ruleFirings(DetectionEngine.fromFiles(files).engine.evaluate(events));
    const { engine } = DetectionEngine.fromFiles(files);
    let inner: RuleFiring[] = [];
    const outer = engine.evaluate(events, (input) => {
      if (inner.length === 0) inner = engine.evaluate(events, () => []);
      return engine.correlate(input);
    });
    expect(expected.length).toBeGreaterThan(10);
    expect(ruleFirings(outer)).toEqual(expected);
    expect(ruleFirings(inner)).toEqual(expected);
    expect(ruleFirings(engine.evaluate(events, () => []))).toEqual(expected);
  });

  it('leaves disabled rules out', () => {
    const { engine: all } = DetectionEngine.fromFiles(files);
    const id = all.pack.rules.find((r) => r.rule.title.includes('SSH'))!.rule.id!;
    const { engine } = DetectionEngine.fromFiles(files, new Set([id]));
    engine.evaluate(events);
    expect(engine.ruleStats().find((r) => r.id === id)).toMatchObject({ enabled: false, evaluations: 0 });
  });
});

/** A Windows Security rule numbered `n` in a series (`prefix` names the series and sets its ids apart). */
const windowsRule = (prefix: string, n: number, detection: string) =>
  [`title: ${prefix} ${n}`, `id: 00000000-0000-4000-8000-${String(prefix.length * 100 + n).padStart(12, '0')}`, 'logsource: { product: windows, service: security }', 'detection:', detection].join('\n');
const windowsEvents = new IngestPipeline(() => new AssetIndex([])).process(
  readFileSync(path.join(root, 'fixtures/logs/windows-security.ndjson'), 'utf8').split('\n').filter(Boolean).map((text) => ({ text })),
  { source: 'spec', transport: 'file', receivedAt: new Date('2026-11-29T00:00:00Z') },
  [],
);

/**
 * An engine of the rules alone, run by `check` on the Windows Security events of the fixture.
 * `searchEverything`: Windows keyword searches read every value of the event, the raw record too
 * (the project's logsources read `winlog` and the message), so the raw record's scan is what runs.
 */
function withWindowsRules(rules: string[], check: (engine: DetectionEngine, security: typeof windowsEvents) => void, searchEverything = false): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'taishi-windows-rules-'));
  try {
    mkdirSync(path.join(dir, 'rules'));
    writeFileSync(path.join(dir, 'rules/windows.yml'), rules.join('\n---\n') + '\n');
    let logsources = files.logsources;
    if (searchEverything) {
      const text = readFileSync(logsources, 'utf8');
      expect(text).toContain('    keywords: [winlog, message]\n');
      logsources = path.join(dir, 'logsources.yml');
      writeFileSync(logsources, text.replace('    keywords: [winlog, message]\n', "    keywords: '*'\n"));
    }
    const { engine, errors } = DetectionEngine.fromFiles({ ...files, logsources, rules: [path.join(dir, 'rules')] });
    expect(errors).toEqual([]);
    const security = windowsEvents.filter((e) => e.event.dataset === 'windows.security');
    expect(security.length).toBeGreaterThan(0);
    check(engine, security);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What an alert of a correlation is made of (see LiveDetection.writeAlerts), and what counted it. */
const correlationAlerts = (firings: RuleFiring[]) =>
  firings
    .filter((f) => f.kind === 'correlation')
    .map((f) => ({ rule: f.ruleId, group: f.groupKey, at: f.at.toISOString(), event: f.event.event.id, asset: f.event.taishi?.asset_id, department: f.event.taishi?.department, actors: actorsOf(f) }));

/** Every counted match goes through the feed's reduced event before it is counted. */
const throughFeed = (engine: DetectionEngine, events: Parameters<DetectionEngine['evaluate']>[0], keep: string[] = []) =>
  engine.evaluate(events, (input) => engine.correlate({ rule: input.rule, event: engine.feedEvent(input, keep), at: input.at }));

describe('DetectionEngine: the correlation feed keeps part of each event', () => {
  it('and the project’s correlations count and alert on the city logs as they do on whole events', () => {
    const whole = correlationAlerts(DetectionEngine.fromFiles(files).engine.evaluate(events));
    const reduced = correlationAlerts(throughFeed(DetectionEngine.fromFiles(files).engine, events));
    expect(whole.length).toBeGreaterThan(5);
    expect(new Set(whole.map((a) => a.rule)).size).toBeGreaterThan(1);
    expect(reduced).toEqual(whole);
  });

  it('a small part: the fields correlations, alerts and exceptions read', () => {
    const { engine } = DetectionEngine.fromFiles(files);
    let counted: CorrelationInput | undefined;
    engine.evaluate(events, (input) => ((counted ??= input.event.event.dataset === 'system.auth' && input.event.source?.ip ? { rule: input.rule, event: input.event, at: input.at } : undefined), []));
    const ssh = counted!.event;
    const kept = engine.feedEvent(counted!, ['process.name']);
    expect(kept).toMatchObject({ '@timestamp': ssh['@timestamp'], event: { id: ssh.event.id }, source: { ip: ssh.source!.ip } });
    expect((kept as { process?: { name?: string } }).process?.name).toBe((ssh as { process?: { name?: string } }).process?.name);
    expect(kept).not.toHaveProperty('message');
    expect(kept.event).not.toHaveProperty('original');
  });

  it('and correlations over mapped Windows fields, with aliases and distinct values, count as on whole events', () => {
    const logons = ['title: Logon', 'id: 00000000-0000-4000-8000-00000000a001', 'name: any_logon', 'logsource: { product: windows, service: security }', 'detection:', '  selection: { EventID: [4624, 4625] }', '  condition: selection'].join('\n');
    const failures = ['title: Logon failure', 'id: 00000000-0000-4000-8000-00000000a002', 'name: failed_logon', 'logsource: { product: windows, service: security }', 'detection:', '  selection: { EventID: 4625 }', '  condition: selection'].join('\n');
    const users = ['title: Users per source', 'id: 00000000-0000-4000-8000-00000000a003', 'correlation:', '  type: value_count', '  rules: [any_logon]', '  group-by: [SourceIp]', '  timespan: 1d', '  condition: { field: TargetUserName, gte: 1 }'].join('\n');
    const either = [
      'title: Logons by either name',
      'id: 00000000-0000-4000-8000-00000000a004',
      'correlation:',
      '  type: event_count',
      '  rules: [any_logon, failed_logon]',
      '  aliases:',
      '    who: { any_logon: TargetUserName, failed_logon: Computer }',
      '  group-by: [who]',
      '  timespan: 1d',
      '  condition: { gte: 1 }',
    ].join('\n');
    withWindowsRules([logons, failures, users, either], (engine, security) => {
      const whole = correlationAlerts(engine.evaluate(security));
      expect(new Set(whole.map((a) => a.rule))).toEqual(new Set(['00000000-0000-4000-8000-00000000a003', '00000000-0000-4000-8000-00000000a004']));
      withWindowsRules([logons, failures, users, either], (again) => expect(correlationAlerts(throughFeed(again, security))).toEqual(whole));
    });
  });
});

describe('DetectionEngine: rules without literal hints', () => {
  const rule = (n: number, detection: string) => windowsRule('Windows', n, detection);
  const rules = [
    rule(1, '  selection: { EventID: 4625 }\n  condition: selection'),
    rule(2, "  selection: { EventID: '4625' }\n  condition: selection"),
    rule(3, '  selection: { EventID: [4624, 4634] }\n  condition: selection'),
    rule(4, '  selection: { EventID: 4624 }\n  condition: not selection'),
    rule(5, '  a: { EventID: 4625 }\n  b: { EventID: 4624 }\n  condition: 1 of them'),
  ];

  it('meet an event only when it has a value they require (EventID as number or text), and match as rule-by-rule evaluation does', () => {
    withWindowsRules(rules, (engine, security) => {
      expect(engine.pack.rules.map((r) => r.compiled.requiredValues?.map((q) => q.keys))).toEqual([[['n:4625']], [['s:4625']], [['n:4624', 'n:4634']], undefined, [['n:4625', 'n:4624']]]);
      for (const event of security) {
        const byRule = engine.pack.rules.filter((r) => r.matches(event)).map((r) => r.rule.title).sort();
        expect(engine.matchingRules(event).map((id) => engine.pack.rules.find((r) => r.rule.id === id)!.rule.title).sort()).toEqual(byRule);
      }
      engine.evaluate(security);
      const stats = new Map(engine.ruleStats().map((r) => [r.title, r]));
      const eventId = (e: unknown) => String((e as { winlog?: { event_id?: unknown } }).winlog?.event_id);
      const with4625 = security.filter((e) => eventId(e) === '4625').length;
      expect(with4625).toBeGreaterThan(0);
      expect(security.length).toBeGreaterThan(with4625);
      expect(stats.get('Windows 1')).toMatchObject({ matches: with4625, evaluations: with4625 });
      expect(stats.get('Windows 2')).toMatchObject({ matches: with4625, evaluations: with4625 });
      expect(stats.get('Windows 3')).toMatchObject({ evaluations: security.filter((e) => ['4624', '4634'].includes(eventId(e))).length });
      expect(stats.get('Windows 4')).toMatchObject({ evaluations: security.length });
    });
  });
});

describe('DetectionEngine: hints found only in the raw record', () => {
  // `#attributes` is a key of the raw Windows record: no parsed field has it as a value
  const rule = (n: number, detection: string) => windowsRule('Raw', n, detection);
  const rules = [
    rule(1, "  keywords: ['#attributes']\n  condition: keywords"),
    rule(2, "  selection: { event.original|contains: '#attributes' }\n  condition: selection"),
    rule(3, "  selection: { SubjectUserName|contains: '#attributes' }\n  condition: selection"),
    rule(4, "  selection: { Channel|contains: 'secur' }\n  condition: selection"),
  ];

  it('are found for keyword rules and rules that name event.original, and for no others', () => {
    withWindowsRules(rules, (engine, security) => {
      // sought anywhere (the keyword rule), in the raw record (rule 2), in fields without it (3, 4)
      expect(engine.pack.rules.map((r) => r.compiled.hintClauses![0].map((h) => h.access?.paths.includes('event.original')))).toEqual([[undefined], [true], [false], [false]]);
      const titles = (rules: { rule: { title: string } }[]) => rules.map((r) => r.rule.title).sort();
      let raw = 0;
      for (const event of security) {
        expect(new EvalContext(event).restValues().filter((v) => String(v).toLowerCase().includes('#attributes'))).toEqual([]);
        const byRule = titles(engine.pack.rules.filter((r) => r.matches(event)));
        if (byRule.includes('Raw 1')) raw++;
        expect(titles(engine.matchingRules(event).map((id) => engine.pack.rules.find((r) => r.rule.id === id)!))).toEqual(byRule);
      }
      expect(raw).toBeGreaterThan(0);
    }, true);
  });
});

describe('DetectionEngine: System values of Windows records', () => {
  // the shape of SigmaHQ's win_security_user_couldnt_call_priv_service_lsaregisterlogonprocess
  const rules = [
    windowsRule('System value', 1, "  selection: { EventID: 4673, Service: 'LsaRegisterLogonProcess()', Keywords: '0x8010000000000000' }\n  condition: selection"),
    windowsRule('System value', 2, '  selection: { EventID: 4673, Level: 0 }\n  filter: { Level: 4 }\n  condition: selection and not filter'),
  ];
  const record = (keywords: string) =>
    JSON.stringify({
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '{54849625-5478-4994-A5BA-3E3B0328C30D}' } },
          EventID: 4673, Version: 0, Level: 0, Task: 13056, Opcode: 0, Keywords: keywords,
          TimeCreated: { '#attributes': { SystemTime: '2026-11-30T03:12:44.512345Z' } }, EventRecordID: 20931, Channel: 'Security', Computer: 'WS-017.city.local',
        },
        EventData: { SubjectUserName: 'clerk', SubjectDomainName: 'CITY', ObjectServer: 'NT Local Security Authority / Authentication Service', Service: 'LsaRegisterLogonProcess()', PrivilegeList: 'SeTcbPrivilege', ProcessName: 'C:\\Users\\clerk\\loader.exe' },
      },
    });

  it('are read where SigmaHQ rules name them: the keyword mask and the level', () => {
    withWindowsRules(rules, (engine) => {
      const [failure, success] = new IngestPipeline(() => new AssetIndex([])).process(
        [{ text: record('0x8010000000000000') }, { text: record('0x8020000000000000') }],
        { source: 'spec', transport: 'file', receivedAt: new Date('2026-11-30T04:00:00Z') },
        [],
      );
      const titles = (event: typeof failure) => engine.matchingRules(event).map((id) => engine.pack.rules.find((r) => r.rule.id === id)!.rule.title);
      expect(titles(failure)).toEqual(['System value 1', 'System value 2']);
      expect(titles(success)).toEqual(['System value 2']);
    });
  });

  it('are found by keyword searches where they are numbers, as their text', () => {
    // the task (13056) and the record id are numbers in winlog; a keyword that cannot be in a number's text skips them
    const keyword = (n: number, word: string) => windowsRule('Number keyword', n, `  keywords: ['${word}']\n  condition: keywords`);
    withWindowsRules([keyword(1, '13056'), keyword(2, '1305'), keyword(3, 'task 13056'), keyword(4, 'clerk')], (engine) => {
      const [event] = new IngestPipeline(() => new AssetIndex([])).process([{ text: record('0x8010000000000000') }], { source: 'spec', transport: 'file', receivedAt: new Date('2026-11-30T04:00:00Z') }, []);
      expect(event.winlog).toMatchObject({ task: 13056 });
      const byRule = engine.pack.rules.filter((r) => r.matches(event)).map((r) => r.rule.id);
      expect(engine.matchingRules(event)).toEqual(byRule);
      expect(byRule.map((id) => engine.pack.rules.find((r) => r.rule.id === id)!.rule.title)).toEqual(['Number keyword 1', 'Number keyword 2', 'Number keyword 4']);
    });
  });
});

describe('DetectionEngine: keyword searches over Windows records', () => {
  // SigmaHQ's "Mimikatz Use" is such a rule: product windows, keywords, no field
  const rule = (n: number, keyword: string) => windowsRule('Winlog keyword', n, `  keywords: ['${keyword}']\n  condition: keywords`);
  const rules = [
    rule(1, '54849625-5478-4994-a5ba-3e3b0328c30d'), // the provider's GUID, in the System section only
    rule(2, '0x8010000000000000'), // the keyword mask (audit failure), likewise
    rule(3, '#attributes'), // a key of the raw JSON, no value
    rule(4, 'administrator'), // an event data value
  ];

  it('read every value of the record under winlog (its System section too), not the JSON text', () => {
    withWindowsRules(rules, (engine, security) => {
      const fired = new Map<string, number>();
      for (const event of security) {
        const byRule = engine.pack.rules.filter((r) => r.matches(event));
        expect(engine.matchingRules(event)).toEqual(byRule.map((r) => r.rule.id));
        for (const r of byRule) fired.set(r.rule.title, (fired.get(r.rule.title) ?? 0) + 1);
      }
      expect(fired.get('Winlog keyword 1')).toBe(security.filter((e) => e.event.original?.includes('54849625-5478-4994-A5BA-3E3B0328C30D')).length);
      expect(fired.get('Winlog keyword 2')).toBe(security.filter((e) => e.event.original?.includes('0x8010000000000000')).length);
      expect(fired.has('Winlog keyword 3')).toBe(false);
      expect(fired.get('Winlog keyword 4')).toBeGreaterThan(0);
    });
  });
});

/** A seeded generator of numbers and of words over given letters, so a failing round can be replayed. */
function seeded(seed: number) {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x >>> 12);
  const word = (n: number, letters: string) => Array.from({ length: n }, () => letters[next() % letters.length]).join('');
  return { next, word };
}

/** Every occurrence of every needle in `text` (a needle once per occurrence), sorted. */
function naiveMatches(needles: readonly string[], text: string): string[] {
  const out: string[] = [];
  for (const n of needles) for (let at = text.indexOf(n); at >= 0; at = text.indexOf(n, at + 1)) out.push(n);
  return out.sort();
}

describe('PairSkipScanner.forEachMatch', () => {
  it('reports every occurrence a naive search finds, needles overlapping, sharing pairs and past the 8-bit hash included', () => {
    const { next, word } = seeded(11);
    const alphabet = 'abcd:\\ıĀ登';
    for (let round = 0; round < 20; round++) {
      const needles = [...new Set(Array.from({ length: 1 + (next() % 30) }, () => word(4 + (next() % 8), alphabet)))];
      const text = word(3000, alphabet) + needles[0];
      const found: string[] = [];
      new PairSkipScanner(needles).forEachMatch(text, (i) => found.push(needles[i]));
      expect(found.sort()).toEqual(naiveMatches(needles, text));
    }
  });

  it('reads a text of ASCII characters folded as it would read the text lower-cased', () => {
    const { next, word } = seeded(5);
    for (let round = 0; round < 20; round++) {
      const needles = [...new Set(Array.from({ length: 1 + (next() % 20) }, () => word(4 + (next() % 6), 'ab:z[@')))];
      const text = word(3000, 'aAbB:zZ[@`') + needles[0].toUpperCase();
      const found: string[] = [];
      new PairSkipScanner(needles).forEachMatch(text, (i) => found.push(needles[i]), true);
      expect(found.sort()).toEqual(naiveMatches(needles, text.toLowerCase()));
    }
  });

  it('reads the two characters toLowerCase turns into ASCII letters as those letters: nothing the lower-cased text has is missed', () => {
    const { next, word } = seeded(9);
    for (let round = 0; round < 40; round++) {
      const needles = [...new Set(Array.from({ length: 1 + (next() % 12) }, () => word(4 + (next() % 5), 'kia:')))];
      const text = word(2000, 'kKia:I\u212a\u0130') + needles[0].toUpperCase().replace(/K/g, '\u212a');
      const found: string[] = [];
      expect(new PairSkipScanner(needles).forEachMatch(text, (i) => found.push(needles[i]), true)).toBe(true);
      // what it reports is the naive search of the text with each character folded on its own (capital I with dot read as i)
      expect(found.sort()).toEqual(naiveMatches(needles, text.replace(/\u212a/g, 'k').replace(/\u0130/g, 'i').toLowerCase()));
      for (const n of naiveMatches(needles, text.toLowerCase())) expect(found).toContain(n);
    }
  });
});

describe('DetectionEngine: texts scanned before', () => {
  // twelve rules on one field (enough for a scan), one of them with a clause on a second field
  const needles = ['mimikatz', 'procdump', '-enc ', 'vssadmin delete', 'wevtutil cl', 'certutil -urlcache', 'bitsadmin /transfer', 'rundll32 javascript', 'regsvr32 /i:http', 'mshta vbscript', 'net user /add', 'schtasks /create'];
  const rules = needles.map((needle, n) =>
    windowsRule('Memo', n + 1, n === 0 ? `  cmd: { 'CommandLine|contains': '${needle}' }\n  who: { 'SubjectUserName|endswith': 'admin' }\n  condition: cmd and who` : `  cmd: { 'CommandLine|contains': '${needle}' }\n  condition: cmd`),
  );

  it('find what a rule-by-rule evaluation finds, whether texts come back, never do, or come back after a while', () => {
    withWindowsRules(rules, (engine, security) => {
      const template = security.find((e) => e.winlog?.event_data)!;
      let seed = 7;
      const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed >>> 8);
      const pieces = [...needles, 'MIMIKATZ', 'ProcDump', 'C:\\Windows\\System32\\cmd.exe /c ', '\u212aelvin', 'İstanbul', ' ', 'x'];
      const text = (parts: number) => Array.from({ length: parts }, () => pieces[next() % pieces.length]).join('');
      const recurring = Array.from({ length: 30 }, () => text(4));
      const long = Array.from({ length: 400 }, () => text(40) + text(40));
      const users = ['it-admin', 'Administrator', 'svc_tmp'];
      const stream: string[] = [];
      for (let i = 0; i < 2_000; i++) stream.push(recurring[i % recurring.length]); // found in the memo
      for (let i = 0; i < 2_000; i++) stream.push(long[i % long.length]); // more than a memo holds
      for (let i = 0; i < 20_000; i++) stream.push(`${text(3)} ${i}`); // never again: the memo rests
      for (let i = 0; i < 2_000; i++) stream.push(recurring[(i * 7) % recurring.length]); // and is taken up again
      let matched = 0;
      stream.forEach((commandLine, i) => {
        const event = { ...template, winlog: { ...template.winlog, event_data: { ...template.winlog!.event_data, CommandLine: commandLine, SubjectUserName: users[i % users.length] } } };
        const expected = engine.pack.rules.filter((r) => r.matches(event)).map((r) => r.rule.id);
        const found = engine.matchingRules(event);
        if (found.join() !== expected.join()) expect({ i, commandLine, found }).toEqual({ i, commandLine, found: expected });
        matched += expected.length;
      });
      expect(matched).toBeGreaterThan(5_000);
    });
  });
});

describe('DetectionEngine: keyword hints in the raw record', () => {
  const words = ['gentilkiwi', 'kerberos::golden', 'sekurlsa::', 'lsadump::', 'privilege::debug', 'misc::skeleton', 'mimidrv.sys', 'eo.oe.kiwi'];
  const rules = words.map((w, n) => windowsRule('Keyword', n, `  keywords: ['${w}']\n  condition: keywords`));

  it('are found in the raw record whatever its case, and where lower-casing turns other characters into ASCII letters', () => {
    withWindowsRules(rules, (engine, security) => {
      const events = security.flatMap((e) =>
        ['GENTILKIWI', 'Kerberos::Golden', 'gentil\u212aiwi', 'pr\u0130vilege::debug', 'mimidrv.sys\u00e9', 'misc::skeleton \u212a'].map((w) => {
          const copy = structuredClone(e);
          copy.event.original = `${copy.event.original ?? ''} ${w}`;
          return copy;
        }),
      );
      let matched = 0;
      for (const event of events) {
        const byRule = engine.pack.rules.filter((r) => r.matches(event)).map((r) => r.rule.id);
        matched += byRule.length;
        expect(engine.matchingRules(event)).toEqual(byRule);
      }
      expect(matched).toBeGreaterThanOrEqual(security.length * 4);
    }, true);
  });
});

describe('AhoCorasick.forEachMatch', () => {
  it('reports every needle, overlapping ones and ones ending inside others included', () => {
    const found: string[] = [];
    const needles = ['he', 'she', 'his', 'hers', '登录'];
    new AhoCorasick(needles).forEachMatch('ushers 登录失败', (i) => found.push(needles[i]));
    expect(found.sort()).toEqual(['he', 'hers', 'she', '登录']);
  });

  it('finds exactly what a naive search finds when most states are past the transition table', () => {
    // deterministic pseudo-random needles over a small alphabet: many overlaps, ~30,000 states, 4,096 of them with table rows
    const { next, word } = seeded(7);
    const needles = [...new Set(Array.from({ length: 4000 }, () => word(3 + (next() % 16), 'abcdé\\')))];
    const text = word(20_000, 'abcdé\\');
    for (const automaton of [new AhoCorasick(needles, 4096), new AhoCorasick(needles)]) {
      const counts = new Map<number, number>();
      automaton.forEachMatch(text, (i) => counts.set(i, (counts.get(i) ?? 0) + 1));
      const naive = new Map<number, number>();
      needles.forEach((n, i) => {
        let at = text.indexOf(n);
        while (at >= 0) {
          naive.set(i, (naive.get(i) ?? 0) + 1);
          at = text.indexOf(n, at + 1);
        }
      });
      expect(naive.size).toBeGreaterThan(500);
      expect([...counts].sort((a, b) => a[0] - b[0])).toEqual([...naive].sort((a, b) => a[0] - b[0]));
      expect(needles.map((n) => automaton.test(`zz${n}zz`)).every(Boolean)).toBe(true);
      expect(automaton.test('zzzzzzzz')).toBe(false);
    }
  });

  it('reads a text folded as it would read it lower-cased, or says it cannot', () => {
    const { next, word } = seeded(3);
    let unfoldable = 0;
    for (let round = 0; round < 40; round++) {
      // half the rounds have needles outside ASCII, most texts have letters outside it, some the two toLowerCase turns into ASCII letters
      const letters = round % 2 ? 'abk:\\i\u0307é' : 'abk:\\i';
      const needles = [...new Set(Array.from({ length: 1 + (next() % 200) }, () => word(1 + (next() % 8), letters)))];
      const text = word(2000, 'aAbBkK:\\iI' + (round % 5 < 3 ? 'é\u00c9' : '') + (round % 3 === 2 ? '\u212a\u0130' : '')) + needles[0].toUpperCase();
      for (const automaton of [new AhoCorasick(needles), new AhoCorasick(needles, 16)]) {
        const found: string[] = [];
        if (!automaton.forEachMatch(text, (i) => found.push(needles[i]), true)) {
          unfoldable++;
          continue;
        }
        expect(found.sort()).toEqual(naiveMatches(needles, text.toLowerCase()));
      }
    }
    expect(unfoldable).toBeGreaterThan(10);
    expect(unfoldable).toBeLessThan(60);
  });
});

describe('AnchorScanner.forEachMatch', () => {
  it('reports every occurrence a naive search finds: thousands of needles, short ones, anchors shared, dashes outside ASCII', () => {
    const { next, word } = seeded(13);
    // few letters, so anchors are shared by many needles and found often; the dashes as |windash makes them
    const alphabet = 'abc:\\-–—.e';
    for (let round = 0; round < 20; round++) {
      const needles = [...new Set(Array.from({ length: 50 + (next() % 3000) }, () => word(1 + (next() % 14), alphabet)))];
      // every other text is ASCII but for its last needle, if that has a dash outside it (short ones are sought apart from the ASCII ones)
      const last = round % 4 < 2 ? needles[0] : needles.find((n) => n.length < 4 && /[–—]/.test(n));
      expect(last).toBeDefined();
      const text = word(4000, round % 2 ? 'abc:\\-.e' : alphabet) + last;
      const found: string[] = [];
      expect(new AnchorScanner(needles).forEachMatch(text, (i) => found.push(needles[i]))).toBe(true);
      expect(found.sort()).toEqual(naiveMatches(needles, text));
    }
  });

  it('reads a text folded as it would read it lower-cased, or says it cannot', () => {
    const { next, word } = seeded(17);
    let unfoldable = 0;
    for (let round = 0; round < 40; round++) {
      // half the rounds have needles outside ASCII; some texts have letters outside it, some the two toLowerCase turns into ASCII letters
      const needles = [...new Set(Array.from({ length: 300 + (next() % 300) }, () => word(1 + (next() % 10), round % 2 ? 'abk:\\i–' : 'abk:\\i')))];
      const text = word(3000, 'aAbBkK:\\iI' + (round % 5 < 2 ? 'é–' : '') + (round % 7 === 3 ? '\u212a\u0130' : '')) + needles[0].toUpperCase();
      const found: string[] = [];
      if (!new AnchorScanner(needles).forEachMatch(text, (i) => found.push(needles[i]), true)) {
        unfoldable++;
        continue;
      }
      expect(found.sort()).toEqual(naiveMatches(needles, text.toLowerCase()));
    }
    expect(unfoldable).toBeGreaterThan(5);
    expect(unfoldable).toBeLessThan(30);
  });
});

describe('DetectionEngine: routing by required values', () => {
  const rule = (n: number, detection: string, logsource = '{ product: windows, service: security }') =>
    windowsRule('Route', n, detection).replace('logsource: { product: windows, service: security }', `logsource: ${logsource}`);
  const processCreation = '{ product: windows, category: process_creation }';
  const rules = [
    rule(1, '  sel: { EventID: 4625 }\n  condition: sel'),
    rule(2, "  sel: { EventID: '4625' }\n  condition: sel"),
    rule(3, '  sel: { EventID: [4624, 4634] }\n  condition: sel'),
    rule(4, '  sel: { EventID: 4624 }\n  condition: not sel'),
    rule(5, '  a: { EventID: 4625 }\n  b: { EventID: 4624 }\n  condition: 1 of them'),
    rule(6, '  a: { EventID: 4625 }\n  b: { TargetUserName: administrator }\n  condition: a or b'),
    // one field with two values, each required by one side (winlog.event_id and event.code both map to EventID)
    rule(7, '  a: { EventID: 1 }\n  b: { EventID: 4688 }\n  condition: a and b'),
    rule(8, "  sel: { EventID|contains: '62' }\n  condition: sel"),
    rule(9, "  sel: { EventID|re: '^46[0-9]+$' }\n  condition: sel"),
    rule(10, "  sel: { EventID: '46*' }\n  condition: sel"),
    rule(11, '  sel: { EventID: 4625, Provider_Name: Microsoft-Windows-Security-Auditing }\n  condition: sel'),
    rule(12, '  sel: { Provider_Name: MICROSOFT-WINDOWS-SECURITY-AUDITING }\n  condition: sel'),
    rule(13, "  sel: { EventID|cased: '4625' }\n  condition: sel"),
    rule(14, '  sel: { EventID: 4625 }\n  filter: { TargetUserName: administrator }\n  condition: sel and not filter'),
    rule(15, '  a: { EventID: 4720 }\n  b: { EventID: 1102 }\n  condition:\n    - a\n    - b'),
    rule(16, '  sel_a: { EventID: 4624 }\n  sel_b: { LogonType: 10 }\n  condition: all of sel_*'),
    rule(17, "  keywords: ['administrator']\n  condition: keywords"),
    rule(18, '  sel: { EventID|all: [4625, 1] }\n  condition: sel'),
    rule(19, '  sel: { EventID: [4625, null] }\n  condition: sel'),
    rule(20, '  sel: { EventID|gte: 4700 }\n  condition: sel'),
    rule(21, '  sel: { EventID: 4688 }\n  condition: sel', processCreation),
    rule(22, "  sel: { Image: 'C:\\nothing.exe' }\n  condition: not sel", processCreation),
  ];

  /** The fixture's events, and copies with the values routing decides by written every way an event may carry them. */
  function variants(security: typeof windowsEvents): typeof windowsEvents {
    type Mutable = Record<string, Record<string, unknown>>;
    const out = [...security];
    const vary = (base: (typeof security)[number], change: (e: Mutable) => void) => {
      const copy = structuredClone(base);
      change(copy as unknown as Mutable);
      out.push(copy);
    };
    for (const e of security) {
      const id = String(e.winlog?.event_id);
      vary(e, (v) => (v.winlog.event_id = Number(id)));
      vary(e, (v) => (v.winlog.event_id = ` ${id}`));
      vary(e, (v) => (v.winlog.event_id = [id, '1']));
      vary(e, (v) => ((v.winlog.event_id = '1'), (v.event.code = id)));
      vary(e, (v) => (delete v.winlog.event_id, (v.event.code = Number(id))));
      vary(e, (v) => ((v.winlog.event_id = '1'), (v.event.code = '4688')));
      vary(e, (v) => (v.winlog.event_id = '4688'));
      vary(e, (v) => (v.winlog.channel = 'SECURITY'));
      vary(e, (v) => (v.winlog.channel = ['System', 'Security']));
      vary(e, (v) => delete v.winlog.channel);
      vary(e, (v) => (v.winlog.provider_name = 'microsoft-windows-security-auditing'));
      vary(e, (v) => ((v.winlog.event_data as Record<string, unknown>).TargetUserName = 'guest'));
      vary(e, (v) => (((v as unknown as Record<string, unknown>)['winlog.event_id'] = '4688'), delete v.winlog.event_id));
    }
    return out;
  }

  it('finds every match a rule-by-rule evaluation finds, and no other, however the routing values are written', () => {
    withWindowsRules(rules, (engine, security) => {
      const title = (id: string) => engine.pack.rules.find((r) => r.rule.id === id)!.rule.title;
      expect(engine.pack.rules.filter((r) => r.compiled.requiredValues).map((r) => r.rule.title)).toEqual(
        ['Route 1', 'Route 2', 'Route 3', 'Route 5', 'Route 7', 'Route 11', 'Route 12', 'Route 13', 'Route 14', 'Route 15', 'Route 16', 'Route 21'],
      );
      const events = variants(security);
      const matched = new Set<string>();
      // twice: the second pass meets routes decided in the first
      for (let pass = 0; pass < 2; pass++) {
        for (const event of events) {
          const byRule = engine.pack.rules.filter((r) => r.matches(event)).map((r) => r.rule.title);
          byRule.forEach((t) => matched.add(t));
          expect(engine.matchingRules(event).map(title)).toEqual(byRule);
        }
      }
      // every rule, and the pitfalls above, met an event it matches
      expect([...matched].sort()).toEqual(engine.pack.rules.map((r) => r.rule.title).sort());
      const firings = engine.evaluate(events).map((f) => `${events.indexOf(f.event)} ${f.title}`);
      expect(firings).toEqual(events.flatMap((event, i) => engine.pack.rules.filter((r) => r.matches(event)).map((r) => `${i} ${r.rule.title}`)));
    });
  });
});

describe('DetectionEngine: events of many kinds', () => {
  // eight hinted rules every event meets, and one rule per EventID: forty kinds of events, more than get automata of their own
  const hinted = ['adm', 'admi', 'admin', 'dmin', 'istr', 'rator', 'dministr', 'nistrat'].map((needle, n) => windowsRule('Kinds', n, `  sel: { TargetUserName|contains: '${needle}' }\n  condition: sel`));
  const pinned = Array.from({ length: 40 }, (_, n) => windowsRule('Kinds', 100 + n, `  sel: { EventID: ${n + 1}, TargetUserName|endswith: 'tor' }\n  condition: sel`));

  it('match as rule-by-rule evaluation does once routes share the bucket automata', () => {
    withWindowsRules([...hinted, ...pinned], (engine, security) => {
      const base = security.find((e) => e.winlog?.event_id === '4625')!;
      const events = Array.from({ length: 40 }, (_, n) => {
        const copy = structuredClone(base);
        copy.winlog!.event_id = String(n + 1);
        return copy;
      });
      for (const pass of [1, 2]) {
        for (const event of events) {
          const byRule = engine.pack.rules.filter((r) => r.matches(event)).map((r) => r.rule.id);
          expect(byRule.length).toBe(hinted.length + 1);
          expect([pass, engine.matchingRules(event)]).toEqual([pass, byRule]);
        }
      }
    });
  });
});

/** SigmaHQ's checkout (rules and regression data; not committed, DRL 1.1), where this machine has one. */
const sigmahq = [process.env.SIGMAHQ_DIR, '/work/shared/data/sigmahq', path.join(root, '../shared/data/sigmahq')].find((dir) => dir && existsSync(path.join(dir, 'regression_data')));

(sigmahq ? describe : describe.skip)('DetectionEngine on SigmaHQ Windows rules and regression events', () => {
  /** Every record of the regression data: pretty-printed JSON objects, each closed by a `}` alone on a line. */
  function regressionLines(dir: string): string[] {
    const lines: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
      const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
      let start = 0;
      for (const match of text.matchAll(/^}\s*$/gm)) {
        lines.push(JSON.stringify(JSON.parse(text.slice(start, match.index + 1))));
        start = match.index + 1;
      }
    }
    return lines;
  }

  it('finds through its routes exactly the matches a rule-by-rule evaluation finds', () => {
    const { engine } = DetectionEngine.fromFiles({ ...files, rules: [path.join(sigmahq!, 'rules/windows')] });
    const events = new IngestPipeline(() => new AssetIndex([])).process(
      regressionLines(path.join(sigmahq!, 'regression_data')).map((text) => ({ text })),
      { source: 'spec', transport: 'file', receivedAt: new Date('2026-11-29T00:00:00Z') },
      [],
    );
    expect(events.length).toBeGreaterThan(200);
    let matches = 0;
    for (const event of events) {
      const byRule = engine.pack.rules.filter((r) => r.matches(event)).map((r) => r.rule.id ?? r.rule.title);
      matches += byRule.length;
      expect(engine.matchingRules(event)).toEqual(byRule);
    }
    expect(matches).toBeGreaterThan(200);
  });
});
