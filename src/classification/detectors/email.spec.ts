import { emailDetector } from './email.js';

const values = (text: string) => emailDetector.detect(text).map((found) => found.value);

describe('emailDetector', () => {
  it.each([
    ['联系人邮箱 zhang.san@example.com。', 'zhang.san@example.com'],
    ['to=<li_si+alerts@mail.city.gov.cn>', 'li_si+alerts@mail.city.gov.cn'],
    ['GET /register?email=wang%40example.org&step=1', 'wang%40example.org'],
  ])('finds the address in %j', (text, address) => {
    expect(values(text)).toEqual([address]);
  });

  it.each([
    ['a retina image', 'GET /static/logo@2x.png'],
    ['a package version', 'lodash@4.17.21'],
    ['no top-level domain', 'root@localhost'],
    ['an IP host', 'admin@10.0.0.1'],
    ['a doubled dot', 'a..b@example.com'],
    ['a scoped package', 'import "@nestjs/core"'],
  ])('ignores %s', (_reason, text) => {
    expect(values(text)).toEqual([]);
  });

  it('normalises case and the encoded at-sign', () => {
    expect(emailDetector.normalize('Wang%40Example.ORG')).toBe('wang@example.org');
  });
});
