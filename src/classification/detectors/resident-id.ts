import { nearestKeyword } from './context.js';
import { profileText, tokenBits, wholeTokenMatches } from './profile.js';
import type { Candidate, Detector } from './types.js';

/**
 * PRC resident identity numbers (GB 11643-1999).
 *
 * Region validation is province-level only: the first two digits must be a province-level code
 * of GB/T 2260 (plus 71 Taiwan and 81/82/83, which the Hong Kong, Macao and Taiwan residence
 * permits carry). County-level validation would need the full GB/T 2260 history, because an id
 * keeps the county code in force when it was issued, long after counties are merged or renamed.
 * The 2023 foreigners' permanent-residence card (leading 9) is its own detector.
 */
export const PROVINCE_PREFIXES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15', // 北京 天津 河北 山西 内蒙古
  '21', '22', '23', // 辽宁 吉林 黑龙江
  '31', '32', '33', '34', '35', '36', '37', // 上海 江苏 浙江 安徽 福建 江西 山东
  '41', '42', '43', '44', '45', '46', // 河南 湖北 湖南 广东 广西 海南
  '50', '51', '52', '53', '54', // 重庆 四川 贵州 云南 西藏
  '61', '62', '63', '64', '65', // 陕西 甘肃 青海 宁夏 新疆
  '71', '81', '82', '83', // 台湾 香港 澳门 台湾居民居住证
]);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

// Any ASCII letter or digit next to the number means it is part of a longer token (order number,
// hash, timestamp), not an id. `\d\.` before it or `.\d` after it means it is part of a decimal number.
export const ID_PATTERN = /(?<![0-9A-Za-z])(?<!\d\.)(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])(?!\.\d)/y;
const ID_TOKENS = tokenBits(15, 18);

// A bare 15-digit number is as often an IMEI or an order number as a legacy id: it counts only
// when the nearest keyword before it names an identity document.
const LEGACY_WINDOW = 24;
const LEGACY_CONTEXT = /(?<id>身份证|证号|证件号码|公民身份|sfz|id_?card|id-card|id_?no|idnum|identity|(?<![a-z])id(?![a-z]))|(?<other>imei|meid|设备|终端|订单|单号|流水|order|serial|device|(?<![a-z])sn(?![a-z]))/gi;

/** GB 11643 check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

/** True for a calendar date that exists, from 1900-01-01 up to today. */
export function isPlausibleBirthDate(year: number, month: number, day: number, today = new Date()): boolean {
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return date.getTime() <= Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
}

function dateAt(id: string, offset: number, centuryPrefix = ''): [number, number, number] {
  const yearDigits = centuryPrefix ? 2 : 4;
  const year = Number(centuryPrefix + id.slice(offset, offset + yearDigits));
  const month = Number(id.slice(offset + yearDigits, offset + yearDigits + 2));
  const day = Number(id.slice(offset + yearDigits + 2, offset + yearDigits + 4));
  return [year, month, day];
}

export function isValidResidentId(id: string, today = new Date()): boolean {
  if (!PROVINCE_PREFIXES.has(id.slice(0, 2))) return false;
  if (id.length === 18) {
    return isPlausibleBirthDate(...dateAt(id, 6), today) && residentIdCheckChar(id) === id[17].toUpperCase();
  }
  // Legacy 15-digit ids (issued until 1999) carry yymmdd of a 20th-century birth and no check char.
  return id.length === 15 && /^\d{15}$/.test(id) && isPlausibleBirthDate(...dateAt(id, 6, '19'), today);
}

export const residentIdDetector: Detector = {
  type: 'resident_id',
  sensitive: true,
  applies: (profile) => profile.longestDigitRun >= 15 && (profile.tokenLengths & ID_TOKENS) !== 0,
  detect(text, profile = profileText(text)) {
    const found: Candidate[] = [];
    const today = new Date();
    for (const match of wholeTokenMatches(text, profile, ID_PATTERN, ID_TOKENS)) {
      const value = match[0];
      if (!isValidResidentId(value, today)) continue;
      if (value.length === 15 && nearestKeyword(text, match.index, LEGACY_WINDOW, LEGACY_CONTEXT) !== 'id') continue;
      // A 15-digit number passes the region and date test about one time in a hundred by chance.
      const confidence = value.length === 18 ? 0.99 : 0.8;
      found.push({ value, start: match.index, end: match.index + value.length, confidence });
    }
    return found;
  },
  normalize: (value) => value.toUpperCase(),
};
