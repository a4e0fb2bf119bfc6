import { dateToWallClock, wallClockToDate, zoneOffsetMs } from '../../console/src/core/zones.js';
import { localToUtc, zoneOffsetMinutes } from '../../src/ingest/parsing/time.js';

const ZONES = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Kolkata', 'Europe/Berlin', 'America/New_York', 'UTC'];
// Around the 2026 European and American clock changes, and ordinary days.
const INSTANTS = ['2026-01-15T04:00:00Z', '2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z', '2026-03-29T00:30:00Z', '2026-03-29T01:30:00Z', '2026-07-01T12:00:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'].map(Date.parse);

describe('the console’s zone arithmetic agrees with the server’s', () => {
  it('gives the same offsets', () => {
    for (const tz of ZONES) for (const at of INSTANTS) expect({ tz, at, offset: zoneOffsetMs(tz, at) }).toEqual({ tz, at, offset: zoneOffsetMinutes(tz, at) * 60_000 });
  });

  it('reads a wall-clock time in a zone as the server does, and writes it back', () => {
    for (const tz of ZONES) {
      for (const at of INSTANTS) {
        const wall = dateToWallClock(new Date(at), tz);
        const [, y, mo, d, h, mi] = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+)$/.exec(wall)!.map(Number);
        expect({ tz, wall, at: wallClockToDate(wall, tz)!.getTime() }).toEqual({ tz, wall, at: localToUtc(tz, y, mo - 1, d, h, mi, 0) });
      }
    }
    expect(wallClockToDate('2026-03-10T13:30', 'Asia/Shanghai')!.toISOString()).toBe('2026-03-10T05:30:00.000Z');
    expect(wallClockToDate('not a time', 'Asia/Shanghai')).toBeUndefined();
  });
});
