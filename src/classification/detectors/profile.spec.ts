import { ID_PATTERN } from './resident-id.js';
import { profileText, tokenBits, wholeTokenMatches, WHOLE_TOKEN_LENGTHS } from './profile.js';
import { HK_MACAO_PERMIT, PASSPORT, PERMANENT_RESIDENCE_2017, PERMANENT_RESIDENCE_2023, TAIWAN_PERMIT } from './travel-documents.js';
import { VIN_PATTERN } from './vin.js';

describe('profileText', () => {
  it('measures digit runs, decimals and markers in one pass', () => {
    expect(profileText('id=123456 v=3.14159 lat 12.5 京A')).toEqual({
      longestDigitRun: 6,
      digitCount: 15,
      longestDigitChain: 6,
      preciseDecimals: 1,
      tokenLengths: (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6),
      hasAt: false,
      hasPlateProvince: true,
      length: 31,
      wholeTokens: [],
    });
  });

  it('overwrites every fact of a reused profile', () => {
    const reused = profileText('京A 13812345678 a@b 1.23456 ABCDEFGH1234');
    expect(profileText('plain', reused)).toBe(reused);
    expect(reused).toEqual(profileText('plain'));
  });

  it('sees a literal or URL-encoded at-sign, and not a lone percent', () => {
    expect(profileText('a@b').hasAt).toBe(true);
    expect(profileText('a%40b').hasAt).toBe(true);
    expect(profileText('100%4').hasAt).toBe(false);
  });

  it('chains digit runs joined by one space or hyphen, as grouped card and mobile numbers are written', () => {
    expect(profileText('tel 138 1234-5678').longestDigitChain).toBe(11);
    expect(profileText('6222 0212 3456 7890 1').longestDigitChain).toBe(17);
    // Two separators, another kind of separator, or a letter in between end the chain.
    expect(profileText('138  1234 5678').longestDigitChain).toBe(8);
    expect(profileText('10.20.30.40:5060').longestDigitChain).toBe(4);
    expect(profileText('12 a 34').longestDigitChain).toBe(2);
    // Digits inside a token with letters are no group: a Windows process GUID chains no further than its last group.
    expect(profileText('ProcessGuid 5AA13A44-0D08-68FC-DC1D-000000004002').longestDigitChain).toBe(12);
    expect(profileText('ab12 3456 7890 1234').longestDigitChain).toBe(12);
    expect(profileText('3456 7890 1234 12ab').longestDigitChain).toBe(12);
    expect(profileText('+86 138-1234-5678').longestDigitChain).toBe(13);
  });

  it('notes the lengths of whole ASCII letter-and-digit tokens', () => {
    const { tokenLengths } = profileText('LSVAM4187C2184847,E12345678;京A12345 x');
    expect(tokenLengths).toBe(tokenBits(17, 9, 6, 1));
    expect(profileText('a'.repeat(40)).tokenLengths).toBe(0);
  });

  // one to three digits, a dot, four decimals or more; a timestamp's fraction of a second is one,
  // too few decimals or too long an integer part none
  it.each([
    ['lat=39.9087&lng=116.3975', 2],
    ['[-39.90871, 116.39755]', 2],
    ['2026-07-17T14:18:34.072213Z', 1],
    ['116 39.908 1169.3975', 0],
    ['116 39.9', 0],
  ])('counts the numbers shaped as precise coordinates in %j: %i', (text, count) => {
    expect(profileText(text).preciseDecimals).toBe(count);
  });

  it('reads a text the same whatever its kind of string and length, past the kept buffer too', () => {
    const line = 'user 张三 tel 138 1234-5678 card 6222021234567890123 京A12345 a%40b v=3.14159 E12345678 \ud800 😀';
    const copy = (text: string) => Buffer.from(text, 'utf16le').toString('utf16le');
    const kinds = [
      line,
      `${line.slice(0, 40)}${line.slice(40)}`,
      line.slice(5, 70),
      `${'x'.repeat(2000)} ${line}`,
      `${'9'.repeat(70_000)}%40`,
      '%4',
      '100%',
      // either side of where the copy into the buffer turns native
      line.slice(0, 23),
      line.slice(0, 24),
      `${line.slice(9, 20)}${line.slice(30, 42)}`,
    ];
    for (const text of kinds) expect({ text: text.slice(0, 40), profile: profileText(text) }).toEqual({ text: text.slice(0, 40), profile: profileText(copy(text)) });
    expect(profileText(`${'9'.repeat(70_000)}%40`)).toMatchObject({ longestDigitRun: 70_000, hasAt: true, length: 70_003 });
    expect(profileText('%4').hasAt).toBe(false);
    // what a longer text left in the buffer is not read past the end of a shorter one
    profileText('x%40');
    expect(profileText('x%').hasAt).toBe(false);
  });

  it('keeps where the tokens as long as documents and VINs start, in order', () => {
    expect(profileText('LSVAM4187C2184847,E12345678;京A12345 x 12345678901 abc').wholeTokens).toEqual([0, 17, 18, 9, 38, 11]);
    // a word of a document's length is no document
    expect(profileText('password accepted Accepted').wholeTokens).toEqual([]);
  });
});

