import type { Language } from '../shared/principal.js';

/**
 * A rule's text in the reader's language. Rules are written in English (Sigma's language); the
 * shipped pack carries a Chinese title and description beside it:
 *
 *   description: …
 *   x-taishi-zh:
 *     title: SSH 暴力破解
 *     description: …
 *
 * Community rules without one show their own text in both languages.
 */

export interface RuleText {
  title: string;
  description?: string;
  custom: Record<string, unknown>;
}

const CJK = /[\u3400-\u9fff]/;

/** The x-taishi-zh block of a rule, or what is wrong with it (a rule without one is fine). */
export function chineseText(rule: Pick<RuleText, 'custom'>): { title: string; description: string } | { problem: string } | undefined {
  const zh = rule.custom['x-taishi-zh'];
  if (zh === undefined) return undefined;
  const map = typeof zh === 'object' && zh !== null && !Array.isArray(zh) ? (zh as Record<string, unknown>) : {};
  const missing = (['title', 'description'] as const).filter((k) => typeof map[k] !== 'string' || !CJK.test(map[k] as string));
  if (missing.length) return { problem: `x-taishi-zh needs a ${missing.join(' and a ')} in Chinese` };
  return { title: map.title as string, description: map.description as string };
}

export function localisedRuleTitle(rule: RuleText, language: Language): string {
  const zh = language === 'zh-CN' ? chineseText(rule) : undefined;
  return zh && 'title' in zh ? zh.title : rule.title;
}

export function localisedRuleDescription(rule: RuleText, language: Language): string | undefined {
  const zh = language === 'zh-CN' ? chineseText(rule) : undefined;
  return zh && 'description' in zh ? zh.description : rule.description;
}
