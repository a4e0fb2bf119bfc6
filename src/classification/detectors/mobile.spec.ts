import { mobileDetector } from './mobile.js';

const values = (text: string) => mobileDetector.detect(text).map((found) => found.value);

describe('mobileDetector', () => {
  it.each([
    ['手机号13812345678已绑定', '13812345678'],
    ['phone=19912345678&code=1234', '19912345678'],
    ['tel: +8613912345678', '+8613912345678'],
    ['tel: +86 139-1234-5678', '+86 139-1234-5678'],
    ['联系电话 0086 15012345678', '0086 15012345678'],
    ['call 177 1234 5678 now', '177 1234 5678'],
    ['{"mobile":"16612345678"}', '16612345678'],
  ])('finds the number in %j', (text, value) => {
    expect(values(text)).toEqual([value]);
  });

  it.each([
    ['second digit 2', 'phone=12812345678'],
    ['second digit 0', 'phone=10012345678'],
    ['ten digits', 'phone=1381234567'],
    ['twelve digits', 'phone=138123456789'],
    ['inside a longer run', 'order=2024013812345678'],
    ['part of a token', 'sid=a13812345678'],
    ['a decimal fraction', 'ratio=0.13812345678'],
    ['a bare 86 prefix glued on', 'n=8613812345678'],
    ['a 13-digit epoch timestamp', 'ts=1704067200000'],
  ])('ignores %s', (_reason, text) => {
    expect(values(text)).toEqual([]);
  });

  it('normalises every spelling to the 11-digit national number', () => {
    for (const spelling of ['+86 139-1234-5678', '0086 13912345678', '139 1234 5678', '13912345678']) {
      expect(mobileDetector.normalize(spelling)).toBe('13912345678');
    }
  });
});
