import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { compileRule, parseSigmaDocuments, type SearchNode } from '../../src/detection/sigma/index.js';
import { sigmahqRepository } from '../support/sigmahq.js';
import { startRulesService, watchLiveness, type RulesService } from './rules-service.js';

/**
 * Hardening item 3: an uploaded rule `message|re: '^(a+)+$'` and one 33-byte unauthenticated UDP
 * syslog line blocked the service for 26 s (a backtracking engine tries every way to split the
 * a's), while GET /api/rules reported meanMicros: 0 for the rule.
 */
const EVIL = "'^(a+)+$'";
const ruleWith = (detection: string[]) => ['title: t', 'logsource: { product: linux }', 'detection:', ...detection.map((l) => `  ${l}`)].join('\n') + '\n';

function compiled(detection: string[]) {
  const { rules, errors } = parseSigmaDocuments(ruleWith(detection), 'r.yml');
  expect(errors.map(String)).toEqual([]);
  return compileRule(rules[0]);
}

describe('regular expressions in rules run in linear time', () => {
  it('answers a nested-quantifier pattern on a non-matching line at once', () => {
    const rule = compiled([`sel: { message|re: ${EVIL} }`, 'condition: sel']);
    const started = performance.now();
    // A backtracking engine needs 2^27 steps here (seconds); 64 KiB, the longest line kept, too.
    expect(rule.matches({ message: 'a'.repeat(27) + '!' })).toBe(false);
    expect(rule.matches({ message: 'a'.repeat(65_536) + '!' })).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
    expect(rule.matches({ message: 'aaaa' })).toBe(true);
  });

  it('matches wildcard patterns without backtracking (each star-separated piece at its leftmost place)', () => {
    const rule = compiled(["sel: { message: '*a*a*b', process.name|cased: 'sv?host*-k*netsvcs' }", 'condition: sel']);
    const started = performance.now();
    // An anchored backtracking RegExp for `*a*a*b` needed 1.6 s for 2000 a's and 14 s for 4000.
    for (const n of [3000, 65_536]) expect(rule.matches({ message: 'a'.repeat(n), process: { name: 'svchost.exe -k netsvcs' } })).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
    expect(rule.matches({ message: 'xAyaZB', process: { name: 'svchost.exe -k netsvcs' } })).toBe(true);
    expect(rule.matches({ message: 'xAyaZB', process: { name: 'SVCHOST.exe -k netsvcs' } })).toBe(false);
    expect(rule.matches({ message: 'ab', process: { name: 'svchost.exe -k netsvcs' } })).toBe(false);
  });

  it.each([
    ['a backreference', "'(a+)\\1'", 4, /backreferences need a backtracking engine/],
    ['a lookahead', "'foo(?=bar)'", 3, /lookahead and lookbehind need a backtracking engine/],
    ['a negative lookbehind', "'(?<!x)foo'", 0, /lookahead and lookbehind need a backtracking engine/],
    ['an atomic group', "'(?>ab)c'", 0, /atomic groups need a backtracking engine/],
    ['a possessive quantifier', "'a*+b'", 1, /possessive quantifiers need a backtracking engine/],
  ])('refuses %s when the rule is validated, at the construct', (_what, pattern, offset, message) => {
    const { rules, errors } = parseSigmaDocuments(ruleWith([`sel: { message|re: ${pattern} }`, 'condition: sel']), 'r.yml');
    expect(rules).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(message);
    // line 4 is `  sel: { message|re: '…' }`; the pattern's first character is at column 23
    expect([errors[0].line, errors[0].column]).toEqual([4, 23 + offset]);
  });

  it('refuses a pattern larger than 2000 RE2 instructions (matching costs up to line length × size)', () => {
    const { errors } = parseSigmaDocuments(ruleWith(["sel: { message|re: '.{1000}x.{1000}' }", 'condition: sel']), 'r.yml');
    expect(errors.map(String)).toEqual([expect.stringMatching(/^r\.yml:4:22: regular expression too large: \d+ RE2 instructions, at most 2000/)]);
    expect(parseSigmaDocuments(ruleWith(["sel: { message|re: '.{1000,}' }", 'condition: sel']), 'r.yml').errors).toEqual([]);
  });

  it('keeps the i, m and s sub-modifiers and PCRE-style inline flags', () => {
    expect(compiled(['sel: { message|re|i: "^select" }', 'condition: sel']).matches({ message: 'SELECT 1' })).toBe(true);
    expect(compiled(['sel: { message|re: "(?i)^select" }', 'condition: sel']).matches({ message: 'SeLeCt 1' })).toBe(true);
    expect(compiled(['sel: { message|re: "^select" }', 'condition: sel']).matches({ message: 'SELECT 1' })).toBe(false);
    expect(compiled(['sel: { message|re|m: "^b$" }', 'condition: sel']).matches({ message: 'a\nb\nc' })).toBe(true);
    expect(compiled(['sel: { message|re: "^b$" }', 'condition: sel']).matches({ message: 'a\nb\nc' })).toBe(false);
    expect(compiled(['sel: { message|re|s: "a.c" }', 'condition: sel']).matches({ message: 'a\nc' })).toBe(true);
    expect(compiled(['sel: { message|re: "a.c" }', 'condition: sel']).matches({ message: 'a\nc' })).toBe(false);
    expect(compiled(['sel: { message|re|startswith: "b+" }', 'condition: sel']).matches({ message: 'abb' })).toBe(false);
  });

  it("compiles every regular expression of the SigmaHQ rules (shared/data/sigmahq)", () => {
    const base = sigmahqRepository();
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e.name)) files.push(p);
      }
    };
    for (const d of readdirSync(base)) if (d.startsWith('rules')) walk(path.join(base, d));
    let patterns = 0;
    const regexErrors: string[] = [];
    const count = (node: SearchNode): void => {
      if (node.kind === 'item') patterns += node.item.modifiers[0]?.name === 're' ? node.item.values.length : 0;
      else node.children.forEach(count);
    };
    for (const file of files) {
      const { rules, errors } = parseSigmaDocuments(readFileSync(file, 'utf8'), file);
      regexErrors.push(...errors.filter((e) => /regular expression/.test(e.message)).map(String));
      for (const rule of rules) for (const { node } of rule.detection.searches.values()) count(node);
    }
    expect(regexErrors).toEqual([]);
    // 216 `re` values at commit 8eaafff (2026-08-05), 20 of them with (?i)-style inline flags.
    expect(patterns).toBeGreaterThanOrEqual(216);
  });

  describe('in the running service', () => {
    let service: RulesService;
    beforeAll(async () => {
      service = await startRulesService();
    }, 120_000);
    afterAll(() => service?.stop());

    const ID = '5d1e1b7a-0000-4000-8000-00000000a1a1';
    const evilRule = ['title: 嵌套量词正则', `id: ${ID}`, 'level: low', 'logsource: { product: linux }', 'detection:', `  sel: { message|re: ${EVIL} }`, '  condition: sel'].join('\n') + '\n';

    it('stays live while a catastrophic pattern meets its line over UDP syslog, and times the rule truthfully', async () => {
      expect((await service.api('POST', '/api/rules', evilRule)).status).toBe(201);
      const liveness = watchLiveness(service.baseUrl);
      const socket = createSocket('udp4');
      const line = Buffer.from('a'.repeat(32) + '!');
      expect(line.length).toBe(33);
      await new Promise<void>((resolve, reject) => socket.send(line, service.syslogPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      socket.close();
      let rule: { evaluations: number; matches: number; meanMicros: number; maxMicros: number } | undefined;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        rule = (await service.api('GET', '/api/rules')).body.rules.find((r: { id: string }) => r.id === ID);
        if (rule && rule.evaluations > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const { slowestMs, probes } = await liveness.stop();
      expect(rule).toMatchObject({ evaluations: 1, matches: 0 });
      expect(rule!.meanMicros).toBeGreaterThan(0);
      expect(rule!.maxMicros).toBe(rule!.meanMicros);
      expect(probes).toBeGreaterThan(0);
      expect(slowestMs).toBeLessThan(1000);
      // A reload (the file watcher makes one after every upload) keeps what was measured.
      expect((await service.api('POST', '/api/rules/reload')).status).toBe(200);
      expect((await service.api('GET', '/api/rules')).body.rules.find((r: { id: string }) => r.id === ID)).toMatchObject({ evaluations: 1, meanMicros: rule!.meanMicros });
    }, 60_000);

    it('deletes an uploaded rule from disk and from the engine, audited; shipped and unknown rules are not deleted', async () => {
      const file = path.join(service.rulesDir, 'uploaded', `${ID}.yml`);
      await access(file);
      const shipped = (await service.api('GET', '/api/rules')).body.rules.find((r: { file: string }) => !r.file.includes('uploaded'));
      const refused = await service.api('DELETE', `/api/rules/${shipped.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'rule.not_uploaded', message: expect.stringMatching(/^只能删除通过接口上传的规则；/) });
      expect((await service.api('DELETE', '/api/rules/no-such-rule')).status).toBe(404);

      const deleted = await service.api('DELETE', `/api/rules/${ID}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ removed: [ID] });
      await expect(access(file)).rejects.toThrow();
      expect((await service.api('GET', '/api/rules')).body.rules.some((r: { id: string }) => r.id === ID)).toBe(false);
      const audit = (await service.api('GET', `/api/audit?targetType=rule&targetId=${ID}`)).body as { action: string; actor: string; before: { ids: string[] } }[];
      expect(audit.map((r) => r.action)).toEqual(['rule.delete', 'rule.upload']);
      expect(audit[0]).toMatchObject({ actor: 'admin', before: { ids: [ID] } });
      expect((await service.api('DELETE', `/api/rules/${ID}`)).status).toBe(404);
      // Deleted means gone: the same rule can be uploaded again.
      expect((await service.api('POST', '/api/rules', evilRule)).status).toBe(201);
    });
  });
});
