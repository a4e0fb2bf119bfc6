import { performance } from 'node:perf_hooks';
import { CountryTable } from './countries.js';
import { AddressPlaces, connectionsAbroad } from './places.js';

const V4 = ['1.0.0.0,1.0.0.255,AU', '8.8.8.0,8.8.8.255,US', '93.184.216.0,93.184.216.255,US', '114.112.0.0,114.119.255.255,CN', '223.4.0.0,223.7.255.255,CN', '223.8.0.0,223.8.0.255,CN'];
const table = (v4: string[], v6: string[]) => CountryTable.fromText(v4.join('\n'), v6.join('\n'));
const small = table(V4.filter((l) => !l.startsWith('93.')).concat([]), ['240e::,240e:fff:ffff:ffff:ffff:ffff:ffff:ffff,CN', '2606:4700::,2606:4700:ffff:ffff:ffff:ffff:ffff:ffff,US']);
const places = new AddressPlaces(small);

describe('CountryTable', () => {
  it('finds the range by binary search, merges touching ranges of one country, and refuses unsorted or malformed data with a coded error', () => {
    expect(small.countryOf('114.114.114.114')).toBe('CN');
    expect(small.countryOf('223.8.0.255')).toBe('CN');
    expect(small.countryOf('223.8.1.0')).toBeUndefined();
    expect(small.countryOf('8.8.8.8')).toBe('US');
    expect(small.countryOf('::ffff:8.8.8.8')).toBe('US');
    expect(small.countryOf('240e:3a1::1')).toBe('CN');
    expect(small.countryOf('2606:4700::1111')).toBe('US');
    expect(small.countryOf('1.0.1.0')).toBeUndefined();
    expect(small.countryOf('portal.example')).toBeUndefined();
    expect(small.stats.v4Ranges).toBe(4); // 223.4/14 and 223.8.0/24 touch: one range
    // published data nests ranges: the later, more specific one wins where they overlap
    const nested = table(['2.58.196.0,2.58.197.255,DE', '2.58.197.15,2.58.197.15,BE', '2.58.197.16,2.58.197.255,DE', '3.0.0.0,3.0.0.255,US', '3.0.0.10,3.0.0.20,CA', '3.0.0.15,3.0.1.5,MX'], ['::2,::2,ZZ']);
    expect(['2.58.197.14', '2.58.197.15', '2.58.197.16', '3.0.0.9', '3.0.0.10', '3.0.0.14', '3.0.0.15', '3.0.0.255', '3.0.1.5', '3.0.1.6'].map((a) => nested.countryOf(a))).toEqual(['DE', 'BE', 'DE', 'US', 'CA', 'CA', 'MX', 'MX', 'MX', undefined]);
    const inner = table(['4.0.0.0,4.0.0.100,US', '4.0.0.50,4.0.0.80,CA'], ['::2,::2,ZZ']);
    expect(['4.0.0.49', '4.0.0.50', '4.0.0.80', '4.0.0.81', '4.0.0.100'].map((a) => inner.countryOf(a))).toEqual(['US', 'CA', 'CA', 'US', 'US']);
    expect(() => table(['8.8.8.0,8.8.8.255,US', '1.0.0.0,1.0.0.255,AU'], ['::1,::1,ZZ'])).toThrow(expect.objectContaining({ code: 'compliance.geo_data_invalid', params: expect.objectContaining({ line: 2 }) }));
    expect(() => table(['1.0.0.0,banana,AU'], ['::1,::1,ZZ'])).toThrow(expect.objectContaining({ code: 'compliance.geo_data_invalid' }));
    expect(() => CountryTable.load('/nonexistent-folder')).toThrow(expect.objectContaining({ code: 'compliance.geo_data_unreadable' }));
  });

  it('reads the bytes of each spelling of an address the general parser takes, with line numbers for the rest', () => {
    const spelled = CountryTable.fromText(
      ['', '001.002.003.000,1.2.3.255,JP\r', '  5.6.7.0,5.6.7.255,KR,extra-field  ', '9.9.9.0,9.9.9.255,CH'].join('\n'),
      [
        '::,::1,ZZ',
        '64:ff9b::1.2.3.0,64:ff9b::1.2.3.255,NL',
        '2001:0DB8:0000:0000:0000:0000:0000:0000,2001:db8::ffff,FR',
        '2001:db8:1::,2001:db8:1:0:0:0:0:ffff,DE',
        'fe80::%eth0,fe80::ffff%eth0,IT',
        'ffff:ffff:ffff:ffff:ffff:ffff:ffff:0,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,ES',
      ].join('\n'),
    );
    expect(['1.2.3.4', '5.6.7.8', '9.9.9.9', '::1', '2001:db8::1', '2001:db8:1::7', '64:ff9b::102:304', 'fe80::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:1'].map((a) => spelled.countryOf(a))).toEqual(['JP', 'KR', 'CH', 'ZZ', 'FR', 'DE', 'NL', 'IT', 'ES']);
    const refused = (v4: string[], v6: string[]) => () => table(v4, v6);
    const atLine = (line: number) => expect.objectContaining({ code: 'compliance.geo_data_invalid', params: expect.objectContaining({ line }) });
    expect(refused(['1.0.0.0,1.0.0.255,AU', '1.0.1.0,1.0.1.256,AU'], ['::1,::1,ZZ'])).toThrow(atLine(2));
    expect(refused(['1.0.0.0,1.0.0.255,au'], ['::1,::1,ZZ'])).toThrow(atLine(1));
    expect(refused(['1.0.0.0,1.0.0.255,AUS'], ['::1,::1,ZZ'])).toThrow(atLine(1));
    expect(refused(['::1,::1,ZZ'], ['::1,::1,ZZ'])).toThrow(atLine(1));
    for (const bad of ['1:::2,1::3,ZZ', '12345::,12345::1,ZZ', '1:2:3:4:5:6:7:8:9,1::,ZZ', '1:2:3:4:5:6:7:8::,1::,ZZ', '1:,2::,ZZ', '::ffff:1.2.3.4,::ffff:1.2.3.5,ZZ', '1.2.3.4,1.2.3.5,ZZ']) {
      expect(refused(['1.0.0.0,1.0.0.255,AU'], ['::1,::1,ZZ', bad])).toThrow(atLine(2));
    }
  });

  it('the pinned package loads and places well-known addresses; lookup speed and memory are printed', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const shipped = CountryTable.load();
    const loadMs = performance.now() - t0;
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const real = new AddressPlaces(shipped);
    expect(['114.114.114.114', '223.5.5.5', '180.76.76.76', '240e:1::1', '202.112.0.36', '1.0.1.1'].filter((a) => real.isAbroad(a))).toEqual([]);
    expect(['8.8.8.8', '1.1.1.1', '2606:4700::1111', '147.8.1.1' /* HKU */, '168.95.1.1' /* HiNet, Taiwan */].every((a) => real.isAbroad(a))).toBe(true);
    expect(shipped.countryOf('147.8.1.1')).toBe('HK');

    const addresses = Array.from({ length: 200_000 }, (_, i) => (i % 4 === 3 ? `240e:${(i * 7919) % 0xffff}::${i % 0xffff}` : `${(i * 2654435761) >>> 24}.${(i * 40503) & 255}.${i & 255}.${(i >> 8) & 255}`));
    const t1 = performance.now();
    let cn = 0;
    for (const a of addresses) if (shipped.countryOf(a) === 'CN') cn++;
    const perLookupUs = ((performance.now() - t1) * 1000) / addresses.length;
    const { v4Ranges, v6Ranges, bytes } = shipped.stats;
    process.stdout.write(
      `geo country table: ${v4Ranges} IPv4 + ${v6Ranges} IPv6 ranges, ${(bytes / 2 ** 20).toFixed(1)} MiB in typed arrays (heap +${heapMb.toFixed(1)} MiB), load ${loadMs.toFixed(0)} ms, ${perLookupUs.toFixed(2)} µs per lookup (incl. parsing the address; ${cn} of ${addresses.length} CN)\n`,
    );
    expect(cn).toBeGreaterThan(0);
    expect(perLookupUs).toBeLessThan(20);
  });
});