describe('wholeTokenMatches', () => {
  // Every whole-token pattern of the detectors, with the token lengths it is tried on.
  const patterns: [string, RegExp, number][] = [
    ['resident id', ID_PATTERN, tokenBits(15, 18)],
    ['VIN', VIN_PATTERN, tokenBits(17)],
    ['passport', PASSPORT.pattern, PASSPORT.lengths],
    ['HK/Macao permit', HK_MACAO_PERMIT.pattern, HK_MACAO_PERMIT.lengths],
    ['Taiwan permit', TAIWAN_PERMIT.pattern, TAIWAN_PERMIT.lengths],
    ['permanent residence 2017', PERMANENT_RESIDENCE_2017.pattern, PERMANENT_RESIDENCE_2017.lengths],
    ['permanent residence 2023', PERMANENT_RESIDENCE_2023, tokenBits(18)],
  ];

  it('finds what a search of the whole text finds, for every detector pattern, in texts built to meet them', () => {
    let seed = 11;
    const next = (n: number) => Math.floor(((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * n);
    const pieces = ['1', '9', '0', 'E', 'G', 'H', 'M', 'X', 'x', 'A', 'Z', 'I', '.', ' ', '-', ',', '护照', '京', 'é', '_'];
    const digits = (n: number) => Array.from({ length: n }, () => String(next(10))).join('');
    // runs of the right lengths, so that matches happen, mixed with characters that end or extend tokens
    const shaped = () => [`E${digits(8)}`, `G${digits(8)}`, `D${digits(7)}`, `H${digits(10)}`, digits(8), `ABC${digits(12)}`, `9${digits(17)}`, `${digits(17)}X`, digits(15), `LSVAM4187C${digits(7)}`][next(10)];
    for (const [, , lengths] of patterns) expect(lengths & ~WHOLE_TOKEN_LENGTHS).toBe(0);
    let matched = 0;
    for (let t = 0; t < 8_000; t++) {
      let text = '';
      for (let n = next(8); n >= 0; n--) text += next(3) === 0 ? shaped() : pieces[next(pieces.length)];
      const profile = profileText(text);
      for (const [name, pattern, lengths] of patterns) {
        const everywhere = [...text.matchAll(new RegExp(pattern.source, 'g'))].filter((m) => /\d/.test(m[0])).map((m) => [m.index, m[0]]);
        const atTokens = wholeTokenMatches(text, profile, pattern, lengths).map((m) => [m.index, m[0]]);
        if (everywhere.length) matched++;
        expect({ name, text, found: atTokens }).toEqual({ name, text, found: everywhere });
      }
    }
    expect(matched).toBeGreaterThan(2000);
  });
});
