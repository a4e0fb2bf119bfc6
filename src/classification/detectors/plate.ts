import { PLATE_PROVINCES } from './profile.js';
import type { Candidate, Detector } from './types.js';

// GA 36-2018 plates, letters in either case (hand-typed records use lower case):
//  - province + issuing-office letter + five serial characters (京A12345);
//  - new energy, small: D/F (battery / other) + a letter or digit + four digits (京AD12345);
//  - new energy, large: five digits + D/F (京A12345D);
//  - four serial characters + a use suffix: 挂 trailer, 学 driving school, 警 police, 港/澳
//    cross-border, 领 consulate, 应急 emergency rescue;
//  - embassy plates: 使 + six digits (使014401).
// I and O never appear, so they cannot be confused with 1 and 0. A `·`, space or hyphen may
// follow the office letter, as printed on the plate.
const SERIAL = '[A-HJ-NP-Za-hj-np-z0-9]';
const PLATE_PATTERN = new RegExp(
  `(?:[${PLATE_PROVINCES}][A-HJ-NP-Za-hj-np-z][·• -]?` +
    `(?:[DFdf]${SERIAL}\\d{4}|\\d{5}[DFdf]|${SERIAL}{4}(?:[挂学警港澳领]|应急)|${SERIAL}{5})|使[·• -]?\\d{3}[·• -]?\\d{3})(?![0-9A-Za-z])`,
  'g',
);

/** Serial numbers use at most two letters; more letters is ordinary text such as `新ABCDE`. */
function plausibleSerial(serial: string): boolean {
  return (serial.match(/[A-Za-z]/g)?.length ?? 0) <= 2;
}

export const plateDetector: Detector = {
  type: 'plate',
  sensitive: false,
  applies: (profile) => profile.hasPlateProvince,
  detect(text) {
    const found: Candidate[] = [];
    for (const match of text.matchAll(PLATE_PATTERN)) {
      const value = match[0];
      if (!plausibleSerial(value.slice(2).replace(/^[·• -]/, ''))) continue;
      found.push({ value, start: match.index, end: match.index + value.length, confidence: 0.9 });
    }
    return found;
  },
  normalize: (value) => value.replace(/[·• -]/g, '').toUpperCase(),
};
