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

/** The day of the last text `parseIso` read through Date ("2025-12-25T"), and where it starts. */
let readPrefix = '\u0000';
let readDayStart = NaN;
/** An ISO instant as `formatIso` writes it: "2025-12-25T14:30:27.369Z". */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The decimal digit at `i`, or NaN. */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
}

const digits2 = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/** Milliseconds since midnight of the "hh:mm:ss.sssZ" at the end of a 24-character text, or NaN. */
function timeOfDay(text: string): number {
  const hours = digits2(text, 11);
  const minutes = digits2(text, 14);
  const seconds = digits2(text, 17);
  const milli = digits2(text, 20) * 10 + digit(text, 22);
  if (hours < 24 && minutes < 60 && seconds < 60 && milli >= 0 && text[13] === ':' && text[16] === ':' && text[19] === '.' && text.charCodeAt(23) === 90 /* Z */) {
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + milli;
  }
  return NaN;
}

/**
 * What `Date.parse` gives, at a fraction of its cost for the texts `formatIso` writes: the events
 * of a batch mostly fall on one day, so a text of the day last read through Date is read from
 * its time of day alone. Any other text goes to Date.parse.
 */
export function parseIso(text: string): number {
  if (text.length === 24 && text.startsWith(readPrefix)) {
    const ms = timeOfDay(text);
    if (ms >= 0) return readDayStart + ms;
  }
  const ms = Date.parse(text);
  if (Number.isFinite(ms) && CANONICAL.test(text)) {
    // the day from the date itself: Date reads 24:00 as the next day's midnight
    const time = timeOfDay(text);
    if (time >= 0) {
      readPrefix = text.slice(0, 11);
      readDayStart = ms - time;
    }
  }
  return ms;
}
