import { parseCidr } from './cidr.js';
import { hostnamesClash, isCatchAll, OrdinaryClaims } from './address-claims.js';
import { normalizeAddress, type NormalizedAddress } from './addresses.js';

const address = (raw: string) => normalizeAddress(raw) as NormalizedAddress;

describe('address claims', () => {
  it.each([
    ['0.0.0.0/0', true],
    ['10.0.0.0/15', true],
    ['10.0.0.0/16', false],
    ['10.60.3.5/32', false],
    ['::/0', true],
    ['2001:db8::/47', true],
    ['2001:db8::/48', false],
    ['::/48', true], // holds the whole IPv4-mapped range
    ['::ffff:0:0/96', true],
    ['::ffff:10.60.0.0/112', false],
  ])('%s is a catch-all: %s', (block, expected) => {
    expect(isCatchAll(parseCidr(block))).toBe(expected);
  });

  it('tells host names of one machine from different machines', () => {
    expect(hostnamesClash('scada', 'scada.water.example.cn')).toBe(true);
    expect(hostnamesClash('scada.water', 'scada.water.example.cn')).toBe(true);
    expect(hostnamesClash('scada.water.example.cn', 'scada.health.example.cn')).toBe(false);
    expect(hostnamesClash('scada', 'scada2.water.example.cn')).toBe(false);
  });

  describe('OrdinaryClaims', () => {
    const claims = new OrdinaryClaims();
    claims.add({ value: '10.60.3.0/24', kind: 'cidr', department: 'water', assetId: 'net' });
    claims.add({ value: 'scada.water.example.cn', kind: 'hostname', department: 'water', assetId: 'scada' });
    claims.add({ value: '0.0.0.0/0', kind: 'cidr', department: 'bigdata', assetId: 'all' });
    claims.add({ value: 'aa:bb:cc:dd:ee:ff', kind: 'mac', department: 'water', assetId: 'plc' });

    it.each(['10.60.3.0/25', '10.60.3.5', '10.60.0.0/16', '::ffff:10.60.3.9', 'scada', 'scada.water'])("finds %s colliding with another department's claim", (raw) => {
      expect(claims.foreign(address(raw), 'traffic').map((c) => c.assetId)).toEqual([raw.startsWith('scada') ? 'scada' : 'net']);
    });

    it('lets the same department overlap itself, ignores catch-alls, MACs and equal values (refused elsewhere)', () => {
      expect(claims.foreign(address('10.60.3.5'), 'water')).toEqual([]);
      expect(claims.foreign(address('192.0.2.1'), 'traffic')).toEqual([]);
      expect(claims.foreign(address('aa:bb:cc:dd:ee:ff'), 'traffic')).toEqual([]);
      expect(claims.foreign(address('10.60.3.0/24'), 'traffic')).toEqual([]);
      expect(claims.foreign(address('scada.water.example.cn'), 'traffic')).toEqual([]);
    });
  });
});
