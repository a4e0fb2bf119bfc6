import { en } from '../i18n/en.js';
import { zhCN, type MessageKey } from '../i18n/zh-CN.js';

export type Language = 'zh-CN' | 'en';
export type { MessageKey };
export type Params = Record<string, string | number>;

const CATALOGUES: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const REMEMBERED = 'taishi.language';

/** Before login the browser's last choice; after login the user's own setting wins. */
let current: Language = localStorage.getItem(REMEMBERED) === 'en' ? 'en' : 'zh-CN';

export function language(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  current = lang;
  localStorage.setItem(REMEMBERED, lang);
  document.documentElement.lang = lang;
}

function fill(text: string, params?: Params): string {
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}

export function t(key: MessageKey, params?: Params): string {
  return fill(CATALOGUES[current][key], params);
}

export function isMessageKey(key: string): key is MessageKey {
  return key in zhCN;
}

/**
 * Text for a value the server sends (a level, a status, a reason code): `prefix.value` when the
 * catalogue has it, else the value itself, so a value added on the server still shows.
 */
export function tv(prefix: string, value: string, params?: Params): string {
  const key = `${prefix}.${value}`;
  return isMessageKey(key) ? t(key, params) : value;
}

export function formatNumber(n: number, digits = 0): string {
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(n);
}
