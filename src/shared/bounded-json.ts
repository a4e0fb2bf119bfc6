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

/**
 * Whether the text holds more than `limit` opening brackets, strings included. Fewer cannot nest
 * deeper than `limit`; counted with indexOf, which costs an eighth of walking the text.
 */
function opensMoreThan(text: string, limit: number): boolean {
  let opened = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) if (++opened > limit) return true;
  }
  return false;
}

/**
 * JSON.parse that refuses pathological nesting first (cheap: short texts, and texts with few
 * brackets, cannot nest deeply, so an ordinary log line is never walked).
 */
export function parseBoundedJson(text: string, limit = MAX_JSON_DEPTH): unknown {
  if (text.length > limit * 2 && opensMoreThan(text, limit) && nestsDeeperThan(text, limit)) throw new JsonTooDeepError(limit);
  return JSON.parse(text);
}
