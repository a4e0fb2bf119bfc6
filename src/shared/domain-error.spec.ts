import { DomainError, defineErrors, errorCatalogue } from './domain-error.js';
import { fillTemplate, languageFromAcceptLanguage } from './localised.js';

describe('coded domain errors', () => {
  const errors = defineErrors('example', {
    not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的示例', en: 'No example {id}' } },
  });

  it('carry a stable code, the parameters and a message in each language', () => {
    const error = errors.not_found({ id: 'EX-1' }, { hint: 'x' });
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('example.not_found');
    expect(errors.codes.not_found).toBe('example.not_found');
    expect(error.kind).toBe('not_found');
    expect(error.params).toEqual({ id: 'EX-1' });
    expect(error.details).toEqual({ hint: 'x' });
    expect(error.message).toBe('No example EX-1');
    expect(error.messageIn('zh-CN')).toBe('没有编号为 EX-1 的示例');
    expect(errorCatalogue().get('example.not_found')?.kind).toBe('not_found');
  });

  it('read a parameter given in every language in the language of the message', () => {
    const refusals = defineErrors('example_localised', {
      refused: { kind: 'invalid', message: { 'zh-CN': '文件有 {count} 处问题，{consequence}', en: 'The file has {count} problem(s); {consequence}' } },
    });
    const error = refusals.refused({ count: 2, consequence: { 'zh-CN': '未保存任何内容', en: 'nothing was saved' } });
    expect(error.messageIn('zh-CN')).toBe('文件有 2 处问题，未保存任何内容');
    expect(error.messageIn('en')).toBe('The file has 2 problem(s); nothing was saved');
    expect(error.message).toBe('The file has 2 problem(s); nothing was saved');
  });

  it('refuses the same code defined twice with another meaning', () => {
    expect(() => defineErrors('example', { not_found: { kind: 'conflict', message: { 'zh-CN': '冲突', en: 'conflict' } } })).toThrow(/defined twice/);
  });
});

describe('languages', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['fr-FR, en;q=0.5, zh;q=0.4', 'en'],
    ['de', 'zh-CN'],
    ['en;q=0.2, zh-TW;q=0.8', 'zh-CN'],
  ])('Accept-Language %p reads as %p', (header, language) => {
    expect(languageFromAcceptLanguage(header)).toBe(language);
  });

  it('fills templates, keeping unknown placeholders visible', () => {
    expect(fillTemplate('{a} and {b}: {list}', { a: 1, list: ['x', 'y'] })).toBe('1 and {b}: x, y');
  });
});
