export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Milliseconds since the epoch. Registry dates (`YYYY-MM-DD`) are days on a Chinese calendar,
 * so they start at Beijing midnight, not UTC midnight. A date the snapshot builder got wrong
 * throws: a silent NaN would make every comparison false and turn failures into passes.
 */
export function instant(text: string): number {
  const ms = Date.parse(DATE_ONLY.test(text) ? `${text}T00:00:00+08:00` : text);
  if (Number.isNaN(ms)) throw new Error(`facts snapshot: not a date: ${JSON.stringify(text)}`);
  return ms;
}

/** Whole days from `from` to `to` (negative when `from` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.floor((instant(to) - instant(from)) / DAY_MS);
}

/** Hours, to one decimal: enough precision for deadlines counted in hours. */
export function hours(ms: number): number {
  return Math.round((ms / HOUR_MS) * 10) / 10;
}

/** The Beijing calendar year an instant falls in. */
export function beijingYear(ms: number): number {
  return new Date(ms + 8 * HOUR_MS).getUTCFullYear();
}

/**
 * The Beijing calendar day `months` months before `at`, as YYYY-MM-DD (a day missing from the
 * shorter month, e.g. 31 August − 6 months, falls back to that month's last day).
 */
export function monthsBefore(at: string, months: number): string {
  const local = new Date(instant(at) + 8 * HOUR_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = new Date(Date.UTC(year, month, Math.min(local.getUTCDate(), lastDay)));
  return day.toISOString().slice(0, 10);
}

/**
 * Six calendar months last 181 to 184 days; a retention counted in days meets "six months" on
 * every day of the year only at the longest span (July to December: 184 days).
 */
export const LONGEST_SIX_MONTHS_DAYS = 184;
