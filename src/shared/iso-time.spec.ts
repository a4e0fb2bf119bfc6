import { formatIso, parseIso } from './iso-time.js';

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

describe('parseIso', () => {
  it('reads what Date.parse reads, for the texts formatIso writes and for every other text', () => {
    let seed = 20261207;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const texts: string[] = [];
    let at = Date.UTC(2026, 2, 11, 5, 16, 41, 816);
    for (let i = 0; i < 5000; i++) {
      at += Math.floor((next() - 0.3) * [1_000, 90_000, 3 * 86_400_000][i % 3]);
      texts.push(formatIso(at));
    }
    for (let i = 0; i < 500; i++) texts.push(new Date(Math.floor((next() * 2 - 1) * 8.64e15)).toISOString());
    // near misses of the canonical form, each after a text of the same day
    const day = '2026-03-11T';
    for (const time of ['23:59:59.999Z', '24:00:00.000Z', '23:60:00.000Z', '23:59:60.000Z', '1a:00:00.000Z', '12:00:00.00xZ', '12:00:00,000Z', '12-00:00.000Z', '12:00:00.000z', '12:00:00.000+', '00:00:00.000Z']) {
      texts.push(`${day}05:00:00.000Z`, day + time);
    }
    texts.push('2026-03-11T05:00:00Z', '2026-03-11T05:00:00.000+08:00', '2026-03-11 05:00:00.000Z', '', 'garbage', '1970-01-01T00:00:00.000Z', '0000-03-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z');
    for (const text of texts) expect({ text, ms: parseIso(text) }).toEqual({ text, ms: Date.parse(text) });
  });
});
