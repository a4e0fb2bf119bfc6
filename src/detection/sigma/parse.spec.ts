import { compileRule, parseSigmaDocuments, runRuleTests } from './index.js';

const FULL = `title: Whoami Execution
id: 8f5a2b1c-0000-4000-8000-000000000001
name: whoami_exec
status: test
description: Detects whoami
author: Taishi
date: 2024-01-01
references:
  - https://example.org/whoami
tags:
  - attack.discovery
  - attack.t1033
logsource:
  product: windows
  category: process_creation
  service: sysmon
falsepositives:
  - Admin scripts
level: medium
fields:
  - CommandLine
  - User
related:
  - id: 00000000-0000-4000-8000-000000000000
    type: similar
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
x-taishi-tests:
  match:
    - { Image: 'C:\\Windows\\System32\\whoami.exe' }
  nomatch:
    - { Image: 'C:\\Windows\\System32\\cmd.exe' }
`;

describe('rule documents', () => {
  it('keeps the metadata', () => {
    const { rules, errors } = parseSigmaDocuments(FULL, 'rules/whoami.yml');
    expect(errors).toEqual([]);
    const r = rules[0];
    expect(r).toMatchObject({
      kind: 'rule',
      file: 'rules/whoami.yml',
      title: 'Whoami Execution',
      id: '8f5a2b1c-0000-4000-8000-000000000001',
      name: 'whoami_exec',
      status: 'test',
      level: 'medium',
      tags: ['attack.discovery', 'attack.t1033'],
      logsource: { product: 'windows', category: 'process_creation', service: 'sysmon' },
      falsepositives: ['Admin scripts'],
      fields: ['CommandLine', 'User'],
      references: ['https://example.org/whoami'],
      date: '2024-01-01',
    });
    expect(r.custom.related).toEqual([{ id: '00000000-0000-4000-8000-000000000000', type: 'similar' }]);
    const c = compileRule(r);
    expect(c).toMatchObject({ id: r.id, title: r.title, level: 'medium', tags: r.tags, logsource: r.logsource });
  });

  it('reads x-taishi-tests and runs them', () => {
    const r = parseSigmaDocuments(FULL, 'w.yml').rules[0];
    expect(r.tests?.match).toHaveLength(1);
    expect(r.tests?.nomatch[0].event).toEqual({ Image: 'C:\\Windows\\System32\\cmd.exe' });
    expect(runRuleTests(r)).toEqual([]);
    const broken = parseSigmaDocuments(FULL.replace('\\System32\\cmd.exe', '\\whoami.exe'), 'w.yml').rules[0];
    const failures = runRuleTests(broken);
    expect(failures).toHaveLength(1);
    expect(failures[0].kind).toBe('nomatch');
    expect(failures[0].error.line).toBe(34);
    expect(failures[0].error.message).toMatch(/should not match/);
  });

  it('reads several documents from one file', () => {
    const text = `title: Failed login
name: failed_login
logsource: { product: linux, service: sshd }
detection:
  sel: 'Failed password'
  condition: sel
---
title: Many failed logins
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [host]
  timespan: 5m
  condition: { gte: 10 }
---
title: Not the backup host
logsource: { product: linux }
filter:
  rules: [failed_login]
  sel: { host: backup01 }
  condition: not sel
---
`;
    const r = parseSigmaDocuments(text, 'multi.yml');
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => x.title)).toEqual(['Failed login']);
    expect(r.correlations.map((x) => [x.title, x.type, x.timespanMs])).toEqual([['Many failed logins', 'event_count', 300_000]]);
    expect(r.filters.map((x) => x.title)).toEqual(['Not the backup host']);
    expect(r.correlations[0].docIndex).toBe(1);
  });

  it('a broken document does not hide the good ones', () => {
    const r = parseSigmaDocuments(`title: a\nlogsource: {product: x}\ndetection: {s: {A: 1}, condition: nope}\n---\ntitle: b\nlogsource: {product: x}\ndetection: {s: {A: 1}, condition: s}\n`, 'f.yml');
    expect(r.rules.map((x) => x.title)).toEqual(['b']);
    expect(r.errors).toHaveLength(1);
  });
});

