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
