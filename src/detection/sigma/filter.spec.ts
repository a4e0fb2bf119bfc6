import { compileFilter, compileRule, parseSigmaDocuments } from './index.js';

const RULES = `title: Rar compression
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
name: rar_compress
logsource: { product: windows, category: process_creation }
detection:
  sel: { Image|endswith: '\\rar.exe' }
  condition: sel
---
title: Whoami
name: whoami
logsource: { product: windows, category: process_creation }
detection:
  sel: { Image|endswith: '\\whoami.exe' }
  condition: sel
---
title: Linux whoami
name: linux_whoami
logsource: { product: linux, category: process_creation }
detection:
  sel: { Image|endswith: '/whoami' }
  condition: sel
`;

function setup(filterDoc: string) {
  const r = parseSigmaDocuments(RULES + '---\n' + filterDoc, 'f.yml');
  expect(r.errors).toEqual([]);
  const compiled = Object.fromEntries(r.rules.map((rule) => [rule.name!, compileRule(rule, { filters: r.filters })]));
  return { compiled, filters: r.filters };
}

describe('filters', () => {
  it('suppress matches of the rules they name (by id), and only those', () => {
    const { compiled } = setup(`title: Admin accounts
logsource: { product: windows }
filter:
  rules:
    - 6f3e2987-db24-4c78-a860-b4f4095a7095
  adm: { User|startswith: 'adm_' }
  condition: not adm
`);
    expect(compiled.rar_compress.filters).toEqual(['Admin accounts']);
    expect(compiled.rar_compress.matches({ Image: 'C:\\rar.exe', User: 'adm_bob' })).toBe(false);
    expect(compiled.rar_compress.matches({ Image: 'C:\\rar.exe', User: 'bob' })).toBe(true);
    expect(compiled.whoami.filters).toEqual([]);
    expect(compiled.whoami.matches({ Image: 'C:\\whoami.exe', User: 'adm_bob' })).toBe(true);
  });

  it('name rules by name, or all rules with `any`, but only where the logsource fits', () => {
    const byName = setup(`title: f\nlogsource: { product: windows }\nfilter:\n  rules: whoami\n  s: { Host: dc01 }\n  condition: not s\n`).compiled;
    expect(byName.whoami.matches({ Image: 'x\\whoami.exe', Host: 'DC01' })).toBe(false);
    expect(byName.rar_compress.matches({ Image: 'x\\rar.exe', Host: 'dc01' })).toBe(true);

    const any = setup(`title: f\nlogsource: { product: windows }\nfilter:\n  rules: any\n  s: { Host: dc01 }\n  condition: not s\n`).compiled;
    expect(any.whoami.matches({ Image: 'x\\whoami.exe', Host: 'dc01' })).toBe(false);
    expect(any.rar_compress.matches({ Image: 'x\\rar.exe', Host: 'dc01' })).toBe(false);
    expect(any.linux_whoami.filters).toEqual([]); // product linux ≠ windows
    expect(any.linux_whoami.matches({ Image: '/usr/bin/whoami', Host: 'dc01' })).toBe(true);
  });

  it('several filters all apply', () => {
    const { compiled } = setup(`title: f1\nlogsource: {}\nfilter:\n  rules: [whoami]\n  s: { Host: a }\n  condition: not s\n---\ntitle: f2\nlogsource: {}\nfilter:\n  rules: [whoami]\n  s: { Host: b }\n  condition: not s\n`);
    expect(compiled.whoami.filters).toEqual(['f1', 'f2']);
    expect(compiled.whoami.matches({ Image: 'x\\whoami.exe', Host: 'a' })).toBe(false);
    expect(compiled.whoami.matches({ Image: 'x\\whoami.exe', Host: 'b' })).toBe(false);
    expect(compiled.whoami.matches({ Image: 'x\\whoami.exe', Host: 'c' })).toBe(true);
  });

  it('can be compiled and inspected alone', () => {
    const { filters } = setup(`title: f\nlogsource: { product: windows }\nfilter:\n  rules: [whoami]\n  s: { Host: dc01 }\n  condition: not s\n`);
    const f = compileFilter(filters[0]);
    expect(f.passes({ Host: 'dc01' })).toBe(false);
    expect(f.passes({ Host: 'ws1' })).toBe(true);
  });

  it.each([
    ['title: f\nlogsource: {}\nfilter:\n  s: { A: 1 }\n  condition: not s\n', 3, 1, /needs 'rules'/],
    ['title: f\nlogsource: {}\nfilter:\n  rules: [x]\n  s: { A: 1 }\n  condition: not t\n', 6, 18, /'t' is not defined/],
    ['title: f\nfilter:\n  rules: [x]\n  s: { A: 1 }\n  condition: not s\n', 1, 1, /'logsource' is required/],
    ['title: f\nlogsource: {}\nfilter:\n  rules: [x]\n  s: { A|bogus: 1 }\n  condition: s\n', 5, 10, /unknown modifier 'bogus'/],
  ])('%#: bad filters are reported with positions', (text, line, column, message) => {
    const r = parseSigmaDocuments(text, 'bad.yml');
    expect(r.filters).toEqual([]);
    expect(r.errors[0].message).toMatch(message);
    expect([r.errors[0].line, r.errors[0].column]).toEqual([line, column]);
  });
});
