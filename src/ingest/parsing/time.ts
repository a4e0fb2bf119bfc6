/**
 * Timestamps as logs write them: without a year (RFC 3164), without a zone (most local logs),
 * with numeric epochs of unknown unit. Everything ends as epoch milliseconds.
 */
import { formatIso } from '../../shared/iso-time.js';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

/** 0-based month for an English three-letter abbreviation, or undefined. */
export function monthIndex(name: string): number | undefined {
  return MONTHS[name];
}

const DAY_MS = 86_400_000;
const OFFSET_RE = /^([+-])(\d\d):?(\d\d)$/;

type Zone = { fixedMinutes: number } | { formatter: Intl.DateTimeFormat; byQuarterHour: Map<number, number> };
const zones = new Map<string, Zone>();

function zoneFor(name: string): Zone {
  let zone = zones.get(name);
  if (zone) return zone;
  const m = OFFSET_RE.exec(name);
  if (m) zone = { fixedMinutes: (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) };
  else if (name === 'UTC' || name === 'Z') zone = { fixedMinutes: 0 };
  else {
    let formatter: Intl.DateTimeFormat;
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: name, hourCycle: 'h23',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      // a misconfigured zone must not stop ingestion; the product's home zone is the best guess
      return zoneFor(DEFAULT_TIME_ZONE);
    }
    zone = { formatter, byQuarterHour: new Map() };
  }
  zones.set(name, zone);
  return zone;
}

/** Offset of `zone` from UTC in minutes at the instant `utcMs`. */
export function zoneOffsetMinutes(zoneName: string, utcMs: number): number {
  const zone = zoneFor(zoneName);
  if ('fixedMinutes' in zone) return zone.fixedMinutes;
  // Intl is slow per call and offsets only change on quarter-hour boundaries
  const bucket = Math.floor(utcMs / 900_000);
  const cached = zone.byQuarterHour.get(bucket);
  if (cached !== undefined) return cached;
  const parts: Record<string, number> = {};
  for (const p of zone.formatter.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
  if (zone.byQuarterHour.size > 10_000) zone.byQuarterHour.clear();
  zone.byQuarterHour.set(bucket, offset);
  return offset;
}

/** Epoch ms of a wall-clock time in `zone` (month 0-based). */
export function localToUtc(
  zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number, ms = 0,
): number {
  const wall = Date.UTC(year, month, day, hour, minute, second, ms);
  const first = wall - zoneOffsetMinutes(zone, wall) * 60_000;
  // one correction step settles instants next to an offset change
  return wall - zoneOffsetMinutes(zone, first) * 60_000;
}

/** Calendar year of `instant` as seen in `zone`. */
export function yearIn(zone: string, instant: number): number {
  return new Date(instant + zoneOffsetMinutes(zone, instant) * 60_000).getUTCFullYear();
}

/**
 * RFC 3164 dates carry no year: take the reference year, unless that puts the event more than a
 * day in the future (a December line read in January), then the year before.
 */
export function inferYearAndConvert(
  zone: string, now: number, month: number, day: number, hour: number, minute: number, second: number, ms = 0,
): number {
  const year = yearIn(zone, now);
  const candidate = localToUtc(zone, year, month, day, hour, minute, second, ms);
  return candidate > now + DAY_MS ? localToUtc(zone, year - 1, month, day, hour, minute, second, ms) : candidate;
}

/** Milliseconds from a fraction-of-second string of any precision ("5", "123456"). */
export function fractionToMs(fraction: string | undefined): number {
  return fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
}

const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i;
const SLASH_RE = /^(\d{4})\/(\d\d)\/(\d\d)[ T](\d\d):(\d\d):(\d\d)$/;

/** ISO 8601 / RFC 3339 and "yyyy-mm-dd hh:mm:ss" (zone-less means `zone`); NaN when unparseable. */
export function parseDateTime(text: string, zone: string): number {
  const m = ISO_RE.exec(text) ?? SLASH_RE.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return NaN;
  const ms = fractionToMs(m[7]);
  const offset = m[8];
  if (!offset) return localToUtc(zone, year, month - 1, day, hour, minute, second, ms);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (offset === 'Z' || offset === 'z') return wall;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
}

/**
 * A timestamp value from JSON or key=value data: ISO-like strings or epoch numbers, whose unit is
 * guessed from magnitude (s, ms, µs, ns — all in use by devices). NaN when not a time.
 */
export function parseTimeValue(value: unknown, zone: string): number {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? epochToMs(value) : NaN;
  if (typeof value !== 'string' || value.length === 0) return NaN;
  if (/^\d+(\.\d+)?$/.test(value)) return epochToMs(Number(value));
  return parseDateTime(value, zone);
}

function epochToMs(n: number): number {
  if (n < 1e11) return Math.round(n * 1000);
  if (n < 1e14) return Math.round(n);
  if (n < 1e17) return Math.round(n / 1000);
  return Math.round(n / 1e6);
}

let lastMs = NaN;
let lastIso = '';
let earlierMs = NaN;
let earlierIso = '';

/**
 * Consecutive lines mostly share a receive time and often a second. Each event asks for both (its
 * receive time and its own), so the two most recently used values are remembered: the events of
 * a batch then share one string for each, where `formatIso` would build a new one every time.
 */
export function toIso(ms: number): string {
  if (ms === lastMs) return lastIso;
  const iso = ms === earlierMs ? earlierIso : formatIso(ms);
  earlierMs = lastMs;
  earlierIso = lastIso;
  lastMs = ms;
  lastIso = iso;
  return iso;
}

/** ISO string for valid epoch ms, otherwise undefined. */
export function isoOrUndefined(ms: number): string | undefined {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? toIso(ms) : undefined;
}
