import { join } from 'node:path';
import { CidrMatcher } from '../../common/cidr.js';
import { AddressPlaces, ChinaNetworksError, connectionsAbroad, parseChinaNetworks } from './places.js';

const places = new AddressPlaces(new CidrMatcher(['114.112.0.0/13', '223.4.0.0/14', '240e::/20']), 'test');

describe('China address list', () => {
  it('reads one block per line with comments, and names every bad line', () => {
    expect(parseChinaNetworks('# comment\n1.80.0.0/12  # telecom\n\n240e::/20\n', 'x.txt').map((b) => b.text)).toEqual(['1.80.0.0/12', '240e::/20']);
    expect(() => parseChinaNetworks('1.80.0.0/12\nbanana\n10.0.0.0/99\n', 'x.txt')).toThrow(
      new ChinaNetworksError('x.txt', ['line 2: not an address block: "banana"', 'line 3: not an address block: "10.0.0.0/99"']),
    );
    expect(() => parseChinaNetworks('# nothing\n', 'x.txt')).toThrow(/no address blocks/);
  });

  it('the shipped list loads and places well-known addresses', () => {
    const shipped = AddressPlaces.fromFile(join(process.cwd(), 'rules/china-networks.txt'));
    expect(['114.114.114.114', '223.5.5.5', '180.76.76.76', '240e:1::1', '202.112.0.36'].filter((a) => shipped.isAbroad(a))).toEqual([]);
    expect(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700::1111'].every((a) => shipped.isAbroad(a))).toBe(true);
  });
});

describe('AddressPlaces', () => {
  it('counts public addresses outside the list as abroad, never private, reserved or non-addresses', () => {
    expect(places.isAbroad('8.8.8.8')).toBe(true);
    expect(places.isAbroad('::ffff:8.8.8.8')).toBe(true);
    expect(places.isAbroad('114.114.114.114')).toBe(false);
    expect(places.isAbroad('240e:3a1::1')).toBe(false);
    for (const address of ['10.1.2.3', '192.168.1.1', '172.20.0.1', '100.64.1.1', '127.0.0.1', '169.254.1.1', '203.0.113.9', '198.51.100.1', '224.0.0.251', '::1', 'fe80::1', 'fd00::1', '2001:db8::1', 'portal.example', ''])
      expect({ address, abroad: places.isAbroad(address) }).toEqual({ address, abroad: false });
  });

  it('totals an asset’s peers abroad, busiest first, without its own addresses', () => {
    const peers = [
      { value: '8.8.8.8', count: 3 },
      { value: '10.0.0.5', count: 100 },
      { value: '114.114.114.114', count: 7 },
      { value: '1.1.1.1', count: 5 },
      { value: '8.8.8.8', count: 2 },
      { value: '93.184.216.34', count: 9 },
    ];
    expect(connectionsAbroad(peers, ['portal-01', '93.184.216.0/24', 'aa:bb:cc:dd:ee:ff'], places)).toEqual({ count: 10, examples: ['1.1.1.1', '8.8.8.8'] });
    expect(connectionsAbroad([], [], places)).toEqual({ count: 0, examples: [] });
  });
});
