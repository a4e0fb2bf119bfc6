import { compileRule, parseCondition, parseSigmaDocuments, SigmaError } from './index.js';

const SEARCHES = `  sel_a: { A: 1 }
  sel_b: { B: 1 }
  filter_c: { C: 1 }
  _helper: { H: 1 }
`;

function rule(condition: string | string[]) {
  const cond = Array.isArray(condition) ? `\n${condition.map((c) => `    - ${c}`).join('\n')}` : ` ${condition}`;
  const text = `title: t\nlogsource: { product: test }\ndetection:\n${SEARCHES}  condition:${cond}\n`;
  const r = parseSigmaDocuments(text, 'cond.yml');
  if (r.errors.length) throw r.errors[0];
  return compileRule(r.rules[0]);
}

/** Events named by which selections they satisfy. */
const ev = (s: string) => Object.fromEntries([...s].map((c) => [c, 1]));

describe('condition forms', () => {
  it.each([
    ['sel_a', 'A', true],
    ['sel_a', 'B', false],
    ['sel_a and sel_b', 'AB', true],
    ['sel_a and sel_b', 'A', false],
    ['sel_a or sel_b', 'B', true],
    ['sel_a or sel_b', 'C', false],
    ['not sel_a', 'B', true],
    ['not sel_a', 'A', false],
    ['sel_a and not filter_c', 'A', true],
    ['sel_a and not filter_c', 'AC', false],
    // precedence: not > and > or
    ['sel_a or sel_b and filter_c', 'A', true],
    ['sel_a or sel_b and filter_c', 'B', false],
    ['(sel_a or sel_b) and filter_c', 'A', false],
    ['(sel_a or sel_b) and filter_c', 'AC', true],
    ['not sel_a and sel_b', 'B', true],
    ['not (sel_a and sel_b)', 'AB', false],
    ['not (sel_a and sel_b)', 'A', true],
    ['not not sel_a', 'A', true],
    ['((sel_a))', 'A', true],
    ['sel_a AND NOT filter_c', 'A', true], // keywords are case-insensitive
    // quantifiers
    ['1 of sel_*', 'B', true],
    ['1 of sel_*', 'C', false],
    ['any of sel_*', 'A', true],
    ['all of sel_*', 'AB', true],
    ['all of sel_*', 'A', false],
    ['1 of them', 'C', true],
    ['1 of them', 'H', false], // `them` leaves out _-prefixed helpers
    ['all of them', 'ABC', true],
    ['all of them', 'AB', false],
    ['all of sel_* and not 1 of filter*', 'AB', true],
    ['all of sel_* and not 1 of filter*', 'ABC', false],
    ['1 of _help*', 'H', true], // a pattern that asks for _ explicitly gets it
    ['sel_a and _helper', 'AH', true],
  ])('%s on %s → %s', (condition, which, expected) => {
    expect(rule(condition).matches(ev(which))).toBe(expected);
  });

  it('a list of conditions is OR-ed', () => {
    const r = rule(['sel_a and sel_b', 'filter_c']);
    expect(r.matches(ev('C'))).toBe(true);
    expect(r.matches(ev('AB'))).toBe(true);
    expect(r.matches(ev('A'))).toBe(false);
  });

  it('parses to the expected tree', () => {
    const loc = { file: 'x', at: (o: number) => ({ line: 1, column: o + 1 }) };
    expect(parseCondition('a or b and not c', loc)).toEqual({
      kind: 'or',
      offset: 0,
      args: [
        { kind: 'id', name: 'a', offset: 0 },
        { kind: 'and', offset: 5, args: [{ kind: 'id', name: 'b', offset: 5 }, { kind: 'not', offset: 11, arg: { kind: 'id', name: 'c', offset: 15 } }] },
      ],
    });
    expect(parseCondition('all of sel*', loc)).toEqual({ kind: 'of', quantifier: 'all', pattern: 'sel*', offset: 0 });
  });
});

