import { parsePlainYaml } from './plain-yaml.js';
import { parseYamlFully } from './yaml.js';

/** The fast parser answers exactly what the `yaml` library answers, or leaves the text to it. */
function agrees(text: string): 'plain' | 'full' {
  const plain = parsePlainYaml(text);
  if (!plain) return 'full';
  const full = parseYamlFully(text, 'f.yml');
  expect({ text, docs: plain.docs, errors: plain.errors.map(String) }).toEqual({ text, docs: full.docs, errors: full.errors.map(String) });
  return 'plain';
}

/** Written the way SigmaHQ writes its rules. */
const SIGMAHQ_STYLE = [
  `title: Suspicious Child Process Of Office Application
id: 11111111-2222-4333-8444-555555555555
related:
    - id: 66666666-7777-4888-9999-000000000000
      type: derived
status: test
description: |
    Detects a child process of an Office application that is commonly used by malware.
    Such as "cmd.exe" or 'powershell.exe'.
references:
    - https://example.org/report?id=1#section
author: Someone (Company), Someone Else
date: 2023-01-01
modified: 2024-12-25
tags:
    - attack.execution
    - attack.t1204.002
logsource:
    category: process_creation
    product: windows
detection:
    selection_parent:
        ParentImage|endswith:
            - '\\WINWORD.EXE'
            - '\\EXCEL.EXE'
    selection_child:
        - Image|endswith: '\\cmd.exe'
        - OriginalFileName: 'Cmd.Exe'
        - CommandLine|contains|all:
              - ' -enc '
              - 'IEX'
    filter_main_legit:
        CommandLine|contains: 'C:\\Program Files\\'
        EventID: 4688
        Hashes|contains: null
    condition: all of selection_* and not 1 of filter_main_*
falsepositives:
    - Unknown
level: high # reviewed
`,
  `title: Keyword Match
id: 22222222-3333-4444-8555-666666666666
status: experimental
description: Detects keywords.
author: X
date: 2024-02-02
logsource:
    product: windows
    service: application
detection:
    keywords:
        - 'Adfind'
        - "Backdoor.\\x41"
        - Brutel
    condition: keywords
falsepositives:
    - Legitimate use
level: medium
`,
];

describe('plain rule YAML', () => {
  it('reads rules written as SigmaHQ writes them, as the yaml library does', () => {
    expect(SIGMAHQ_STYLE.map(agrees)).toEqual(['plain', 'plain']);
  });

  it('reads what it reads as the yaml library does, and leaves the rest to it', () => {
    const snippets = [
      'a: x\n',
      "a: 'q''s' # c\nb: \"d\\\"q \\x41 \\u00e9 \\\\ \\/ \\t\"\n",
      "a: 'x'#c\n",
      'a: b#c\nc: d #e\n',
      'a: -b\nc: -\nd: :x\ne: ?x\n',
      'a: -1\nb: +1\nc: 1.0\nd: .5\ne: 0x1F\nf: 0o17\ng: 1e5\nh: .inf\ni: .nan\nj: 007\nk: 1234567890123456789\n',
      '4688: a\n~: b\ntrue: c\n0x10: d\n',
      'null: a\n',
      "'quoted key': 1\n\"dq key\": 2\n'it''s': 3\n",
      'a: yes\nb: No\nc: on\nd: True\ne: NULL\nf: ~\n',
      'a:\n- x\n- y\nb:\n  - z\n',
      'a:\n  - k: 1\n    l: 2\n  - m: 3\n',
      '- - x\n',
      '-\n  a: 1\n- b\n',
      'a: b\n  c\n',
      'a: b: c\n',
      'a: value:\n',
      'a:\nb: 1\n',
      'a: |\n  x\n\n  y\n\n\nb: 1\n',
      'a: |-\n    x\n      y\n',
      'a: |+\n  x\n\n',
      'a: >\n  x\n  y\n',
      'a: |\n  x\n # less indented comment\nb: 1\n',
      'a: |\n  x\n  # a content line\n',
      'a: |\n      \n  x\n',
      'a: |\nb: 1\n',
      'a: [x, y]\nb: {c: d}\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '? a\n: b\n',
      'a: 1\na: 2\n',
      '---\na: 1\n',
      'a: 1\n---\nb: 2\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1',
      'a:\tb\n',
      'a: b\r\n',
      '\ufeffa: 1\n',
      '  a: 1\n',
      'a: 1\n b: 2\n',
      'a:\n    b: 1\n  c: 2\n',
      'a: "unclosed\n',
      "a: 'multi\n  line'\n",
      'a: "\\N\\_\\e"\n',
      'a: "\\ud800"\n',
      '# only a comment\n',
      '\n\n# c\na: 1 # c\n\n# c\n',
      'a : 1\n',
      'a:: 1\n',
      'a: x y  z   \n',
      'a: @x\n',
      'a: `x\n',
      'a: %x\n',
      'a: "x" y\n',
      'key with spaces: 1\n',
      'a: \'\'\nb: ""\n',
      'a: 2024-01-01\nb: 2024/01/01\nc: 10.0.0.0/8\nd: 1.2.3\ne: 12:30\n',
      'a:\n  - |\n    x\n  - y\n',
      'a:\n  b:\n    c:\n      d: 1\n',
      `${Array.from({ length: 40 }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n')} x\n`,
    ];
    const kinds = snippets.map(agrees);
    expect(kinds).toContain('plain');
    expect(kinds).toContain('full');
  });

  it('agrees with the yaml library on thousands of broken variants of rule files', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [' ', '  ', ': ', ':', '-', '- ', '#', ' #', "'", '"', '|', '\n', '\\', '~', '1', '.', '[', '{', '&', '*', 'x'];
    const files = SIGMAHQ_STYLE;
    let plain = 0;
    for (let n = 0; n < 3000; n++) {
      let text = files[random(files.length)];
      for (let m = 1 + random(3); m > 0; m--) {
        const at = random(text.length);
        const cut = random(3);
        text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at + cut);
      }
      if (agrees(text) === 'plain') plain++;
    }
    expect(plain).toBeGreaterThan(300);
  });
});
