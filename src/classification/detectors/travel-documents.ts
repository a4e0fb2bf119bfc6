import { nearestKeyword } from './context.js';
import { profileText, tokenBits, wholeTokenMatches } from './profile.js';
import { isPlausibleBirthDate, PROVINCE_PREFIXES, residentIdCheckChar } from './resident-id.js';
import type { Candidate, Detector, PiiType, TextProfile } from './types.js';

/**
 * Identity documents other than the resident ID card. Their numbers are short letter-and-digit
 * patterns that order numbers, hosts and serials also produce, so — except the 2023 permanent
 * residence number, which carries a check digit — each is accepted only when the nearest keyword
 * within a short window before it names that document.
 *
 * - Passports of the PRC: E + 8 digits, or E + a letter + 7 digits once the digits ran out (the
 *   2012 e-passport); G + 8 digits (older ordinary passports); D, S, P + 7 digits (diplomatic,
 *   service, public affairs).
 * - 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) + an 8-digit lifetime number, printed on older
 *   cards with 2 more digits counting renewals (rules published by the MPS in 2010).
 * - 台湾居民来往大陆通行证: an 8-digit lifetime number on the card issued since 2015; older booklets
 *   carried 10 characters.
 * - 外国人永久居留身份证: the 2017 card's 15 characters — a 3-letter nationality code and 12 digits —
 *   and, since 1 December 2023, 18 characters built like a resident ID number: a leading 9, the
 *   issuing province's code [R], digits with the birth date at positions 7–14, and the GB 11643
 *   (MOD 11-2) check character [S: NIA's 2023 machine-readable rules, as republished by reader
 *   vendors].
 */

const WINDOW = 24;

interface DocumentSpec {
  type: PiiType;
  /** Whole tokens (sticky; see `wholeTokenMatches`). */
  pattern: RegExp;
  /** The lengths of the tokens `pattern` matches, as bits. */
  lengths: number;
  /** Named group `doc` for this document; `other` for words that name something else. */
  context: RegExp;
}

export const PASSPORT: DocumentSpec = {
  type: 'passport',
  pattern: /(?<![0-9A-Za-z])(?:E[0-9A-HJ-NP-Z]\d{7}|[EG]\d{8}|[DSP]\d{7})(?![0-9A-Za-z])/y,
  lengths: tokenBits(8, 9),
  context: /(?<doc>护照|passport|(?<![a-z])pass_?no|(?<![a-z])ppt_?no)|(?<other>通行证|permit|订单|order|工单|ticket|serial|设备|device)/gi,
};

export const HK_MACAO_PERMIT: DocumentSpec = {
  type: 'hk_macao_permit',
  pattern: /(?<![0-9A-Za-z])[HM]\d{8}(?:\d{2})?(?![0-9A-Za-z])/y,
  lengths: tokenBits(9, 11),
  context: /(?<doc>回乡证|港澳居民来往内地通行证|港澳居民通行证|来往内地通行证|home_?return|hmt_?permit|hk_?macao_?permit)|(?<other>台胞证|台湾居民|护照|passport|订单|order|工单|ticket|serial)/gi,
};

export const TAIWAN_PERMIT: DocumentSpec = {
  type: 'taiwan_permit',
  pattern: /(?<![0-9A-Za-z])\d{8}(?![0-9A-Za-z])/y,
  lengths: tokenBits(8),
  context: /(?<doc>台胞证|台湾居民来往大陆通行证|台湾居民通行证|来往大陆通行证|mtp(?:_?no)?|taiwan_?permit|tw_?permit)|(?<other>回乡证|港澳|护照|passport|订单|order|日期|date|电话|phone|tel|qq|工单|ticket)/gi,
};

export const PERMANENT_RESIDENCE_2017: DocumentSpec = {
  type: 'permanent_residence_id',
  pattern: /(?<![0-9A-Za-z])[A-Z]{3}\d{12}(?![0-9A-Za-z])/y,
  lengths: tokenBits(15),
  context: /(?<doc>永居证|永久居留|permanent_?resid|prc_?green_?card|green_?card)|(?<other>护照|passport|订单|order|工单|ticket|serial)/gi,
};

export const PERMANENT_RESIDENCE_2023 = /(?<![0-9A-Za-z])(?<!\d\.)9\d{16}[\dXx](?![0-9A-Za-z])/y;
const PERMANENT_RESIDENCE_2023_TOKENS = tokenBits(18);
// The 2017 card's 15 characters, the 2023 number's 18.
const PERMANENT_RESIDENCE_TOKENS = PERMANENT_RESIDENCE_2017.lengths | PERMANENT_RESIDENCE_2023_TOKENS;

function withContext(spec: DocumentSpec, text: string, profile: TextProfile): Candidate[] {
  const found: Candidate[] = [];
  for (const match of wholeTokenMatches(text, profile, spec.pattern, spec.lengths)) {
    if (nearestKeyword(text, match.index, WINDOW, spec.context) !== 'doc') continue;
    found.push({ value: match[0], start: match.index, end: match.index + match[0].length, confidence: 0.9 });
  }
  return found;
}

/**
 * The 2023 number: 9, the issuing province's code, birth date at positions 7–14 that exists, GB
 * 11643 check character.
 */
export function isValidPermanentResidence2023(value: string, today = new Date()): boolean {
  const [year, month, day] = [Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))];
  return value[0] === '9' && PROVINCE_PREFIXES.has(value.slice(1, 3)) && isPlausibleBirthDate(year, month, day, today) && residentIdCheckChar(value) === value[17].toUpperCase();
}

const documentDetector = (spec: DocumentSpec, minDigits: number): Detector => {
  return {
    type: spec.type,
    sensitive: true,
    applies: (profile) => profile.longestDigitRun >= minDigits && (profile.tokenLengths & spec.lengths) !== 0,
    detect: (text, profile = profileText(text)) => withContext(spec, text, profile),
    normalize: (value) => value.toUpperCase(),
  };
};

export const passportDetector = documentDetector(PASSPORT, 7);
export const hkMacaoPermitDetector = documentDetector(HK_MACAO_PERMIT, 8);
export const taiwanPermitDetector = documentDetector(TAIWAN_PERMIT, 8);

export const permanentResidenceDetector: Detector = {
  type: 'permanent_residence_id',
  sensitive: true,
  applies: (profile) => profile.longestDigitRun >= 12 && (profile.tokenLengths & PERMANENT_RESIDENCE_TOKENS) !== 0,
  detect(text, profile = profileText(text)) {
    const today = new Date();
    const found = withContext(PERMANENT_RESIDENCE_2017, text, profile);
    for (const match of wholeTokenMatches(text, profile, PERMANENT_RESIDENCE_2023, PERMANENT_RESIDENCE_2023_TOKENS)) {
      if (!isValidPermanentResidence2023(match[0], today)) continue;
      found.push({ value: match[0], start: match.index, end: match.index + match[0].length, confidence: 0.99 });
    }
    return found;
  },
  normalize: (value) => value.toUpperCase(),
};