describe('condition errors point into the condition', () => {
  // `  condition: ` is 13 characters: the condition text starts at column 14 of line 8.
  const at = (condition: string) => {
    try {
      rule(condition);
    } catch (e) {
      if (e instanceof SigmaError) return e;
      throw e;
    }
    throw new Error('expected an error');
  };
  it.each([
    ['sel_a and missing', 24, /'missing' is not defined/],
    ['sel_a and', 23, /unexpected end of condition/],
    ['sel_a sel_b', 20, /after a complete expression/],
    ['(sel_a or sel_b', 29, /expected '\)' to close the '\(' at column 1/],
    ['sel_a)', 19, /unexpected '\)'/],
    ['sel_a | count() > 5', 20, /aggregation expressions/],
    ['sel_a and $x', 24, /unexpected character "\$"/],
    ['sel_*', 14, /wildcards are only allowed/],
    ['2 of sel_*', 14, /'2 of' is not supported/],
    ['1 of nothing*', 14, /'nothing\*' matches no search identifier/],
    ['1 of', 18, /expected 'them' or a search identifier pattern/],
    ['sel_a and or sel_b', 24, /unexpected 'or'/],
  ])('%s', (condition, column, message) => {
    const e = at(condition);
    expect(e.message).toMatch(message);
    expect(e.line).toBe(8);
    expect(e.column).toBe(column);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const loc = { file: 'x', at: (o: number) => ({ line: 1, column: o + 1 }) };
    expect(() => parseCondition('('.repeat(5000) + 'a' + ')'.repeat(5000), loc)).toThrow(/nested deeper/);
    expect(() => parseCondition('not '.repeat(5000) + 'a', loc)).toThrow(/nested deeper/);
  });
});

describe('condition fuzz', () => {
  // Deterministic PRNG so a failure is reproducible.
  function prng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const VOCAB = ['sel_a', 'sel_b', 'filter_c', '_helper', 'and', 'or', 'not', '(', ')', '1', '2', 'all', 'any', 'of', 'them',
    'sel_*', '*', '|', 'count()', '>', 'AND', 'Not', '', '-', 'x-y', '"', '\t', '\n', 'é', '#', 'them*'];

  it('random token sequences either parse or throw a SigmaError, quickly', () => {
    const rand = prng(20240601);
    const loc = { file: 'fuzz', at: (o: number) => ({ line: 1, column: o + 1 }) };
    let parsed = 0;
    const start = Date.now();
    for (let i = 0; i < 20000; i++) {
      const n = 1 + Math.floor(rand() * 12);
      const tokens = Array.from({ length: n }, () => VOCAB[Math.floor(rand() * VOCAB.length)]);
      const text = tokens.join(rand() < 0.8 ? ' ' : '');
      try {
        parseCondition(text, loc);
        parsed++;
      } catch (e) {
        if (!(e instanceof SigmaError)) throw new Error(`non-Sigma error for ${JSON.stringify(text)}: ${String(e)}`);
      }
    }
    expect(parsed).toBeGreaterThan(100); // the generator does produce valid conditions
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('random conditions through the whole pipeline only ever produce located errors', () => {
    const rand = prng(7);
    let compiled = 0;
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(rand() * 8);
      const text = Array.from({ length: n }, () => VOCAB[Math.floor(rand() * VOCAB.length)]).join(' ');
      const doc = `title: t\nlogsource: { product: test }\ndetection:\n${SEARCHES}  condition: ${JSON.stringify(text)}\n`;
      const r = parseSigmaDocuments(doc, 'fuzz.yml');
      for (const e of r.errors) {
        expect(e).toBeInstanceOf(SigmaError);
        expect(e.line).toBeGreaterThanOrEqual(1);
      }
      if (r.rules.length) {
        compileRule(r.rules[0]).matches(ev('AB'));
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(10);
  });
});
