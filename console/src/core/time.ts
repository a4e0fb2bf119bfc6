import { formatNumber, language, t } from './i18n.js';
import { dateToWallClock as toWallClock, wallClockToDate as toDate } from './zones.js';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
let zone = DEFAULT_TIME_ZONE;

/** The zone every time is shown in: the user's choice, else Asia/Shanghai. */
export function timeZone(): string {
  return zone;
}

export function setTimeZone(tz: string | null | undefined): void {
  zone = tz || DEFAULT_TIME_ZONE;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'datetime' | 'time' | 'date'): Intl.DateTimeFormat {
  const key = `${kind}|${language()}|${zone}`;
  let f = formatters.get(key);
  if (!f) {
    const parts: Intl.DateTimeFormatOptions =
      kind === 'time' ? { hour: '2-digit', minute: '2-digit' } : kind === 'date' ? { month: '2-digit', day: '2-digit' } : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' };
    f = new Intl.DateTimeFormat(language(), { ...parts, hourCycle: 'h23', timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

export function formatDateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : formatter('datetime').format(d);
}

export function formatTime(value: string | number | Date): string {
  return formatter('time').format(new Date(value));
}

/** Short labels for chart axes: the time of day, or the day when buckets are a day or longer. */
export function formatAxis(value: string | number, bucketMs: number): string {
  const d = new Date(value);
  return bucketMs >= 86_400_000 ? formatter('date').format(d) : bucketMs >= 6 * 3_600_000 ? `${formatter('date').format(d)} ${formatter('time').format(d)}` : formatter('time').format(d);
}

/** A `datetime-local` value read as wall-clock time in the display zone. */
export function wallClockToDate(value: string): Date | undefined {
  return toDate(value, zone);
}

/** The `datetime-local` value showing this instant in the display zone. */
export function dateToWallClock(date: Date): string {
  return toWallClock(date, zone);
}

/** Zones offered in the preferences; the user's current one is added when it is not among them. */
export const COMMON_TIME_ZONES = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Tokyo', 'Asia/Singapore', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'UTC'];

export const INTERVAL_UNITS = { minutes: 1, hours: 60, days: 1440 } as const;
export type IntervalUnit = keyof typeof INTERVAL_UNITS;

/** Minutes in the largest unit that divides them; one day stays 24 hours, as people say it. */
export function intervalIn(minutes: number): { n: number; unit: IntervalUnit } {
  if (minutes % 1440 === 0 && minutes > 1440) return { n: minutes / 1440, unit: 'days' };
  if (minutes % 60 === 0) return { n: minutes / 60, unit: 'hours' };
  return { n: minutes, unit: 'minutes' };
}

/** A reporting interval in words (interval.* in the catalogues), e.g. every 15 min. */
export function formatInterval(minutes: number): string {
  const { n, unit } = intervalIn(minutes);
  return t(`interval.${unit}`, { n: formatNumber(n) });
}
