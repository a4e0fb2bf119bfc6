import { compileRule, EvalContext, eventMayMatch, parseSigmaDocuments, type CompileOptions } from './index.js';

function detection(body: string, options?: CompileOptions) {
  const text = `title: t\nlogsource: { product: test }\ndetection:\n${body}\n`;
  const r = parseSigmaDocuments(text, 'values.yml');
  if (r.errors.length) throw r.errors[0];
  return compileRule(r.rules[0], options);
}
const sel = (key: string, value: unknown, options?: CompileOptions) =>
  detection(`  sel: { ${JSON.stringify(key)}: ${JSON.stringify(value)} }\n  condition: sel`, options);

describe('plain values', () => {
  it.each<[string, unknown, Record<string, unknown>, boolean]>([
    // case-insensitive equality by default
    ['User', 'Administrator', { User: 'administrator' }, true],
    ['User', 'Administrator', { User: 'administrator2' }, false],
    // null: field absent or null
    ['User', null, {}, true],
    ['User', null, { User: null }, true],
    ['User', null, { User: '' }, false],
    ['User', null, { User: 'x' }, false],
    // empty string is a value, not absence
    ['User', '', { User: '' }, true],
    ['User', '', {}, false],
    ['User', '', { User: 'x' }, false],
    // numbers match numbers and numeric strings
    ['EventID', 4624, { EventID: 4624 }, true],
    ['EventID', 4624, { EventID: '4624' }, true],
    ['EventID', 4624, { EventID: 4625 }, false],
    ['EventID', 4624, { EventID: '' }, false],
    ['EventID', [4624, 4625], { EventID: 4625 }, true],
    ['EventID', '4624', { EventID: 4624 }, true],
    // booleans
    ['Elevated', true, { Elevated: true }, true],
    ['Elevated', true, { Elevated: 'TRUE' }, true],
    ['Elevated', true, { Elevated: false }, false],
    ['Elevated', false, { Elevated: 'false' }, true],
    // nested and flattened dotted paths
    ['process.command_line', 'x', { process: { command_line: 'X' } }, true],
    ['process.command_line', 'x', { 'process.command_line': 'x' }, true],
    ['process.parent.name', 'x', { process: { 'parent.name': 'x' } }, true],
    ['process.command_line', 'x', { process: 'x' }, false],
    // arrays: any element
    ['tags', 'b', { tags: ['a', 'b'] }, true],
    ['tags', 'c', { tags: ['a', 'b'] }, false],
    ['users.name', 'bob', { users: [{ name: 'alice' }, { name: 'bob' }] }, true],
    ['users.name', 'eve', { users: [{ name: 'alice' }, { name: 'bob' }] }, false],
    // prototype keys are not fields
    ['constructor', null, {}, true],
    ['toString', '*', {}, false],
  ])('%s: %j on %j → %s', (key, value, event, expected) => {
    expect(sel(key, value).matches(event)).toBe(expected);
  });

  it('a map is AND, a list of maps is OR, a value list is OR', () => {
    const r = detection(`  sel:\n    - { A: 1, B: 2 }\n    - { C: [3, 4] }\n  condition: sel`);
    expect(r.matches({ A: 1, B: 2 })).toBe(true);
    expect(r.matches({ A: 1, B: 3 })).toBe(false);
    expect(r.matches({ C: 4 })).toBe(true);
    expect(r.matches({ C: 5 })).toBe(false);
  });
});

describe('wildcards and escapes', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['*\\cmd.exe', { P: 'C:\\Windows\\cmd.exe' }, true],
    // a backslash before a wildcard must itself be escaped: `C:\\*\cmd.exe`
    ['C:\\\\*\\cmd.exe', { P: 'c:\\windows\\system32\\cmd.exe' }, true],
    ['C:\\\\*\\cmd.exe', { P: 'd:\\windows\\cmd.exe' }, false],
    // ... because `\*` alone is a literal star
    ['C:\\*\\cmd.exe', { P: 'c:\\windows\\cmd.exe' }, false],
    ['C:\\*\\cmd.exe', { P: 'C:*\\cmd.exe' }, true],
    ['file?.txt', { P: 'file1.txt' }, true],
    ['file?.txt', { P: 'file12.txt' }, false],
    ['file?.txt', { P: 'file.txt' }, false],
    ['*', { P: '' }, true],
    ['*', { P: 'anything' }, true],
    ['*', {}, false],
    ['a*b', { P: 'a\nb' }, true], // * spans line breaks
    // escapes: \* and \? are literal, \\ is one backslash
    ['what\\?', { P: 'what?' }, true],
    ['what\\?', { P: 'whatX' }, false],
    ['5 \\* 3', { P: '5 * 3' }, true],
    ['5 \\* 3', { P: '5 x 3' }, false],
    ['\\\\server\\share', { P: '\\server\\share' }, true],
    ['a\\\\*', { P: 'a\\xyz' }, true], // escaped backslash, then a real wildcard
    ['a\\\\*', { P: 'axyz' }, false],
    // a backslash before an ordinary character stays
    ['C:\\Windows', { P: 'c:\\windows' }, true],
    // regex metacharacters are literal
    ['a.b', { P: 'axb' }, false],
    ['(x)[y]', { P: '(X)[Y]' }, true],
  ])('%j on %j → %s', (pattern, event, expected) => {
    expect(sel('P', pattern).matches(event)).toBe(expected);
  });
});

