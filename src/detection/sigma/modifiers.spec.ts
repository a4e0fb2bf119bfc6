import { compileRule, parseSigmaDocuments, SigmaError, type CompileOptions } from './index.js';

/** Compiles a one-selection rule `sel: { key: value }` (value given as JSON, which is YAML flow). */
function one(key: string, value: unknown, options?: CompileOptions) {
  const text = `title: t\nlogsource: { product: test }\ndetection:\n  sel: { ${JSON.stringify(key)}: ${JSON.stringify(value)} }\n  condition: sel\n`;
  const r = parseSigmaDocuments(text, 'mod.yml');
  if (r.errors.length) throw r.errors[0];
  return compileRule(r.rules[0], options);
}

/** Error raised (at parse or compile time) for `sel: { key: value }`. */
function errorOf(key: string, value: unknown, options?: CompileOptions): SigmaError {
  try {
    one(key, value, options);
  } catch (e) {
    if (e instanceof SigmaError) return e;
    throw e;
  }
  throw new Error(`expected an error for ${key}: ${JSON.stringify(value)}`);
}

type Row = [key: string, value: unknown, event: Record<string, unknown>, expected: boolean];

const b64 = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc).toString('base64');
const b64bytes = (b: Buffer) => b.toString('base64');
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

const tables: Record<string, Row[]> = {
  contains: [
    ['CommandLine|contains', 'whoami', { CommandLine: 'cmd /c WhoAmI /all' }, true],
    ['CommandLine|contains', 'whoami', { CommandLine: 'cmd /c who ami' }, false],
    ['CommandLine|contains', ['mimikatz', 'sekurlsa'], { CommandLine: 'x SEKURLSA::logonpasswords' }, true],
    ['CommandLine|contains', ['mimikatz', 'sekurlsa'], { CommandLine: 'notepad' }, false],
    ['CommandLine|contains', 'a*c', { CommandLine: 'xxabbbcxx' }, true],
    ['CommandLine|contains', 'a*c', { CommandLine: 'xxcbbbaxx' }, false],
  ],
  startswith: [
    ['Image|startswith', 'C:\\Windows\\', { Image: 'c:\\windows\\system32\\cmd.exe' }, true],
    ['Image|startswith', 'C:\\Windows\\', { Image: 'D:\\C:\\Windows\\cmd.exe' }, false],
    ['Image|startswith', ['/usr/bin/', '/bin/'], { Image: '/bin/sh' }, true],
  ],
  endswith: [
    ['Image|endswith', '\\cmd.exe', { Image: 'C:\\Windows\\System32\\CMD.EXE' }, true],
    ['Image|endswith', '\\cmd.exe', { Image: 'C:\\Windows\\System32\\cmd.exe.bak' }, false],
    ['Image|endswith', ['\\a.exe', '\\b.exe'], { Image: 'x\\b.exe' }, true],
  ],
  all: [
    ['CommandLine|contains|all', ['net', 'user', '/add'], { CommandLine: 'net user bob /add' }, true],
    ['CommandLine|contains|all', ['net', 'user', '/add'], { CommandLine: 'net user bob' }, false],
    ['CommandLine|all|contains', ['net', '/add'], { CommandLine: 'NET localgroup /ADD' }, true],
  ],
  exists: [
    ['User|exists', true, { User: 'bob' }, true],
    ['User|exists', true, { User: null }, true],
    ['User|exists', true, { User: [] }, true],
    ['User|exists', true, { Other: 1 }, false],
    ['User|exists', false, { Other: 1 }, true],
    ['User|exists', false, { User: '' }, false],
    ['user.name|exists', true, { user: { name: 'x' } }, true],
  ],
  cased: [
    ['User|cased', 'Admin', { User: 'Admin' }, true],
    ['User|cased', 'Admin', { User: 'admin' }, false],
    ['CommandLine|contains|cased', 'EncodedCommand', { CommandLine: '-EncodedCommand x' }, true],
    ['CommandLine|contains|cased', 'EncodedCommand', { CommandLine: '-encodedcommand x' }, false],
    ['CommandLine|cased|startswith', 'ABC', { CommandLine: 'ABCdef' }, true],
    ['CommandLine|cased|startswith', 'ABC', { CommandLine: 'abcdef' }, false],
  ],
  neq: [
    ['User|neq', 'root', { User: 'bob' }, true],
    ['User|neq', 'root', { User: 'ROOT' }, false],
    ['User|neq', ['root', 'admin'], { User: 'admin' }, false],
    ['User|neq', ['root', 'admin'], { User: 'bob' }, true],
    ['EventID|neq', 4624, { EventID: 4625 }, true],
    ['EventID|neq', 4624, { EventID: 4624 }, false],
    ['CommandLine|contains|neq', 'safe', { CommandLine: 'is safe' }, false],
    ['CommandLine|contains|neq', 'safe', { CommandLine: 'evil' }, true],
  ],
  windash: [
    ['CommandLine|windash|contains', ' -enc ', { CommandLine: 'powershell -enc AAA' }, true],
    ['CommandLine|windash|contains', ' -enc ', { CommandLine: 'powershell /enc AAA' }, true],
    ['CommandLine|windash|contains', ' -enc ', { CommandLine: 'powershell \u2013enc AAA' }, true],
    ['CommandLine|windash|contains', ' -enc ', { CommandLine: 'powershell \u2014enc AAA' }, true],
    ['CommandLine|windash|contains', ' -enc ', { CommandLine: 'powershell \u2015enc AAA' }, true],
    ['CommandLine|windash|contains', ' -enc ', { CommandLine: 'powershell +enc AAA' }, false],
    // a dash inside a word is not an option switch and is not varied
    ['CommandLine|windash|contains', 'a-b', { CommandLine: 'a/b' }, false],
    ['CommandLine|windash|contains', 'a-b', { CommandLine: 'a-b' }, true],
    // more than three switches: character-class form
    ['CommandLine|windash|contains', ' -a -b -c -d', { CommandLine: 'x /a \u2013b -c /d' }, true],
    ['CommandLine|windash|contains', ' -a -b -c -d', { CommandLine: 'x /a \u2013b -c +d' }, false],
  ],
  re: [
    ['CommandLine|re', 'who.mi', { CommandLine: 'cmd whoami /all' }, true],
    ['CommandLine|re', '^who.mi$', { CommandLine: 'cmd whoami' }, false],
    ['CommandLine|re', 'WhoAmI', { CommandLine: 'whoami' }, false],
    ['CommandLine|re', '\\s-e(nc)?\\s', { CommandLine: 'powershell -enc x' }, true],
    ['CommandLine|re', '(?i)whoami', { CommandLine: 'WHOAMI' }, true],
  ],
  're|i': [
    ['CommandLine|re|i', 'WhoAmI', { CommandLine: 'whoami' }, true],
    ['CommandLine|re|i', 'WhoAmI', { CommandLine: 'who am i' }, false],
    ['CommandLine|re|ignorecase', 'ABC', { CommandLine: 'abc' }, true],
  ],
  're|m': [
    ['Message|re|m', '^second$', { Message: 'first\nsecond\nthird' }, true],
    ['Message|re', '^second$', { Message: 'first\nsecond\nthird' }, false],
    ['Message|re|multiline', '^third', { Message: 'first\nthird' }, true],
  ],
  're|s': [
    ['Message|re|s', 'first.second', { Message: 'first\nsecond' }, true],
    ['Message|re', 'first.second', { Message: 'first\nsecond' }, false],
    ['Message|re|dotall', 'a.b', { Message: 'a\nb' }, true],
  ],
  're with position': [
    ['CommandLine|re|startswith', 'a|b', { CommandLine: 'xb' }, false],
    ['CommandLine|re|startswith', 'a|b', { CommandLine: 'bx' }, true],
    ['CommandLine|re|endswith', 'a|b', { CommandLine: 'bx' }, false],
    ['CommandLine|re|endswith', 'a|b', { CommandLine: 'xa' }, true],
  ],
  base64: [
    ['Payload|base64', 'whoami', { Payload: b64('whoami') }, true],
    ['Payload|base64', 'whoami', { Payload: b64('whoamI') }, false],
    // plain base64 is only found at a 3-byte boundary: that is what base64offset is for
    ['Payload|base64|contains', 'abc', { Payload: 'x' + b64('abcdef') }, true],
    ['Payload|base64|contains', 'abc', { Payload: 'x' + b64('abddef') }, false],
  ],
  base64offset: [
    // the value at each of the three byte offsets inside a longer encoded text
    ['Payload|base64offset|contains', 'http://', { Payload: b64('http://evil.example/x') }, true],
    ['Payload|base64offset|contains', 'http://', { Payload: b64('Ahttp://evil.example/x') }, true],
    ['Payload|base64offset|contains', 'http://', { Payload: b64('ABhttp://evil.example/x') }, true],
    ['Payload|base64offset|contains', 'http://', { Payload: b64('ABCDhttp://evil.example') }, true],
    ['Payload|base64offset|contains', 'http://', { Payload: b64('ABChttps//evil.example') }, false],
  ],
  utf16le: [
    ['Payload|utf16le|base64offset|contains', 'Invoke-', { Payload: b64('xIEX Invoke-Mimikatz', 'utf16le') }, true],
    ['Payload|utf16le|base64offset|contains', 'Invoke-', { Payload: b64('IEX Invoke-Mimikatz', 'utf8') }, false],
    ['Payload|utf16le|base64', 'cmd', { Payload: b64('cmd', 'utf16le') }, true],
    // without base64 the value is matched as a string of byte characters
    ['Payload|utf16le|contains', 'cmd', { Payload: 'x' + Buffer.from('cmd', 'utf16le').toString('latin1') }, true],
  ],
  wide: [
    ['Payload|wide|base64offset|contains', 'ping', { Payload: b64('abc ping -n', 'utf16le') }, true],
    ['Payload|wide|base64offset|contains', 'ping', { Payload: b64('abc pong -n', 'utf16le') }, false],
  ],
  utf16be: [
    ['Payload|utf16be|base64', 'cmd', { Payload: b64bytes(utf16be('cmd')) }, true],
    ['Payload|utf16be|base64', 'cmd', { Payload: b64('cmd', 'utf16le') }, false],
  ],
  utf16: [
    ['Payload|utf16|base64', 'cmd', { Payload: b64bytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('cmd', 'utf16le')])) }, true],
    ['Payload|utf16|base64', 'cmd', { Payload: b64('cmd', 'utf16le') }, false],
  ],
  lt: [
    ['Size|lt', 100, { Size: 99 }, true],
    ['Size|lt', 100, { Size: 100 }, false],
    ['Size|lt', 100, { Size: '42' }, true],
    ['Size|lt', 100, { Size: 'abc' }, false],
  ],
  lte: [
    ['Size|lte', 100, { Size: 100 }, true],
    ['Size|lte', 100, { Size: 100.5 }, false],
  ],
  gt: [
    ['Size|gt', 100, { Size: 101 }, true],
    ['Size|gt', 100, { Size: 100 }, false],
    ['Size|gt', 1.5, { Size: [1, 2] }, true],
  ],
  gte: [
    ['Size|gte', 100, { Size: 100 }, true],
    ['Size|gte', 100, { Size: 99.9 }, false],
    ['Size|gte', 100, {}, false],
  ],
  minute: [
    ['ts|minute', 30, { ts: '2024-03-01T23:30:15Z' }, true],
    ['ts|minute', 30, { ts: '2024-03-01T23:31:15Z' }, false],
  ],
  hour: [
    ['ts|hour', 23, { ts: '2024-03-01T23:30:00+08:00' }, true], // wall clock as written, no conversion
    ['ts|hour', 23, { ts: '2024-03-01 22:59:59' }, false],
    ['ts|hour', 0, { ts: 1709251200 }, true], // 2024-03-01T00:00:00Z, epoch seconds
    ['ts|hour', 0, { ts: 1709251200000 + 3600_000 }, false], // epoch ms, 01:00
    ['ts|hour|gte', 22, { ts: '2024-03-01T22:10:00Z' }, true],
    ['ts|hour|gte', 22, { ts: '2024-03-01T21:59:00Z' }, false],
    ['ts|hour|lt', 6, { ts: '2024-03-01T05:59:00Z' }, true],
  ],
  day: [
    ['ts|day', 1, { ts: '2024-03-01T10:00:00Z' }, true],
    ['ts|day', 1, { ts: '2024-03-02T10:00:00Z' }, false],
  ],
  week: [
    ['ts|week', 1, { ts: '2024-01-01' }, true], // Monday of ISO week 1
    ['ts|week', 52, { ts: '2023-12-31' }, true], // Sunday, still ISO week 52 of 2023
    ['ts|week', 1, { ts: '2024-01-08' }, false],
  ],
  month: [
    ['ts|month', 3, { ts: '2024-03-01' }, true],
    ['ts|month', 3, { ts: '2024-04-01' }, false],
  ],
  year: [
    ['ts|year', 2024, { ts: '2024-03-01T00:00:00.123Z' }, true],
    ['ts|year', 2024, { ts: '2023-12-31T23:59:59Z' }, false],
    ['ts|year', 2024, { ts: 'not a date' }, false],
  ],
  cidr: [
    ['SourceIp|cidr', '10.0.0.0/8', { SourceIp: '10.20.30.40' }, true],
    ['SourceIp|cidr', '10.0.0.0/8', { SourceIp: '11.0.0.1' }, false],
    ['SourceIp|cidr', '192.168.1.0/25', { SourceIp: '192.168.1.127' }, true],
    ['SourceIp|cidr', '192.168.1.0/25', { SourceIp: '192.168.1.128' }, false],
    ['SourceIp|cidr', ['10.0.0.0/8', '172.16.0.0/12'], { SourceIp: '172.31.255.255' }, true],
    ['SourceIp|cidr', '10.0.0.0/8', { SourceIp: '::ffff:10.1.2.3' }, true],
    ['SourceIp|cidr', '10.0.0.0/8', { SourceIp: 'not-an-ip' }, false],
    ['SourceIp|cidr', 'fd00::/8', { SourceIp: 'fd12:3456::1' }, true],
    ['SourceIp|cidr', 'fd00::/8', { SourceIp: 'fe80::1%eth0' }, false],
    ['SourceIp|cidr', '2001:db8::/32', { SourceIp: '2001:0db8:ffff::1' }, true],
    ['SourceIp|cidr', '2001:db8::/32', { SourceIp: '10.0.0.1' }, false],
    ['SourceIp|cidr', '0.0.0.0/0', { SourceIp: '8.8.8.8' }, true],
  ],
  fieldref: [
    ['TargetUser|fieldref', 'SubjectUser', { TargetUser: 'Bob', SubjectUser: 'bob' }, true],
    ['TargetUser|fieldref', 'SubjectUser', { TargetUser: 'bob', SubjectUser: 'alice' }, false],
    ['TargetUser|fieldref', 'SubjectUser', { TargetUser: 'bob' }, false],
    ['TargetUser|fieldref', 'SubjectUser', { TargetUser: 'bobby', SubjectUser: 'bob' }, false],
    ['CommandLine|fieldref|contains', 'Image', { CommandLine: '"c:\\x.exe" -a', Image: 'C:\\X.EXE' }, true],
    ['CommandLine|fieldref|startswith', 'Image', { CommandLine: 'run c:\\x.exe', Image: 'c:\\x.exe' }, false],
    ['CommandLine|fieldref|endswith', 'Image', { CommandLine: 'run c:\\x.exe', Image: 'c:\\x.exe' }, true],
    ['TargetUser|fieldref|neq', 'SubjectUser', { TargetUser: 'bob', SubjectUser: 'alice' }, true],
    ['TargetUser|fieldref|cased', 'SubjectUser', { TargetUser: 'Bob', SubjectUser: 'bob' }, false],
  ],
};

