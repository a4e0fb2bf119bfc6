import { JsonTooDeepError, nestsDeeperThan, parseBoundedJson } from './bounded-json.js';

describe('bounded JSON', () => {
  it('measures nesting outside strings only', () => {
    expect(nestsDeeperThan('{"a":[1,{"b":[2]}]}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":[1,{"b":[2]}]}', 4)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ text: '[[[[[[[[[[ {{{{{ \\" [[[[' }), 1)).toBe(false);
  });

  it('parses ordinary JSON and refuses pathological depth before parsing', () => {
    expect(parseBoundedJson('{"a":[1,2,{"b":null}]}')).toEqual({ a: [1, 2, { b: null }] });
    expect(() => parseBoundedJson('['.repeat(65) + ']'.repeat(65))).toThrow(JsonTooDeepError);
    expect(parseBoundedJson('['.repeat(64) + ']'.repeat(64))).toBeInstanceOf(Array);
    expect(() => parseBoundedJson('{"a": 1')).toThrow(SyntaxError);
    // Many brackets that stay shallow, and deep nesting hidden among long text, are both judged by depth.
    expect(parseBoundedJson(JSON.stringify(Array.from({ length: 200 }, () => [{}])))).toHaveLength(200);
    expect(() => parseBoundedJson(`{"note":"${'x'.repeat(500)}","deep":${'['.repeat(65)}${']'.repeat(65)}}`)).toThrow(JsonTooDeepError);
  });
});
