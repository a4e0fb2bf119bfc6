import { normalizeAddress } from './addresses.js';

describe('normalizeAddress', () => {
  it.each([
    ['10.0.0.5', 'ip', '10.0.0.5'],
    [' 192.168.1.10 ', 'ip', '192.168.1.10'],
    ['2001:DB8:0:0::1', 'ip', '2001:db8::1'],
    ['10.1.0.0/16', 'cidr', '10.1.0.0/16'],
    ['2001:db8::/32', 'cidr', '2001:db8::/32'],
    ['::FFFF:10.60.3.9', 'ip', '10.60.3.9'],
    ['::ffff:a3c:305', 'ip', '10.60.3.5'],
    ['::ffff:10.60.3.0/120', 'cidr', '10.60.3.0/24'],
    ['::ffff:0:0/90', 'cidr', '::ffff:0:0/90'],
    ['AA-BB-CC-DD-EE-FF', 'mac', 'aa:bb:cc:dd:ee:ff'],
    ['aabb.ccdd.eeff', 'mac', 'aa:bb:cc:dd:ee:ff'],
    ['Portal.GOV.example.CN.', 'hostname', 'portal.gov.example.cn'],
    ['cam-01', 'hostname', 'cam-01'],
  ])('%s is a %s', (raw, kind, value) => {
    expect(normalizeAddress(raw)).toEqual({ kind, value });
  });

  it.each(['', '300.1.1.1', '10.0.0.0/33', '10.0.0.0/abc', 'bad host!', '-leading.example', '1.2.3'])('rejects %j', (raw) => {
    expect(normalizeAddress(raw)).toHaveProperty('error');
  });
});