describe('modifiers', () => {
  for (const [name, rows] of Object.entries(tables)) {
    describe(name, () => {
      it.each(rows)('%s: %j on %j → %s', (key, value, event, expected) => {
        expect(one(key, value).matches(event)).toBe(expected);
      });
    });
  }

  describe('expand', () => {
    const placeholders = { Admins: ['root', 'adm_*'], Domain: 'corp' };
    it.each<Row>([
      ['User|expand', '%Admins%', { User: 'root' }, true],
      ['User|expand', '%Admins%', { User: 'ADM_bob' }, true],
      ['User|expand', '%Admins%', { User: 'bob' }, false],
      ['User|expand', '%Domain%\\%Admins%', { User: 'corp\\root' }, true],
      ['User|expand', '%Domain%\\%Admins%', { User: 'other\\root' }, false],
      ['User|expand|contains', '%Domain%', { User: 'x@corp.local' }, true],
      ['User|re|expand', '^%Domain%\\\\', { User: 'corp\\x' }, true],
    ])('%s: %j on %j → %s', (key, value, event, expected) => {
      expect(one(key, value, { placeholders }).matches(event)).toBe(expected);
    });
    it('an unresolved placeholder is a compile error pointing at the value', () => {
      const e = errorOf('User|expand', '%Nope%', { placeholders });
      expect(e.message).toMatch(/unresolved placeholder %Nope%/);
      expect([e.line, e.column]).toEqual([4, 25]);
    });
  });

  describe('invalid chains are errors at the modifier', () => {
    it.each([
      ['CommandLine|contains|startswith', 'x', /only one of contains/],
      ['CommandLine|i', 'x', /sub-modifier of 're'/],
      ['CommandLine|contains|re', 'x', /'re' must come first/],
      ['CommandLine|re|cased', 'x', /'cased' does not apply to 're'/],
      ['CommandLine|base64offset', 'abc', /must be followed by 'contains'/],
      ['CommandLine|base64', 'a*c', /cannot encode a value with wildcards/],
      ['CommandLine|utf16le|wide|base64', 'a', /already UTF-16 encoded/],
      ['CommandLine|all', 'single', /'all' needs a list/],
      ['Size|gt', 'abc', /compares numbers/],
      ['Size|gt|lt', 5, /only one comparison/],
      ['ts|hour', 24, /between 0 and 23/],
      ['ts|hour|minute', 2, /only one time-part/],
      ['Ip|cidr', '10.0.0.0/33', /invalid CIDR/],
      ['Ip|cidr', '300.1.1.1/8', /invalid CIDR/],
      ['Ip|contains|cidr', '10.0.0.0/8', /'cidr' must come first/],
      ['User|exists', 'maybe', /'exists' needs true or false/],
      ['User|exists|contains', true, /'exists' cannot be combined/],
      ['User|fieldref', 'a*', /cannot contain wildcards/],
      ['User|contains', null, /null cannot be combined/],
      ['User|neq|neq', 'x', /'neq' given twice/],
      ['User|lt', true, /compares numbers/],
    ])('%s: %j', (key, value, message) => {
      expect(errorOf(key, value).message).toMatch(message);
    });

    it('reports the column of the offending modifier', () => {
      // line 4 is `  sel: { "CommandLine|contains|startswith": "x" }`; the key's text starts at column 11
      const e = errorOf('CommandLine|contains|startswith', 'x');
      expect(e.line).toBe(4);
      expect(e.column).toBe(11 + 'CommandLine|contains|'.length);
      expect(e.file).toBe('mod.yml');
    });

    it('reports a bad regex at its value', () => {
      const e = errorOf('CommandLine|re', 'a(b');
      expect(e.message).toMatch(/invalid regular expression: missing closing \)/);
      expect([e.line, e.column]).toEqual([4, 29]); // the pattern's first character, after the opening quote
    });
  });
});