describe('keywords (full-text)', () => {
  const kw = detection(`  keywords:\n    - 'Failed password'\n    - 'authentication failure'\n  condition: keywords`);
  it('search every string value of the event, case-insensitively, as substrings', () => {
    expect(kw.matches({ message: 'sshd[1]: FAILED PASSWORD for root' })).toBe(true);
    expect(kw.matches({ nested: { deep: ['x', 'pam: authentication failure; uid=0'] } })).toBe(true);
    expect(kw.matches({ message: 'Accepted password for root' })).toBe(false);
  });
  it('can be limited to given fields', () => {
    const limited = detection(`  keywords: ['Failed password']\n  condition: keywords`, { keywordFields: ['message'] });
    expect(limited.matches({ message: 'Failed password for x' })).toBe(true);
    expect(limited.matches({ other: 'Failed password for x' })).toBe(false);
  });
  it('take modifiers through an empty field name', () => {
    const all = detection(`  keywords:\n    '|all': [wget, '| sh']\n  condition: keywords`);
    expect(all.matches({ message: 'wget http://x | sh' })).toBe(true);
    expect(all.matches({ message: 'wget http://x' })).toBe(false);
    const re = detection(`  keywords:\n    '|re': 'uid=0\\b'\n  condition: keywords`);
    expect(re.matches({ msg: 'uid=0 euid=0' })).toBe(true);
    expect(re.matches({ msg: 'uid=01' })).toBe(false);
  });
  it('a single string is a keyword too, with wildcards inside', () => {
    const one = detection(`  keywords: 'wget * | sh'\n  condition: keywords`);
    expect(one.matches({ m: 'x; wget http://a | sh; y' })).toBe(true);
    expect(one.matches({ m: 'x; wget http://a | bash' })).toBe(false);
  });
  it('match numbers in their string form', () => {
    expect(detection(`  k: ['4625']\n  condition: k`).matches({ EventID: 4625 })).toBe(true);
  });
});

describe('field mapping', () => {
  const mapper = (name: string) => (name === 'CommandLine' ? ['process.command_line', 'CommandLine'] : [name]);
  it('a field matches when any candidate path matches', () => {
    const r = sel('CommandLine|contains', 'whoami', { fieldMapper: mapper });
    expect(r.matches({ process: { command_line: 'whoami' } })).toBe(true);
    expect(r.matches({ CommandLine: 'whoami' })).toBe(true);
    expect(r.matches({ cmd: 'whoami' })).toBe(false);
  });
  it('null means absent from every candidate path', () => {
    const r = sel('CommandLine', null, { fieldMapper: mapper });
    expect(r.matches({})).toBe(true);
    expect(r.matches({ process: { command_line: 'x' } })).toBe(false);
  });
  it('fieldref goes through the mapper as well', () => {
    const r = sel('User|fieldref', 'CommandLine', { fieldMapper: mapper });
    expect(r.matches({ User: 'a', process: { command_line: 'A' } })).toBe(true);
  });
});

describe('literalHints', () => {
  it('is the any-of set of literals a matching event must contain', () => {
    expect(sel('CommandLine|contains', ['Mimikatz', 'sekurlsa::']).literalHints?.sort()).toEqual(['mimikatz', 'sekurlsa::']);
    // AND: the most selective side suffices
    const r = detection(`  sel:\n    Image|endswith: '\\rundll32.exe'\n    CommandLine|contains: ',#1'\n  condition: sel`);
    expect(r.literalHints).toEqual(['\\rundll32.exe']);
    // wildcard pattern: its longest literal run
    expect(sel('P', 'C:\\\\*\\system32\\\\*.dll').literalHints).toEqual(['\\system32\\']);
    // regular expression: its longest run of text outside groups, classes and optional characters
    expect(sel('CommandLine|re', '\\.exe\\s+[^"]{0,64}WerFault\\.exe"?\\s+\\d').literalHints).toEqual(['werfault.exe']);
    expect(sel('CommandLine|re', '(?:invoke).*&&.*cmd\\.exe?').literalHints).toEqual(['cmd.ex']);
    // RE2 folds s with ſ, which lower-casing keeps: under (?i) an s ends a run
    expect(sel('CommandLine|re', '(?i)sekurlsa::logonpasswords').literalHints).toEqual(['a::logonpa']);
  });
  it('is undefined when no literal is required', () => {
    expect(sel('EventID', 4624).literalHints).toBeUndefined();
    expect(sel('User|re', 'ad|min').literalHints).toBeUndefined();
    expect(detection(`  a: { X: 'foo' }\n  b: { Y: 1 }\n  condition: a or b`).literalHints).toBeUndefined();
    expect(detection(`  a: { X: 'foo' }\n  condition: not a`).literalHints).toBeUndefined();
  });
  it('never excludes an event the rule matches (randomised check)', () => {
    const rule = detection(
      `  a: { 'CommandLine|contains': [ab, cd] }\n  b: { 'Image|endswith': ['\\x.exe', '\\y.exe'] }\n  c: { 'User|startswith': ADM }\n  condition: (a and b) or c`,
    );
    expect(rule.literalHints).toBeDefined();
    const alphabet = ['a', 'b', 'c', 'd', 'A', 'D', 'M', '\\', 'x', 'y', '.', 'e'];
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const str = () => Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    let matched = 0;
    for (let i = 0; i < 5000; i++) {
      const event = { CommandLine: str(), Image: str() + (rand() < 0.3 ? '\\x.exe' : ''), User: str() };
      const ctx = new EvalContext(event);
      if (rule.matches(event, ctx)) {
        matched++;
        expect(eventMayMatch(rule.literalHints, ctx)).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(20);
  });
});

describe('evaluation context', () => {
  it('is shared across rules and gives the same answers', () => {
    const a = sel('CommandLine|contains', 'who');
    const b = sel('CommandLine|endswith', 'AMI');
    const event = { CommandLine: 'WhoAmI' };
    const ctx = new EvalContext(event);
    expect([a.matches(event, ctx), b.matches(event, ctx)]).toEqual([true, true]);
    expect([a.matches(event), b.matches(event)]).toEqual([true, true]);
  });
});
