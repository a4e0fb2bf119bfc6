/**
 * JSON deeper than this is refused before it is parsed. Taishi's own documents nest a handful of
 * levels and Windows events a dozen; V8 takes seconds on a few megabytes of `[[[[…` and
 * class-transformer recurses on every level, so depth is what turns a small body into a stall.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether the text nests arrays or objects deeper than `limit`, in one pass that skips strings. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export class JsonTooDeepError extends Error {
  constructor(readonly limit: number) {
    super(`JSON nests deeper than ${limit} levels`);
  }
}

/** JSON.parse that refuses pathological nesting first (cheap: short texts cannot nest deeply). */
export function parseBoundedJson(text: string, limit = MAX_JSON_DEPTH): unknown {
  if (text.length > limit * 2 && nestsDeeperThan(text, limit)) throw new JsonTooDeepError(limit);
  return JSON.parse(text);
}
