/**
 * Wall-clock arithmetic in a named zone, for the browser (which cannot import the server's
 * src/ingest/parsing/time.ts). test/unit/console-zones.test.ts holds both to the same answers.
 */

/** How far the zone is ahead of UTC at that instant, in milliseconds. */
export function zoneOffsetMs(tz: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** A `datetime-local` value (YYYY-MM-DDTHH:mm) read as wall-clock time in the zone. */
export function wallClockToDate(value: string, tz: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return undefined;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // A second pass settles the offset for wall times next to a zone change.
  const first = asUtc - zoneOffsetMs(tz, asUtc);
  return new Date(asUtc - zoneOffsetMs(tz, first));
}

/** The `datetime-local` value showing this instant in the zone. */
export function dateToWallClock(date: Date, tz: string): string {
  return new Date(date.getTime() + zoneOffsetMs(tz, date.getTime())).toISOString().slice(0, 16);
}