describe('AddressPlaces', () => {
  it('counts public addresses outside mainland China, or in no range, as abroad; never private, reserved or non-addresses', () => {
    expect(places.isAbroad('8.8.8.8')).toBe(true);
    expect(places.isAbroad('::ffff:8.8.8.8')).toBe(true);
    expect(places.isAbroad('1.0.1.0')).toBe(true);
    expect(places.isAbroad('114.114.114.114')).toBe(false);
    expect(places.isAbroad('240e:3a1::1')).toBe(false);
    for (const address of ['10.1.2.3', '192.168.1.1', '172.20.0.1', '100.64.1.1', '127.0.0.1', '169.254.1.1', '203.0.113.9', '198.51.100.1', '224.0.0.251', '::1', 'fe80::1', 'fd00::1', '2001:db8::1', 'portal.example', ''])
      expect({ address, abroad: places.isAbroad(address) }).toEqual({ address, abroad: false });
  });

  it('totals the destinations abroad an asset sent to, busiest first, without its own addresses', () => {
    const withOwn = new AddressPlaces(table(V4, ['240e::,240e:fff:ffff:ffff:ffff:ffff:ffff:ffff,CN']));
    const destinations = [
      { value: '8.8.8.8', count: 3 },
      { value: '10.0.0.5', count: 100 },
      { value: '114.114.114.114', count: 7 },
      { value: '1.0.0.1', count: 5 },
      { value: '8.8.8.8', count: 2 },
      { value: '93.184.216.34', count: 9 },
    ];
    expect(connectionsAbroad(destinations, ['portal-01', '93.184.216.0/24', 'aa:bb:cc:dd:ee:ff'], withOwn)).toEqual({ count: 10, examples: ['1.0.0.1', '8.8.8.8'] });
    expect(connectionsAbroad([], [], withOwn)).toEqual({ count: 0, examples: [] });
  });
});
