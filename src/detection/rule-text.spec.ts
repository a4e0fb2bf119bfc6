import { readerLanguage } from '../shared/principal.js';
import { chineseText, localisedRuleDescription, localisedRuleTitle } from './rule-text.js';

const rule = (zh?: unknown) => ({ title: 'SSH brute force', description: 'Many failures.', custom: zh === undefined ? {} : { 'x-taishi-zh': zh } });

describe('rule text in the reader’s language', () => {
  it('uses x-taishi-zh for Chinese readers and the rule’s own text otherwise', () => {
    const translated = rule({ title: 'SSH 暴力破解', description: '大量失败。' });
    expect([localisedRuleTitle(translated, 'zh-CN'), localisedRuleTitle(translated, 'en')]).toEqual(['SSH 暴力破解', 'SSH brute force']);
    expect([localisedRuleDescription(translated, 'zh-CN'), localisedRuleDescription(translated, 'en')]).toEqual(['大量失败。', 'Many failures.']);
    expect(localisedRuleTitle(rule(), 'zh-CN')).toBe('SSH brute force');
  });

  it('names what is wrong with a malformed translation, and falls back to the rule’s own text', () => {
    expect(chineseText(rule('SSH 暴力破解'))).toEqual({ problem: 'x-taishi-zh needs a title and a description in Chinese' });
    expect(chineseText(rule({ title: 'SSH brute force', description: '大量失败。' }))).toEqual({ problem: 'x-taishi-zh needs a title in Chinese' });
    expect(localisedRuleTitle(rule({ title: 'SSH 暴力破解' }), 'zh-CN')).toBe('SSH brute force');
    expect(chineseText(rule())).toBeUndefined();
  });

  it('reads the language from the principal (the user’s setting, or an API client’s Accept-Language), else zh-CN', () => {
    expect(readerLanguage({ kind: 'user', id: 'u', username: 'li', role: 'analyst', department: null, sessionId: 's', language: 'en' })).toBe('en');
    expect(readerLanguage({ kind: 'system', name: 'incident-grouping' })).toBe('zh-CN');
    expect(readerLanguage(undefined)).toBe('zh-CN');
  });
});
