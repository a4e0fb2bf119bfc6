import { profileText, tokenBits, wholeTokenMatches } from './profile.js';
import type { Candidate, Detector } from './types.js';

/**
 * Vehicle identification numbers (ISO 3779). The check digit in position 9 is required: it is
 * mandatory in North America and in China (GB 16735), the VINs this product sees. European VINs
 * that do not carry it are missed rather than guessed at, because an unchecked 17-character token
 * is too often a serial number or an API key.
 */
export const VIN_PATTERN = /(?<![0-9A-Za-z])[A-HJ-NPR-Z0-9]{17}(?![0-9A-Za-z])/y;
const VIN_TOKEN = tokenBits(17);
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
// Letter values of ISO 3779 Annex, indexed from 'A'; I, O and Q are not allowed and never reached.
const LETTER_VALUES = [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9];

export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const code = vin.charCodeAt(i);
    const value = code <= 57 ? code - 48 : LETTER_VALUES[code - 65];
    sum += value * WEIGHTS[i];
  }
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

export function isValidVin(vin: string): boolean {
  return (
    /^[A-HJ-NPR-Z0-9]{17}$/.test(vin) &&
    /[A-Z]/.test(vin) && // manufacturer codes contain letters; 17 bare digits are some other number
    /\d{4}$/.test(vin) && // ISO 3779: the last four characters of the serial are numeric
    vinCheckDigit(vin) === vin[8]
  );
}

export const vinDetector: Detector = {
  type: 'vin',
  sensitive: false,
  applies: (profile) => profile.longestDigitRun >= 4 && (profile.tokenLengths & VIN_TOKEN) !== 0,
  detect(text, profile = profileText(text)) {
    const found: Candidate[] = [];
    for (const match of wholeTokenMatches(text, profile, VIN_PATTERN, VIN_TOKEN)) {
      if (isValidVin(match[0])) found.push({ value: match[0], start: match.index, end: match.index + 17, confidence: 0.95 });
    }
    return found;
  },
  normalize: (value) => value,
};
