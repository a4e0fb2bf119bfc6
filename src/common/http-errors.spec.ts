import type { Request } from 'express';
import { defineErrors } from '../shared/index.js';
import { errorBody, requestLanguage } from './http-errors.js';

const errors = defineErrors('httptest', {
  gone: { kind: 'not_found', message: { 'zh-CN': '没有 {id}', en: 'No {id}' } },
  busy: { kind: 'unavailable', message: { 'zh-CN': '忙', en: 'Busy' } },
});

describe('coded domain errors over HTTP', () => {
  it('map the kind to a status once and answer in the requested language with code and params', () => {
    expect(errorBody(errors.gone({ id: 'INC-1' }, { allowed: [] }), 'en').body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'httptest.gone',
      message: 'No INC-1',
      params: { id: 'INC-1' },
      details: { allowed: [] },
    });
    expect(errorBody(errors.gone({ id: 'INC-1' }), 'zh-CN').body.message).toBe('没有 INC-1');
    expect(errorBody(errors.busy()).body.statusCode).toBe(503);
  });

  it('take the user setting over Accept-Language, and Chinese by default', () => {
    const req = (headers: Record<string, string>, principal?: object) => ({ headers, principal }) as unknown as Request;
    expect(requestLanguage(req({}))).toBe('zh-CN');
    expect(requestLanguage(req({ 'accept-language': 'en-GB,en;q=0.8' }))).toBe('en');
    expect(requestLanguage(req({ 'accept-language': 'en' }, { kind: 'user', language: 'zh-CN' }))).toBe('zh-CN');
  });
});
