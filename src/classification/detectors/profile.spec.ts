import { profileText, tokenBits } from './profile.js';

describe('profileText', () => {
  it('measures digit runs, decimals and markers in one pass', () => {
    expect(profileText('id=123456 v=3.14159 lat 12.5 京A')).toEqual({
      longestDigitRun: 6,
      digitCount: 15,
      longestDigitChain: 6,
      longestFraction: 5,
      tokenLengths: (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6),
      hasAt: false,
      hasPlateProvince: true,
      length: 31,
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
  });

  it('notes the lengths of whole ASCII letter-and-digit tokens', () => {
    const { tokenLengths } = profileText('LSVAM4187C2184847,E12345678;京A12345 x');
    expect(tokenLengths).toBe(tokenBits(17, 9, 6, 1));
    expect(profileText('a'.repeat(40)).tokenLengths).toBe(0);
  });

  it('does not count an integer part as a fraction', () => {
    expect(profileText('116 39.9').longestFraction).toBe(1);
  });
});
