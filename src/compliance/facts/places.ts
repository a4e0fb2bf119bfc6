import { addressBytes, CidrMatcher, parseCidr } from '../../shared/index.js';
import type { CountryTable } from './countries.js';

/**
 * IANA special-purpose blocks (RFC 6890 and successors): private, loopback, link-local, shared
 * (CGNAT), documentation, benchmarking, multicast and reserved space. A peer there is never
 * "abroad", whatever the China list says. IPv4 blocks also cover their IPv4-mapped IPv6 spelling.
 */
const NOT_PUBLIC = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** Tells addresses in mainland China from addresses abroad. */
export class AddressPlaces {
  private readonly notPublic = new CidrMatcher(NOT_PUBLIC);

  constructor(private readonly countries: CountryTable) {}

  /** Where the country data came from, for the evidence. */
  get source(): string {
    return this.countries.source;
  }

  /**
   * A public address outside mainland China (Hong Kong, Macao and Taiwan included, as for data
   * export), or in no range of the table (unallocated space is not presumed domestic); false for
   * non-addresses and for private or reserved space.
   */
  isAbroad(address: string): boolean {
    if (!addressBytes(address) || this.notPublic.matches(address)) return false;
    return this.countries.countryOf(address) !== 'CN';
  }
}

/**
 * The connections abroad among the peers one asset sent to (the destinations of its events, with
 * event counts): visitors from abroad reaching the asset are not data leaving the country, so
 * sources are not passed here. The asset's own addresses are not peers: a system hosted on a
 * cloud abroad would otherwise count every one of its own events.
 */
export function connectionsAbroad(
  peers: readonly { value: string; count: number }[],
  ownAddresses: readonly string[],
  places: AddressPlaces,
): { count: number; examples: string[] } {
  const own = new CidrMatcher(ownAddresses.filter(isBlock));
  const byAddress = new Map<string, number>();
  for (const { value, count } of peers) {
    if (own.matches(value) || !places.isAbroad(value)) continue;
    byAddress.set(value, (byAddress.get(value) ?? 0) + count);
  }
  const ranked = [...byAddress].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  // Enough examples for any control's max_examples (≤ 50); the evaluator shows fewer.
  return { count: ranked.reduce((n, [, c]) => n + c, 0), examples: ranked.slice(0, 50).map(([address]) => address) };
}

function isBlock(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}
