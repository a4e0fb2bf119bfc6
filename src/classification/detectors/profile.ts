import type { TextProfile } from './types.js';

/** The 31 province-level abbreviations used as the first character of civilian licence plates. */
export const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

// 使 opens embassy plates.
const PROVINCE_CODES = new Set([...PLATE_PROVINCES, '使'].map((char) => char.charCodeAt(0)));
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DOT = 46;
const AT = 64;
const PERCENT = 37;
const SPACE = 32;
const HYPHEN = 45;
// Longer tokens than this are noted by no detector.
const MAX_TOKEN_BIT = 30;

const isDigit = (code: number) => code >= DIGIT_0 && code <= DIGIT_9;
const isAsciiAlnum = (code: number) => isDigit(code) || ((code | 0x20) >= 97 && (code | 0x20) <= 122);

/** The `tokenLengths` bits of these lengths, to test a profile with one `&`. */
export function tokenBits(...lengths: number[]): number {
  return lengths.reduce((bits, length) => bits | (1 << length), 0);
}

export function blankProfile(): TextProfile {
  return { longestDigitRun: 0, digitCount: 0, longestDigitChain: 0, longestFraction: 0, tokenLengths: 0, hasAt: false, hasPlateProvince: false, length: 0 };
}

/**
 * A single linear pass over the text; far cheaper than running seven detectors' regexes on every
 * field. Tokens and digit runs are consumed by their own inner loops, so most characters cost one
 * test. Written into `into`, so a caller that reads it at once need not allocate one per text.
 */
export function profileText(text: string, into: TextProfile = blankProfile()): TextProfile {
  let longestDigitRun = 0;
  let digitCount = 0;
  let longestFraction = 0;
  let hasAt = false;
  let hasPlateProvince = false;
  let longestDigitChain = 0;
  let tokenLengths = 0;
  let chain = 0;
  // Where the last digit run ended: a run starting one separator later continues its chain.
  let chainEnd = -2;
  const length = text.length;
  let i = 0;
  while (i < length) {
    let code = text.charCodeAt(i);
    if (!isAsciiAlnum(code)) {
      if (code === AT) hasAt = true;
      else if (code === PERCENT && text.startsWith('40', i + 1)) hasAt = true;
      else if (code >= 0x4e00 && PROVINCE_CODES.has(code)) hasPlateProvince = true;
      i++;
      continue;
    }
    const tokenStart = i;
    do {
      if (!isDigit(code)) {
        i++;
        continue;
      }
      const runStart = i;
      do i++;
      while (i < length && isDigit((code = text.charCodeAt(i))));
      const run = i - runStart;
      digitCount += run;
      if (run > longestDigitRun) longestDigitRun = run;
      if (runStart > 0 && text.charCodeAt(runStart - 1) === DOT && run > longestFraction) longestFraction = run;
      const separator = runStart === chainEnd + 1 ? text.charCodeAt(chainEnd) : 0;
      chain = separator === SPACE || separator === HYPHEN ? chain + run : run;
      chainEnd = i;
      if (chain > longestDigitChain) longestDigitChain = chain;
    } while (i < length && isAsciiAlnum((code = text.charCodeAt(i))));
    const token = i - tokenStart;
    if (token <= MAX_TOKEN_BIT) tokenLengths |= 1 << token;
  }
  into.longestDigitRun = longestDigitRun;
  into.digitCount = digitCount;
  into.longestDigitChain = longestDigitChain;
  into.longestFraction = longestFraction;
  into.tokenLengths = tokenLengths;
  into.hasAt = hasAt;
  into.hasPlateProvince = hasPlateProvince;
  into.length = length;
  return into;
}
