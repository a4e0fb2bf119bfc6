import { fieldAccess } from './event.js';
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
    // prototype keys are not fields, at any depth, with or without flattened keys beside them
    ['constructor', null, {}, true],
    ['toString', '*', {}, false],
    ['process.constructor', null, { process: {} }, true],
    ['process.toString', '*', { process: { name: 'x' } }, false],
    ['process.toString', '*', { process: { name: 'x' }, 'a.b': 1 }, false],
    // a path both nested and flattened in one event: both values count
    ['process.name', 'b', { process: { name: 'a' }, 'process.name': 'b' }, true],
    ['process.name', 'a', { process: { name: 'a' }, 'process.name': 'b' }, true],
    ['process.name', 'x', { process: [{ name: 'a' }, { 'x.y': 1, name: 'x' }] }, true],
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
  it('search every value below a keyword field that names an object, and every value where dotted keys hide the object', () => {
    const winlog = detection(`  keywords: ['sekurlsa::']\n  condition: keywords`, { keywordFields: ['winlog', 'message'] });
    expect(winlog.matches({ winlog: { event_data: { CommandLine: 'm.exe SEKURLSA::logonpasswords' } } })).toBe(true);
    expect(winlog.matches({ winlog: { keywords: ['x', 'sekurlsa::'] } })).toBe(true);
    expect(winlog.matches({ winlog: { event_id: '1' }, event: { original: '"sekurlsa::"' } })).toBe(false);
    expect(winlog.matches({ 'winlog.event_data': { CommandLine: 'sekurlsa::' } })).toBe(true);
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

/** A rule's hint clauses as `path:needle` (`*:` for a search of every value), for reading in a test. */
const clauses = (rule: ReturnType<typeof detection>) => rule.hintClauses?.map((clause) => clause.map((h) => `${h.access ? h.access.paths.join('|') : '*'}:${h.needle}`).sort());

describe('hint clauses', () => {
  it('are the literals a matching event must contain, each in the field it is sought in', () => {
    expect(clauses(sel('CommandLine|contains', ['Mimikatz', 'sekurlsa::']))).toEqual([['CommandLine:mimikatz', 'CommandLine:sekurlsa::']]);
    // wildcard pattern: its longest literal run
    expect(clauses(sel('P', 'C:\\\\*\\system32\\\\*.dll'))).toEqual([['P:\\system32\\']]);
    // regular expression: its longest run of text outside groups, classes and optional characters
    expect(clauses(sel('CommandLine|re', '\\.exe\\s+[^"]{0,64}WerFault\\.exe"?\\s+\\d'))).toEqual([['CommandLine:werfault.exe']]);
    expect(clauses(sel('CommandLine|re', '(?:invoke).*&&.*cmd\\.exe?'))).toEqual([['CommandLine:cmd.ex']]);
    // RE2 folds s with ſ, which lower-casing keeps: under (?i) an s ends a run
    expect(clauses(sel('CommandLine|re', '(?i)sekurlsa::logonpasswords'))).toEqual([['CommandLine:a::logonpa']]);
    // a keyword search without keyword fields: anywhere
    expect(clauses(detection(`  keywords: [Kiwi]\n  condition: keywords`))).toEqual([['*:kiwi']]);
    expect(clauses(detection(`  keywords: [Kiwi]\n  condition: keywords`, { keywordFields: ['message'] }))).toEqual([['message:kiwi']]);
    // mapped fields: the hint goes with every path the field maps to
    expect(clauses(sel('CommandLine|contains', 'x', { fieldMapper: () => ['process.command_line', 'CommandLine'] }))).toEqual([['process.command_line|CommandLine:x']]);
  });
  it('of an AND keep both sides, the most selective first, at most two, a second only of long needles', () => {
    const r = detection(`  sel:\n    Image|endswith: '\\rundll32.exe'\n    CommandLine|contains: 'davsetcookie'\n  condition: sel`);
    expect(clauses(r)).toEqual([['Image:\\rundll32.exe'], ['CommandLine:davsetcookie']]);
    // ',#1' is in too many command lines to be worth scanning for
    const short = detection(`  sel:\n    Image|endswith: '\\rundll32.exe'\n    CommandLine|contains: ',#1'\n  condition: sel`);
    expect(clauses(short)).toEqual([['Image:\\rundll32.exe']]);
    const three = detection(`  a: { Image|endswith: '\\cmd.exe' }\n  b: { CommandLine|contains: assoc }\n  c: { ParentImage|endswith: '\\explorer.exe' }\n  condition: all of them`);
    expect(clauses(three)).toEqual([['ParentImage:\\explorer.exe'], ['Image:\\cmd.exe']]);
    // |all: every value is a clause of its own
    expect(clauses(sel('CommandLine|contains|all', ['-enc', 'powershell']))).toEqual([['CommandLine:powershell'], ['CommandLine:-enc']]);
  });
  it('of an OR hold whichever side does: any hint of the first clause of each side, and any of the second (or only) one', () => {
    expect(clauses(detection(`  a: { Image|endswith: '\\cmd.exe' }\n  b: { OriginalFileName: Cmd.Exe }\n  condition: a or b`))).toEqual([['Image:\\cmd.exe', 'OriginalFileName:cmd.exe']]);
    const traversal = detection(`  a:\n    Image|contains: '\\Windows\\'\n    CommandLine|contains: '\\..\\..\\'\n  b: { CommandLine|contains: '.exe\\..\\' }\n  condition: a or b`);
    expect(clauses(traversal)).toEqual([
      ['CommandLine:.exe\\..\\', 'Image:\\windows\\'],
      ['CommandLine:.exe\\..\\', 'CommandLine:\\..\\..\\'],
    ]);
  });
  it('are undefined when no literal is required', () => {
    expect(sel('EventID', 4624).hintClauses).toBeUndefined();
    expect(sel('User|re', 'ad|min').hintClauses).toBeUndefined();
    expect(detection(`  a: { X: 'foo' }\n  b: { Y: 1 }\n  condition: a or b`).hintClauses).toBeUndefined();
    expect(detection(`  a: { X: 'foo' }\n  condition: not a`).hintClauses).toBeUndefined();
  });
  it('never exclude an event the rule matches (randomised check)', () => {
    const rule = detection(
      `  a: { 'CommandLine|contains': [ab, cd] }\n  b: { 'Image|endswith': ['\\x.exe', '\\y.exe'] }\n  c: { 'User|startswith': ADM }\n  d: { 'CommandLine|contains|all': [a, d] }\n  condition: (a and b and d) or c`,
    );
    expect(rule.hintClauses).toBeDefined();
    const alphabet = ['a', 'b', 'c', 'd', 'A', 'D', 'M', '\\', 'x', 'y', '.', 'e'];
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const str = () => Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    let matched = 0;
    let excluded = 0;
    for (let i = 0; i < 5000; i++) {
      const event = { CommandLine: str(), Image: str() + (rand() < 0.3 ? '\\x.exe' : ''), User: str() };
      const ctx = new EvalContext(event);
      if (rule.matches(event, ctx)) {
        matched++;
        expect(eventMayMatch(rule.hintClauses, ctx)).toBe(true);
      } else if (!eventMayMatch(rule.hintClauses, ctx)) excluded++;
    }
    expect(matched).toBeGreaterThan(20);
    // and they do exclude: most events that do not match
    expect(excluded).toBeGreaterThan(2500);
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
  it('answers for the new event once reset', () => {
    const a = sel('CommandLine|contains', 'who');
    const flat = sel('process.name', 'x');
    const ctx = new EvalContext({ CommandLine: 'WhoAmI' });
    expect(a.matches(ctx.event, ctx)).toBe(true);
    ctx.reset({ CommandLine: 'hostname', 'process.name': 'x' });
    expect([a.matches(ctx.event, ctx), flat.matches(ctx.event, ctx)]).toEqual([false, true]);
    ctx.reset({ process: { name: 'y' } });
    expect(flat.matches(ctx.event, ctx)).toBe(false);
  });

  it('visits the values of a deep field that field() collects, however the event is shaped', () => {
    const deep = fieldAccess(['wl', 'msg'], true);
    const inherited = Object.create({ polluted: 'from the prototype' }) as Record<string, unknown>;
    inherited.own = 'own value';
    let nested: unknown = 'bottom';
    for (let i = 0; i < 40; i++) nested = { down: nested, at: i };
    const events: unknown[] = [
      { wl: { a: 'x', b: 7, c: [true, null, { d: 'y', e: [1, [2, 'z']] }], f: undefined }, msg: 'm' },
      { wl: [{ a: 'one' }, 'two', [3]], msg: ['m1', { inner: 'm2' }] },
      { wl: inherited },
      { wl: nested },
      { wl: 'plain', other: { 'dotted.key': 'anywhere' } },
      { 'wl.a': 'flattened', wl: { b: 'nested' } },
      { msg: null },
      {},
    ];
    const visited = new EvalContext(undefined);
    for (const event of events) {
      const collected = new EvalContext(event).field(deep).values;
      visited.reset(event);
      const seen: unknown[] = [];
      visited.eachValue(deep, (v) => seen.push(v));
      expect(seen).toEqual(collected);
      // and once field() has collected them, the same from its cache
      visited.field(deep);
      const again: unknown[] = [];
      visited.eachValue(deep, (v) => again.push(v));
      expect(again).toEqual(collected);
    }
    expect(new EvalContext(events[2]).field(deep).values).toEqual(['own value']);
    expect(new EvalContext(events[3]).field(deep).values).not.toContain('bottom');
  });

  it('reads fields below shared parents at every depth, through arrays and past values that are not objects', () => {
    // paths first met deepest first, so a parent and its own parent are made in one go
    const rules = {
      deep: sel('tp.q.r.s', 'deep'),
      mid: sel('tp.q.x', 'mid'),
      top: sel('tp.y', 'top'),
      absent: sel('tp.q.r.s', null),
    };
    const cases: [unknown, Record<keyof typeof rules, boolean>][] = [
      [{ tp: { q: { r: { s: 'deep' }, x: 'mid' }, y: 'top' } }, { deep: true, mid: true, top: true, absent: false }],
      [{ tp: [{ q: { r: { s: 'no' } } }, { q: { r: { s: 'deep' }, x: ['mid'] } }], y: 'top' }, { deep: true, mid: true, top: false, absent: false }],
      [{ tp: { q: [{ r: [{ s: 'deep' }] }, 'text'], y: ['other', 'top'] } }, { deep: true, mid: false, top: true, absent: false }],
      [{ tp: { q: 'text', y: 7 } }, { deep: false, mid: false, top: false, absent: true }],
      [{ tp: null }, { deep: false, mid: false, top: false, absent: true }],
    ];
    const shared = new EvalContext(undefined);
    for (const [event, expected] of cases) {
      shared.reset(event);
      const names = Object.keys(rules) as (keyof typeof rules)[];
      expect(Object.fromEntries(names.map((n) => [n, rules[n].matches(event, shared)]))).toEqual(expected);
      expect(Object.fromEntries(names.map((n) => [n, rules[n].matches(event)]))).toEqual(expected);
    }
  });
});
