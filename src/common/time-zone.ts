import { ValidateBy } from 'class-validator';

/** The zone the console shows times in unless the user chose another. */
export const DEFAULT_DISPLAY_TIME_ZONE = 'Asia/Shanghai';

export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Validates an IANA time zone name the runtime knows, e.g. Asia/Shanghai. */
export function IsTimeZone() {
  return ValidateBy({ name: 'isTimeZone', validator: { validate: isTimeZone, defaultMessage: (args) => `${args?.property ?? 'value'} must be an IANA time zone such as Asia/Shanghai` } });
}
