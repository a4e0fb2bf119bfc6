/** ISO 8601 text of instants, made fast for the ingest path. */

const DAY_MS = 86_400_000;
/** Where the day `dayPrefix` names starts (epoch ms), and its ISO date with the T ("2025-12-25T"). */
let dayStart = NaN;
let dayPrefix = '';
/** The first instant of year 10000, past which toISOString writes six-digit years. */
const YEAR_10000 = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * "yyyy-mm-ddT" of a day counted from 1970-01-01 (day 0), in the proleptic Gregorian calendar, by
 * integer arithmetic: eras of 400 years, years that start on 1 March so that the leap day ends one.
 * Days of years 1970 to 9999 only (four-digit years).
 */
function datePrefix(days: number): string {
  const shifted = days + 719_468; // from 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
}

/**
 * What `new Date(ms).toISOString()` gives, at a fraction of its cost: the events of a batch mostly
 * fall on one day, so the date is worked out once per day (see `datePrefix`), each time of day
 * from tables. Instants before 1970, from year 10000 on, and fractions of a millisecond go to
 * Date itself.
 */
export function formatIso(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  let rest = ms - dayStart;
  if (!(rest >= 0 && rest < DAY_MS)) {
    rest = ms % DAY_MS;
    dayStart = ms - rest;
    dayPrefix = datePrefix(dayStart / DAY_MS);
  }
  const milli = rest % 1000;
  const seconds = (rest - milli) / 1000;
  const minutes = Math.floor(seconds / 60);
  return `${dayPrefix}${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]}:${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[milli]}Z`;
}
