import type { Candidate, Detector } from './types.js';

// Mainland mobile numbers: 1, then 3–9, then nine digits; optionally +86 / 0086 in front and
// written 3-4-4 with spaces or hyphens. Segment allocation (which 1xx prefixes are live) changes
// every few years, so it is deliberately not checked.
const MOBILE_PATTERN = /(?<![0-9A-Za-z+])(?<!\d\.)(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])/g;

export const mobileDetector: Detector = {
  type: 'mobile',
  sensitive: false,
  applies: (profile) => profile.longestDigitChain >= 11,
  detect(text) {
    const found: Candidate[] = [];
    for (const match of text.matchAll(MOBILE_PATTERN)) {
      const value = match[0];
      // A grouped number that goes on (`138 1234 5678 9012`) is something longer; an unbroken
      // number followed by a space and a digit (`13812345678 2`) is a mobile and the next field.
      const separator = /[ -]/.exec(value.replace(/^(?:\+|00)86[ -]?/, ''))?.[0];
      if (separator && text[match.index + value.length] === separator && /\d/.test(text[match.index + value.length + 1] ?? '')) continue;
      found.push({ value, start: match.index, end: match.index + value.length, confidence: 0.9 });
    }
    return found;
  },
  normalize: (value) => value.replace(/\D/g, '').slice(-11),
};
