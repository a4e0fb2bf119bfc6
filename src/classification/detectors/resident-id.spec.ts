import { isPlausibleBirthDate, isValidResidentId, residentIdCheckChar, residentIdDetector } from './resident-id.js';

const values = (text: string) => residentIdDetector.detect(text).map((found) => found.value);

describe('resident id check character', () => {
  it('matches the GB 11643 worked example', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it.each([
    ['44030419900307001', '8'],
    ['51010819800101123', '1'],
  ])('%s → %s', (first17, check) => {
    expect(residentIdCheckChar(first17)).toBe(check);
  });
});

describe('birth date plausibility', () => {
  const today = new Date(2025, 5, 15);
  it.each([
    [2000, 2, 29, true],
    [1900, 2, 29, false],
    [2023, 2, 29, false],
    [1990, 2, 30, false],
    [1990, 13, 1, false],
    [1990, 4, 31, false],
    [1899, 12, 31, false],
    [2025, 6, 15, true],
    [2025, 6, 16, false],
  ])('%i-%i-%i → %s', (year, month, day, plausible) => {
    expect(isPlausibleBirthDate(year, month, day, today)).toBe(plausible);
  });
});

describe('residentIdDetector', () => {
  it('finds an 18-character id in a query string with its offsets', () => {
    const text = 'GET /api/apply?name=zhang&idcard=11010519491231002X&step=2';
    const [found] = residentIdDetector.detect(text);
    expect(found).toMatchObject({ value: '11010519491231002X', confidence: 0.99 });
    expect(text.slice(found.start, found.end)).toBe('11010519491231002X');
  });

  it('accepts a lower-case check character and normalises it to upper case', () => {
    expect(values('证件号11010519491231002x已核验')).toEqual(['11010519491231002x']);
    expect(residentIdDetector.normalize('11010519491231002x')).toBe('11010519491231002X');
  });

  it.each([
    ['wrong check character', '110105194912310021'],
    ['Feb 30', '11010519900230123'],
    ['month 13', '11010519901301123'],
    ['born in the future', '11010520990101123'],
    ['born before 1900', '11010518991231123'],
    ['unknown province 99', '99010519491231002'],
    ['province 00', '00010519491231002'],
  ])('rejects an id with %s', (_reason, first17) => {
    // A correct check character, so only the named defect can cause the rejection.
    const id = first17.length === 17 ? first17 + residentIdCheckChar(first17) : first17;
    expect(isValidResidentId(id)).toBe(false);
    expect(values(`id=${id}`)).toEqual([]);
  });

  it('does not take an id out of a longer digit run or a token', () => {
    expect(values('order 1234511010519491231002X')).toEqual([]);
    expect(values('order=11010519491231002X1234567')).toEqual([]);
    expect(values('ts=20240101123045123456')).toEqual([]);
    expect(values('session=ab11010519491231002X')).toEqual([]);
    expect(values('amount=0.11010519491231002')).toEqual([]);
  });

  it('finds legacy 15-digit ids with a real yymmdd date after an identity keyword, at lower confidence', () => {
    expect(residentIdDetector.detect('老证号:110105491231002')).toMatchObject([{ value: '110105491231002', confidence: 0.8 }]);
    // an IMEI or an order number of the same shape is not an id
    expect(values('IMEI 110105491231002')).toEqual([]);
    expect(values('订单号 110105491231002')).toEqual([]);
    expect(values('110105491231002')).toEqual([]);
    expect(values('老证号:110105490230002')).toEqual([]);
    expect(values('老证号:990105491231002')).toEqual([]);
  });

  it('is not fooled by a timestamp-shaped 18-digit run', () => {
    expect(values('trace=202401011230451234')).toEqual([]);
  });
});
