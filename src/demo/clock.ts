/**
 * Time and chance for the demo's generated logs. The demo city is in China, whose clocks are
 * UTC+8 all year, so wall-clock times are written at that fixed offset; lines that carry no zone
 * are ingested with the zone Asia/Shanghai.
 */

export const DEMO_TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3_600_000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number) => String(n).padStart(2, '0');

function wall(ms: number) {
  const d = new Date(ms + OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hms: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`,
    hour: d.getUTCHours(),
    millis: String(d.getUTCMilliseconds()).padStart(3, '0'),
  };
}

/** Hour of the day in the city (0-23). */
export const localHour = (ms: number): number => wall(ms).hour;

/** Start of the city's calendar day holding `ms`. */
export const localMidnight = (ms: number): number => Math.floor((ms + OFFSET_MS) / 86_400_000) * 86_400_000 - OFFSET_MS;

/** Access-log time: `10/Jun/2026:14:03:22 +0800`. */
export function accessLogTime(ms: number): string {
  const w = wall(ms);
  return `${two(w.day)}/${MONTHS[w.month]}/${w.year}:${w.hms} +0800`;
}

/** RFC 5424 / ISO 8601 with the offset: `2026-06-10T14:03:22.123+08:00`. */
export function isoLocal(ms: number): string {
  const w = wall(ms);
  return `${w.year}-${two(w.month + 1)}-${two(w.day)}T${w.hms}.${w.millis}+08:00`;
}

/** `2026-06-10` and `14:03:22`, as firewalls write them in key=value logs. */
export function dateAndTime(ms: number): [string, string] {
  const w = wall(ms);
  return [`${w.year}-${two(w.month + 1)}-${two(w.day)}`, w.hms];
}

/** RFC 3164 time without a year: `Jun 10 14:03:22`, the day padded with a space (`Jun  1`). */
export function syslogTime(ms: number): string {
  const w = wall(ms);
  return `${MONTHS[w.month]} ${String(w.day).padStart(2, ' ')} ${w.hms}`;
}

/** Apache error-log time: `Wed Jun 10 14:03:22 2026`. */
export function apacheErrorTime(ms: number): string {
  const w = wall(ms);
  return `${WEEKDAYS[w.weekday]} ${MONTHS[w.month]} ${two(w.day)} ${w.hms} ${w.year}`;
}

/** A small seeded generator (SplitMix32), so a demo built from the same seed is the same demo. */
export class Chance {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4_294_967_296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A value around `base`, at most `spread` away. */
  around(base: number, spread: number, digits: number): number {
    return Number((base + (this.next() * 2 - 1) * spread).toFixed(digits));
  }

  /** How many of a stream's events fall in a stretch where `expected` are due on average. */
  count(expected: number): number {
    return Math.floor(expected) + (this.next() < expected - Math.floor(expected) ? 1 : 0);
  }
}

/** A stable number for a string, to give each device its own phase and seed. */
export function hashOf(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619) >>> 0;
  return h;
}
