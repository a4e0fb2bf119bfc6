import { formatIso } from './iso-time.js';

describe('formatIso', () => {
  const dateOwn = (ms: number) => new Date(ms).toISOString();

  it('writes what Date#toISOString writes, across days, years, leap days and the edges of its fast path', () => {
    const instants = [
      0, 1, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000, 86_399_999, 86_400_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), Date.UTC(2025, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999), 253_402_300_800_000, 8.64e15,
      -1, -86_400_000, -62_198_755_200_000, -8.64e15,
    ];
    // a seeded walk, forwards and back, as a file's timestamps and a stream's receive times go
    let seed = 20261206;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let at = Date.UTC(2025, 11, 25, 14, 30, 27, 369);
    for (let i = 0; i < 5000; i++) {
      at += Math.floor((next() - 0.3) * [1_000, 90_000, 7 * 86_400_000][i % 3]);
      instants.push(at);
    }
    for (let i = 0; i < 2000; i++) instants.push(Math.floor(next() * 253_402_300_800_000));
    // a shipper's time and the line's own, days apart, one after the other
    for (let i = 0; i < 200; i++) instants.push(Date.UTC(2026, 0, 1) + i * 250, Date.UTC(2015, 9, 17, 6, 1) + i * 1000);
    // every 1 March and 28 February from 1970 to 9999, where the arithmetic turns the year
    for (let year = 1970; year <= 9999; year++) instants.push(Date.UTC(year, 2, 1), Date.UTC(year, 1, 28, 23, 59, 59, 999));
    for (const ms of instants) expect({ ms, iso: formatIso(ms) }).toEqual({ ms, iso: dateOwn(ms) });
  });

  it('leaves a fraction of a millisecond to Date, which truncates it, and refuses what Date refuses', () => {
    for (const ms of [1.5, Date.UTC(2025, 0, 1) + 0.999, 86_399_999.9]) expect(formatIso(ms)).toBe(dateOwn(ms));
    expect(() => formatIso(NaN)).toThrow(RangeError);
    expect(() => formatIso(8.64e15 + 1)).toThrow(RangeError);
  });
});
