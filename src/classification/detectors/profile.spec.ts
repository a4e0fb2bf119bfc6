import { profileText } from './profile.js';

describe('profileText', () => {
  it('measures digit runs, decimals and markers in one pass', () => {
    expect(profileText('id=123456 v=3.14159 lat 12.5 京A')).toEqual({
      longestDigitRun: 6,
      digitCount: 15,
      longestFraction: 5,
      hasAt: false,
      hasPlateProvince: true,
      length: 31,
    });
  });

  it('sees a literal or URL-encoded at-sign, and not a lone percent', () => {
    expect(profileText('a@b').hasAt).toBe(true);
    expect(profileText('a%40b').hasAt).toBe(true);
    expect(profileText('100%4').hasAt).toBe(false);
  });

  it('does not count an integer part as a fraction', () => {
    expect(profileText('116 39.9').longestFraction).toBe(1);
  });
});