describe('errors carry file, line and column', () => {
  const first = (text: string) => {
    const r = parseSigmaDocuments(text, 'bad.yml');
    expect(r.errors.length).toBeGreaterThan(0);
    return r.errors[0];
  };

  it.each([
    ['bad YAML', 'title: x\ndetection:\n  sel: [unclosed\n  condition: sel\n', 4, 3, /^YAML: /],
    ['duplicate key', 'title: x\ntitle: y\nlogsource: {product: a}\ndetection: {s: {A: 1}, condition: s}\n', 2, 1, /unique/],
    ['unknown modifier', 'title: x\nlogsource: {product: a}\ndetection:\n  sel:\n    CommandLine|contians: x\n  condition: sel\n', 5, 17, /unknown modifier 'contians'/],
    ['missing selection', 'title: x\nlogsource: {product: a}\ndetection:\n  sel: {A: 1}\n  condition: sel and filter\n', 5, 22, /'filter' is not defined/],
    ['bad regex', "title: x\nlogsource: {product: a}\ndetection:\n  sel:\n    CommandLine|re: '(?<'\n  condition: sel\n", 5, 22, /invalid regular expression/],
    ['bad level', 'title: x\nlevel: severe\nlogsource: {product: a}\ndetection: {s: {A: 1}, condition: s}\n', 2, 8, /'level' must be one of/],
    ['bad status', 'title: x\nstatus: done\nlogsource: {product: a}\ndetection: {s: {A: 1}, condition: s}\n', 2, 9, /'status' must be one of/],
    ['missing title', 'logsource: {product: a}\ndetection: {s: {A: 1}, condition: s}\n', 1, 1, /'title' is required/],
    ['missing logsource', 'title: x\ndetection: {s: {A: 1}, condition: s}\n', 1, 1, /'logsource' is required/],
    ['missing condition', 'title: x\nlogsource: {product: a}\ndetection:\n  s: {A: 1}\n', 4, 3, /needs a 'condition'/],
    ['map as a value', 'title: x\nlogsource: {product: a}\ndetection:\n  s:\n    A: {b: 1}\n  condition: s\n', 5, 8, /not a map/],
    ['empty value list', 'title: x\nlogsource: {product: a}\ndetection:\n  s:\n    A: []\n  condition: s\n', 5, 8, /empty list/],
    ['not a sigma document', 'title: x\nfoo: bar\n', 1, 1, /not a Sigma document/],
    ['v1 collection action', 'action: global\ntitle: x\n', 1, 1, /not supported in Sigma v2/],
    ['unnamed search identifier', 'title: x\nlogsource: {product: a}\ndetection:\n  "": {A: 1}\n  condition: s\n', 4, 3, /needs a name/],
    ['bad test events', 'title: x\nlogsource: {product: a}\ndetection: {s: {A: 1}, condition: s}\nx-taishi-tests:\n  match: [1]\n', 5, 11, /test event must be a map/],
  ])('%s', (_name, text, line, column, message) => {
    const e = first(text);
    expect(e.file).toBe('bad.yml');
    expect(e.message).toMatch(message);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(String(e)).toBe(`bad.yml:${line}:${column}: ${e.message}`);
  });

  it('accepts the identifier names pySigma accepts, dots included, and reaches them by name or pattern', () => {
    const text = [
      'title: x',
      'logsource: {product: a}',
      'detection:',
      '  sel: {A: 1}',
      '  filter_main_mdadm.conf: {B: 2}',
      '  "filter other": {B: 3}',
      '  condition: sel and not 1 of filter_* and not filter_main_mdadm.conf',
      '',
    ].join('\n');
    const r = parseSigmaDocuments(text, 'ok.yml');
    expect(r.errors.map(String)).toEqual([]);
    expect(r.warnings).toEqual([]);
    const compiled = compileRule(r.rules[0]);
    expect([compiled.matches({ A: 1 }), compiled.matches({ A: 1, B: 2 })]).toEqual([true, false]);
  });

  it("warns (and still loads) when an identifier's name carries what looks like a modifier", () => {
    const text = 'title: x\nlogsource: {product: a}\ndetection:\n  sel|endswith: {Image: /tree}\n  condition: 1 of sel*\n';
    const r = parseSigmaDocuments(text, 'odd.yml');
    expect([r.errors.length, r.rules.length]).toEqual([0, 1]);
    expect(r.warnings.map(String)).toEqual([expect.stringMatching(/^odd\.yml:4:3: search identifier 'sel\|endswith': '\|endswith' is part of its name/)]);
  });

  it('reports several problems of one document at once', () => {
    const r = parseSigmaDocuments('title: x\nlevel: severe\nlogsource: {product: a}\ndetection:\n  s:\n    A|nope: 1\n  condition: s\n', 'bad.yml');
    expect(r.errors.map((e) => e.line)).toEqual([2, 6]);
  });

  it('rejects duplicate ids within a file', () => {
    const doc = 'title: x\nid: same\nlogsource: {product: a}\ndetection: {s: {A: 1}, condition: s}\n';
    const r = parseSigmaDocuments(doc + '---\n' + doc, 'bad.yml');
    expect(r.rules).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/duplicate id 'same'/);
    expect(r.errors[0].line).toBe(6);
  });
});
