import { nearestKeyword } from './context.js';
import type { Candidate, Detector } from './types.js';

// 13–19 digits in one run, or groups of four joined by one kind of separator (`6222 0212 3456 7890`).
const CARD_PATTERN =
  /(?<![0-9A-Za-z])(?<!\d\.)(?:\d{13,19}|\d{4}([ -])\d{4}(?:\1\d{4}){1,2}(?:\1\d{1,4})?)(?![0-9A-Za-z])(?![ -]\d)/g;

/** Issuer prefixes with the card lengths each scheme issues; a prefix alone is weak evidence, so the length must fit too. */
const ISSUERS: ReadonlyArray<{ name: string; prefix: RegExp; lengths: readonly number[] }> = [
  { name: 'UnionPay', prefix: /^62/, lengths: [16, 17, 18, 19] },
  { name: 'Visa', prefix: /^4/, lengths: [13, 16, 19] },
  { name: 'Mastercard', prefix: /^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] },
  { name: 'American Express', prefix: /^3[47]/, lengths: [15] },
  { name: 'JCB', prefix: /^35(?:2[89]|[3-8]\d)/, lengths: [16, 17, 18, 19] },
  { name: 'Diners Club', prefix: /^(?:30[0-5]|36|38)/, lengths: [14, 16, 17, 18, 19] },
  { name: 'Discover', prefix: /^(?:6011|64[4-9]|65)/, lengths: [16, 17, 18, 19] },
];

// Within the lookback window the keyword nearest to the number decides: "card" words make it a
// card; order, transaction, SIM (`simCard`, `SIM卡号`: the ICCID is Luhn-checked too) and
// identity-document words (`idcard` contains "card"!) make it some other identifier even when
// Luhn passes, as one random number in ten does.
const CONTEXT_WINDOW = 32;
const CONTEXT_WORDS =
  /(?<card>卡号|银行卡|信用卡|借记卡|储蓄卡|银联|银行账号|银行帐号|card|acct|bank|(?<![a-z])pan(?![a-z]))|(?<other>(?<![a-z])sim[_ -]?(?:card|卡号?|no|number)?|iccid|物联网卡|流量卡|手机卡|id_?card|id-card|身份证|证件|sfzh|cert|订单|单号|流水|交易号|编号|运单|快递|工单|票号|order|txn|trade|transaction|serial|trace|track|request|req_?id|invoice|ticket|(?<![a-z])sn(?![a-z]))/gi;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function knownIssuer(digits: string): string | undefined {
  return ISSUERS.find((issuer) => issuer.prefix.test(digits) && issuer.lengths.includes(digits.length))?.name;
}

/** ICCIDs (SIM serials, ITU-T E.118) start 89, the telecommunications industry code; no payment card does. */
const ICCID = /^89\d{17,18}$/;

export const bankCardDetector: Detector = {
  type: 'bank_card',
  sensitive: true,
  applies: (profile) => profile.longestDigitChain >= 13,
  detect(text) {
    const found: Candidate[] = [];
    for (const match of text.matchAll(CARD_PATTERN)) {
      const value = match[0];
      const digits = value.replace(/\D/g, '');
      if (digits.length < 13 || digits.length > 19 || !luhnValid(digits) || ICCID.test(digits)) continue;
      const context = nearestKeyword<'card' | 'other'>(text, match.index, CONTEXT_WINDOW, CONTEXT_WORDS);
      if (context === 'other') continue;
      const confidence = context === 'card' ? 0.95 : knownIssuer(digits) ? 0.75 : 0;
      if (confidence > 0) found.push({ value, start: match.index, end: match.index + value.length, confidence });
    }
    return found;
  },
  normalize: (value) => value.replace(/\D/g, ''),
};
