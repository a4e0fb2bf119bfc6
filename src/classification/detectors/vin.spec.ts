import { isValidVin, vinCheckDigit, vinDetector } from './vin.js';

const values = (text: string) => vinDetector.detect(text).map((found) => found.value);

describe('VIN', () => {
  it('computes the ISO 3779 check digit of the textbook example', () => {
    expect(vinCheckDigit('1M8GDM9AXKP042788')).toBe('X');
    expect(isValidVin('1M8GDM9AXKP042788')).toBe(true);
  });

  it('finds a VIN in a log line', () => {
    expect(vinDetector.detect('charging session vin=1M8GDM9AXKP042788 kWh=32.5')).toMatchObject([
      { value: '1M8GDM9AXKP042788', start: 21, end: 38 },
    ]);
  });

  it.each([
    ['a wrong check digit', '1M8GDM9A1KP042788'],
    ['the letter O', '1M8GDM9AXKO042788'],
    ['the letter I', '1M8GDI9AXKP042788'],
    ['the letter Q', 'QM8GDM9AXKP042788'],
    ['lower case', '1m8gdm9axkp042788'],
    ['no letters at all', '11111111111111111'],
    ['letters in the last four', '1M8GDM9AXKP04A788'],
  ])('rejects %s', (_reason, vin) => {
    expect(values(`vin=${vin}`)).toEqual([]);
  });

  it('ignores a VIN-shaped part of a longer token', () => {
    expect(values('key=1M8GDM9AXKP042788A')).toEqual([]);
    expect(values('key=A1M8GDM9AXKP042788')).toEqual([]);
  });
});
