import { AssetIndex } from './asset-index.js';

const ref = (id: string) => ({ id, department: `dept-${id}`, zone: null });

describe('AssetIndex', () => {
  const index = new AssetIndex([
    { ref: ref('net'), addresses: ['10.20.0.0/16'] },
    { ref: ref('host'), addresses: ['10.20.3.4', 'Cam-07.County.CN', 'AA-BB-CC-00-11-22'] },
    { ref: ref('v6'), addresses: ['2001:db8:1::/48'] },
  ]);

  it('matches exact addresses before blocks, and the most specific block', () => {
    expect(index.byIp('10.20.3.4')?.id).toBe('host');
    expect(index.byIp('10.20.9.9')?.id).toBe('net');
    expect(index.byIp('10.21.0.1')).toBeUndefined();
  });

  it('matches IPv6 blocks and IPv4-mapped peers', () => {
    expect(index.byIp('2001:db8:1:ffff::7')?.id).toBe('v6');
    expect(index.byIp('::ffff:10.20.1.1')?.id).toBe('net');
  });

  it('matches host names and MACs whatever their spelling, and ignores garbage', () => {
    expect(index.byName('cam-07.county.cn')?.id).toBe('host');
    expect(index.byName('aa:bb:cc:00:11:22')?.id).toBe('host');
    expect(index.byName('not a host!')).toBeUndefined();
    expect(index.byIp('999.1.1.1')).toBeUndefined();
  });
});

describe('AssetIndex with fallback registrations', () => {
  const index = new AssetIndex([
    { ref: { id: 'water-net', department: 'water', zone: null }, addresses: ['10.60.3.0/24'] },
    { ref: { id: 'water-pump', department: 'water', zone: null }, addresses: ['10.60.3.5'] },
    { ref: { id: 'forced', department: 'traffic', zone: null }, addresses: ['10.60.3.0/25', '10.60.3.7'], fallback: ['10.60.3.0/25', '10.60.3.7'] },
    { ref: { id: 'catch-all', department: 'bigdata', zone: null }, addresses: ['0.0.0.0/0'], fallback: ['0.0.0.0/0'] },
    { ref: { id: 'bigdata-dmz', department: 'bigdata', zone: null }, addresses: ['198.51.100.0/24'] },
  ]);

  it('gives an address to the department of the ordinary registration, then to its most specific asset', () => {
    expect(index.byIp('10.60.3.5')?.id).toBe('water-pump');
    expect(index.byIp('10.60.3.6')?.id).toBe('water-net');
    expect(index.byIp('10.60.3.7')?.id).toBe('water-net');
    expect(index.byName('10.60.3.7')?.id).toBe('water-net');
  });

  it('gives fallbacks only what no ordinary registration covers', () => {
    expect(index.byIp('192.0.2.1')?.id).toBe('catch-all');
    expect(index.byIp('198.51.100.9')?.id).toBe('bigdata-dmz');
  });
});
