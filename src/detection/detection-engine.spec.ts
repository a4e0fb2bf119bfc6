import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AssetIndex } from '../assets/index.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { DetectionEngine } from './detection-engine.js';
import { AhoCorasick, EvalContext } from './sigma/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const files = { rules: [path.join(root, 'rules/detection')], logsources: path.join(root, 'rules/logsources.yml'), placeholders: path.join(root, 'rules/placeholders.yml') };

describe('DetectionEngine', () => {
  const lines = ['fixtures/loghub/OpenSSH_2k.log', 'fixtures/loghub/Apache_2k.log', 'fixtures/logs/nginx-access.log', 'fixtures/logs/auth.log', 'fixtures/logs/firewall-kv.log', 'fixtures/logs/iptables.log']
    .flatMap((f) => readFileSync(path.join(root, f), 'utf8').split('\n').filter(Boolean))
    .map((text) => ({ text }));
  const events = new IngestPipeline(() => new AssetIndex([])).process(lines, { source: 'spec', transport: 'file', receivedAt: new Date('2026-11-29T00:00:00Z') }, []);

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

/** An engine of the rules alone, run by `check` on the Windows Security events of the fixture. */
function withWindowsRules(rules: string[], check: (engine: DetectionEngine, security: typeof windowsEvents) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'taishi-windows-rules-'));
  try {
    writeFileSync(path.join(dir, 'windows.yml'), rules.join('\n---\n') + '\n');
    const { engine, errors } = DetectionEngine.fromFiles({ ...files, rules: [dir] });
    expect(errors).toEqual([]);
    const security = windowsEvents.filter((e) => e.event.dataset === 'windows.security');
    expect(security.length).toBeGreaterThan(0);
    check(engine, security);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
      expect(engine.pack.rules.map((r) => r.compiled.literalHintPaths?.includes('event.original'))).toEqual([undefined, true, false, false]);
      const titles = (rules: { rule: { title: string } }[]) => rules.map((r) => r.rule.title).sort();
      let raw = 0;
      for (const event of security) {
        expect(new EvalContext(event).lowerRest()).not.toContain('#attributes');
        const byRule = titles(engine.pack.rules.filter((r) => r.matches(event)));
        if (byRule.includes('Raw 1')) raw++;
        expect(titles(engine.matchingRules(event).map((id) => engine.pack.rules.find((r) => r.rule.id === id)!))).toEqual(byRule);
      }
      expect(raw).toBeGreaterThan(0);
    });
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
    // deterministic pseudo-random needles over a small alphabet: many overlaps, ~30,000 states (DENSE_STATES is 4,096)
    let x = 7;
    const next = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x >>> 12);
    const word = (n: number) => Array.from({ length: n }, () => 'abcdé\\'[next() % 6]).join('');
    const needles = [...new Set(Array.from({ length: 4000 }, () => word(3 + (next() % 16))))];
    const text = word(20_000);
    const automaton = new AhoCorasick(needles);
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
  });
});
