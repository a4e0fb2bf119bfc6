import { addressBytes, CidrMatcher, parseCidr, unmapIPv4 } from './cidr.js';

describe('parseCidr', () => {
  it('parses IPv4 and IPv6 blocks and bare addresses', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ text: '10.0.0.0/8', prefix: 104 });
    expect(parseCidr(' 192.168.1.7 ')).toMatchObject({ text: '192.168.1.7/32', prefix: 128 });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ text: '2001:db8::/32', prefix: 32 });
    expect(parseCidr('::1')).toMatchObject({ text: '::1/128', prefix: 128 });
    expect(parseCidr('0.0.0.0/0').prefix).toBe(96);
    expect(parseCidr('::/0').prefix).toBe(0);
  });

  it('clears host bits', () => {
    expect(Array.from(parseCidr('10.1.2.3/12').bytes.subarray(12))).toEqual([10, 0, 0, 0]);
    expect(Array.from(parseCidr('10.31.2.3/12').bytes.subarray(12))).toEqual([10, 16, 0, 0]);
  });

  it.each([
    '', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0/8', '256.0.0.0/8', 'fe80::1%eth0/64',
    '2001:db8::/129', 'example.com', '10.0.0.0/08x', ':::/8',
  ])('rejects %j', (text) => {
    expect(() => parseCidr(text)).toThrow();
  });
});

describe('addressBytes', () => {
  it('expands IPv6 forms, embedded IPv4 included', () => {
    const hex = (a: string): string => Buffer.from(addressBytes(a)!).toString('hex');
    expect(hex('::')).toBe('0'.repeat(32));
    expect(hex('::1')).toBe('0'.repeat(31) + '1');
    expect(hex('2001:db8::8:800:200c:417a')).toBe('20010db80000000000080800200c417a');
    expect(hex('1:2:3:4:5:6:7:8')).toBe('00010002000300040005000600070008');
    expect(hex('1::')).toBe('0001' + '0'.repeat(28));
    expect(hex('::ffff:10.0.0.1')).toBe('00000000000000000000ffff0a000001');
    expect(hex('10.0.0.1')).toBe('00000000000000000000ffff0a000001');
    expect(hex('::10.0.0.1')).toBe('000000000000000000000000' + '0a000001');
    expect(hex('1:2:3:4:5:6:10.0.0.1')).toBe('000100020003000400050006' + '0a000001');
    expect(hex('1::6:10.0.0.1')).toBe('0001000000000000000000060a000001');
    expect(hex('fe80::1%eth0')).toBe('fe80' + '0'.repeat(27) + '1');
    expect(addressBytes('not an address')).toBeUndefined();
  });
});

describe('CidrMatcher', () => {
  const matcher = new CidrMatcher(['10.0.0.0/8', '192.168.5.0/25', '2001:db8:ab00::/40', '172.16.0.9']);

  it.each([
    ['10.0.0.1', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['9.255.255.255', false],
    ['192.168.5.127', true],
    ['192.168.5.128', false],
    ['172.16.0.9', true],
    ['172.16.0.10', false],
    ['::ffff:10.0.0.1', true],
    ['::FFFF:10.0.0.1', true],
    ['::ffff:11.0.0.1', false],
    ['::ffff:a00:1', true],
    ['2001:db8:ab12::1', true],
    ['2001:db8:ac00::1', false],
    ['::1', false],
    ['::10.0.0.1', false],
    ['', false],
    ['garbage', false],
  ])('%s -> %s', (address, expected) => {
    expect(matcher.matches(address)).toBe(expected);
  });

  it('matches everything with /0 blocks and nothing when empty', () => {
    expect(new CidrMatcher(['0.0.0.0/0']).matches('203.0.113.9')).toBe(true);
    expect(new CidrMatcher(['0.0.0.0/0']).matches('2001:db8::1')).toBe(false);
    expect(new CidrMatcher(['::/0']).matches('2001:db8::1')).toBe(true);
    expect(new CidrMatcher([]).matches('10.0.0.1')).toBe(false);
  });

  it('fails fast on a bad entry', () => {
    expect(() => new CidrMatcher(['10.0.0.0/8', 'oops'])).toThrow(/oops/);
  });
});

describe('unmapIPv4', () => {
  it('reports IPv4-mapped IPv6 as IPv4 and leaves other addresses alone', () => {
    expect(unmapIPv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIPv4('127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIPv4('::ffff:7f00:1')).toBe('::ffff:7f00:1');
    expect(unmapIPv4('2001:db8::1')).toBe('2001:db8::1');
  });
});
