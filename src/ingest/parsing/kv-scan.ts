/**
 * Scanner for `key=value` text as firewalls, PAM and netfilter write it: pairs separated by
 * blanks (commas and semicolons tolerated), values bare, empty (`ruser=`) or quoted with " or '
 * and backslash escapes. Tokens that are not pairs are skipped.
 */
export interface ScannedPairs {
  pairs: Record<string, string>;
  pairCount: number;
  /** Whether the first token of the text was a pair; free text with a pair inside is not kv. */
  startsWithPair: boolean;
}

function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95; // a-z A-Z _
}

function isKeyChar(c: number): boolean {
  return isKeyStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45; // 0-9 . -
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 44 || c === 59; // space tab , ;
}

export function scanPairs(text: string, start = 0): ScannedPairs {
  const pairs: Record<string, string> = Object.create(null);
  let pairCount = 0;
  let startsWithPair = false;
  let first = true;
  let i = start;
  const n = text.length;
  while (i < n) {
    while (i < n && isSeparator(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const keyStart = i;
    if (isKeyStart(text.charCodeAt(i))) {
      i++;
      while (i < n && isKeyChar(text.charCodeAt(i))) i++;
    }
    if (i > keyStart && text.charCodeAt(i) === 61 /* = */) {
      const key = text.slice(keyStart, i);
      i++;
      let value: string;
      const q = text[i];
      if (q === '"' || q === "'") {
        i++;
        let out = '';
        let runStart = i;
        while (i < n && text[i] !== q) {
          if (text[i] === '\\' && i + 1 < n) {
            out += text.slice(runStart, i) + text[i + 1];
            i += 2;
            runStart = i;
          } else i++;
        }
        value = out + text.slice(runStart, i);
        i++; // closing quote (or end of an unterminated value)
      } else {
        const valueStart = i;
        while (i < n && !isBlank(text.charCodeAt(i))) i++;
        // "name=bob, UID=1001": the comma separates pairs, it is not part of the value
        let valueEnd = i;
        const last = text.charCodeAt(valueEnd - 1);
        if (valueEnd > valueStart && (last === 44 || last === 59)) valueEnd--;
        value = text.slice(valueStart, valueEnd);
      }
      pairs[key] = value;
      pairCount++;
      if (first) startsWithPair = true;
    } else {
      while (i < n && !isBlank(text.charCodeAt(i))) i++;
    }
    first = false;
  }
  return { pairs, pairCount, startsWithPair };
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
