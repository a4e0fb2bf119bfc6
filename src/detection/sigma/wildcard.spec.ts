import { wildcardMatcher, type Part } from './primitives.js';

/** The reference: the anchored RegExp the engine used before (fine on short strings). */
function reference(parts: Part[]): RegExp {
  const esc = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  const body = parts
    .map((p) => (p.t === 'lit' ? esc(p.s) : p.t === 'star' ? '[\\s\\S]*' : p.t === 'one' ? '[\\s\\S]' : `(?:${p.chars.map(esc).join('|')})`))
    .join('');
  return new RegExp(`^(?:${body})$`);
}

describe('wildcard matching without backtracking', () => {
  it('agrees with the anchored regular expression on 20 000 random patterns and strings', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const alphabet = 'ab-/\n';
    const word = (max: number) => Array.from({ length: rand(max + 1) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const parts: Part[] = Array.from({ length: 1 + rand(5) }, (): Part => {
        const k = rand(6);
        if (k < 3) return { t: 'lit', s: word(3) || 'a' };
        if (k < 5) return k === 3 ? { t: 'star' } : { t: 'one' };
        return { t: 'class', chars: ['-', '/'] };
      });
      const text = word(9);
      expect({ parts, text, matches: wildcardMatcher(parts)(text) }).toEqual({ parts, text, matches: reference(parts).test(text) });
    }
  });

  it('folds the pattern, not the value (the caller lower-cases values once)', () => {
    const m = wildcardMatcher([{ t: 'lit', s: 'CMD' }, { t: 'star' }, { t: 'class', chars: ['/', '-'] }, { t: 'lit', s: 'C' }], (s) => s.toLowerCase());
    expect(m('cmd.exe /c')).toBe(true);
    expect(m('CMD.exe /C')).toBe(false);
  });
});
