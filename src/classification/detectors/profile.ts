import { endianness } from 'node:os';
import type { TextProfile } from './types.js';

/** The 31 province-level abbreviations used as the first character of civilian licence plates. */
export const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

// 使 opens embassy plates.
const PROVINCE_CODES = new Set([...PLATE_PROVINCES, '使'].map((char) => char.charCodeAt(0)));
const DIGIT_0 = 48;
const DIGIT_4 = 52;
const DIGIT_9 = 57;
const DOT = 46;
const AT = 64;
const PERCENT = 37;
const SPACE = 32;
const HYPHEN = 45;
/** Decimals of a coordinate precise to about 10 m, the least location.ts reports. */
export const PRECISE_DECIMALS = 4;
// Longer tokens than this are noted by no detector.
const MAX_TOKEN_BIT = 30;

const isDigit = (code: number) => code >= DIGIT_0 && code <= DIGIT_9;
const isAsciiAlnum = (code: number) => isDigit(code) || ((code | 0x20) >= 97 && (code | 0x20) <= 122);

/** The `tokenLengths` bits of these lengths, to test a profile with one `&`. */
export function tokenBits(...lengths: number[]): number {
  return lengths.reduce((bits, length) => bits | (1 << length), 0);
}

/** Most texts have no token of a document's length: they share this. */
const NO_TOKENS: readonly number[] = Object.freeze([]);

export function blankProfile(): TextProfile {
  return { longestDigitRun: 0, digitCount: 0, longestDigitChain: 0, preciseDecimals: 0, tokenLengths: 0, hasAt: false, hasPlateProvince: false, length: 0, wholeTokens: NO_TOKENS };
}

/** The token lengths `TextProfile.wholeTokens` keeps. */
export const WHOLE_TOKEN_LENGTHS = tokenBits(8, 9, 11, 15, 17, 18);

/**
 * The matches of a whole-token pattern (`(?<![0-9A-Za-z])…(?![0-9A-Za-z])` around ASCII letters
 * and digits, sticky) among the profiled whole tokens of `lengths` (bits, within
 * WHOLE_TOKEN_LENGTHS), in order: what a global search of the text finds in tokens with a digit,
 * tried only where it can match. Every document number has digits, and a VIN ends in four. Run
 * over a whole Windows record, seven such patterns searched everywhere cost some 15 µs and found
 * nothing.
 */
export function wholeTokenMatches(text: string, profile: TextProfile, pattern: RegExp, lengths: number): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  const tokens = profile.wholeTokens;
  for (let k = 0; k < tokens.length; k += 2) {
    if (((lengths >> tokens[k + 1]) & 1) === 0) continue;
    pattern.lastIndex = tokens[k];
    const match = pattern.exec(text);
    if (match) found.push(match);
  }
  return found;
}

/**
 * Shorter texts are copied a character at a time: the native copy costs 60-100 ns a call whatever
 * the length, the loop about 3.5 ns a character (measured over sliced, concatenated and flat
 * strings alike), so the two meet at about two dozen characters.
 */
const NATIVE_COPY_FROM = 24;
/** Texts up to this long are copied into one kept buffer; longer ones into one of their own. */
const SCRATCH_UNITS = 65_536;
let scratch = new Uint16Array(1024);
let scratchBytes = Buffer.from(scratch.buffer);
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The text's UTF-16 code units in a typed array, valid until the next call. Read with charCodeAt,
 * the profile ran at 12-14 ns a character once it had met strings of two indirect kinds (slices,
 * concatenations, internalized copies: an event's fields are all of them), against 5-6 ns for
 * flat strings only; copied natively and read from an array, at about 4 ns whatever the kind.
 */
function codeUnits(text: string): Uint16Array {
  if (text.length < NATIVE_COPY_FROM) {
    for (let i = 0; i < text.length; i++) scratch[i] = text.charCodeAt(i);
    return scratch;
  }
  let codes = scratch;
  let bytes = scratchBytes;
  if (text.length > scratch.length) {
    codes = new Uint16Array(text.length);
    bytes = Buffer.from(codes.buffer);
    if (text.length <= SCRATCH_UNITS) {
      scratch = codes;
      scratchBytes = bytes;
    }
  }
  const written = bytes.write(text, 0, 'utf16le');
  if (!LITTLE_ENDIAN) bytes.subarray(0, written).swap16();
  return codes;
}

/**
 * A single linear pass over the text; far cheaper than running seven detectors' regexes on every
 * field. Tokens and digit runs are consumed by their own inner loops, so most characters cost one
 * test. Written into `into`, so a caller that reads it at once need not allocate one per text.
 */
export function profileText(text: string, into: TextProfile = blankProfile()): TextProfile {
  const codes = codeUnits(text);
  let longestDigitRun = 0;
  let digitCount = 0;
  let preciseDecimals = 0;
  // The last digit run: a run after a '.' right behind it is its number's decimals.
  let runEnd = -1;
  let runLength = 0;
  let hasAt = false;
  let hasPlateProvince = false;
  let longestDigitChain = 0;
  let tokenLengths = 0;
  let wholeTokens: number[] | undefined;
  let chain = 0;
  // Where the last digit run ended: a run starting one separator later continues its chain.
  let chainEnd = -2;
  const length = text.length;
  let i = 0;
  while (i < length) {
    let code = codes[i];
    if (!isAsciiAlnum(code)) {
      if (code === AT) hasAt = true;
      else if (code === PERCENT && i + 2 < length && codes[i + 1] === DIGIT_4 && codes[i + 2] === DIGIT_0) hasAt = true;
      else if (code >= 0x4e00 && PROVINCE_CODES.has(code)) hasPlateProvince = true;
      i++;
      continue;
    }
    const tokenStart = i;
    const digitsBefore = digitCount;
    do {
      if (!isDigit(code)) {
        i++;
        continue;
      }
      const runStart = i;
      do i++;
      while (i < length && isDigit((code = codes[i])));
      const run = i - runStart;
      digitCount += run;
      if (run > longestDigitRun) longestDigitRun = run;
      if (run >= PRECISE_DECIMALS && runEnd === runStart - 1 && runLength <= 3 && codes[runEnd] === DOT) preciseDecimals++;
      runEnd = i;
      runLength = run;
      // Only a run that is a whole token links into a chain, as the card and mobile patterns need:
      // a GUID's groups (`DC1D-000000004002`) would otherwise chain to a card's length.
      if (runStart === tokenStart && !(i < length && isAsciiAlnum(code))) {
        const separator = runStart === chainEnd + 1 ? codes[chainEnd] : 0;
        chain = separator === SPACE || separator === HYPHEN ? chain + run : run;
        chainEnd = i;
        if (chain > longestDigitChain) longestDigitChain = chain;
      }
    } while (i < length && isAsciiAlnum((code = codes[i])));
    const token = i - tokenStart;
    if (token <= MAX_TOKEN_BIT) {
      tokenLengths |= 1 << token;
      if (((WHOLE_TOKEN_LENGTHS >> token) & 1) !== 0 && digitCount > digitsBefore) (wholeTokens ??= []).push(tokenStart, token);
    }
  }
  into.longestDigitRun = longestDigitRun;
  into.digitCount = digitCount;
  into.longestDigitChain = longestDigitChain;
  into.preciseDecimals = preciseDecimals;
  into.tokenLengths = tokenLengths;
  into.hasAt = hasAt;
  into.hasPlateProvince = hasPlateProvince;
  into.length = length;
  into.wholeTokens = wholeTokens ?? NO_TOKENS;
  return into;
}
