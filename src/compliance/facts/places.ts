import { readFileSync } from 'node:fs';
import { addressBytes, CidrMatcher, parseCidr, type CidrBlock } from '../../common/cidr.js';

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

export class ChinaNetworksError extends Error {
  constructor(file: string, problems: string[]) {
    super(`China address list ${file}: ${problems.join('; ')} (setting TAISHI_CHINA_NETWORKS)`);
    this.name = 'ChinaNetworksError';
  }
}

/** One block per line, `#` comments; every bad line is named, so a user fixes the file in one go. */
export function parseChinaNetworks(text: string, file: string): CidrBlock[] {
  const blocks: CidrBlock[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    try {
      blocks.push(parseCidr(line));
    } catch {
      problems.push(`line ${index + 1}: not an address block: ${JSON.stringify(line)}`);
    }
  });
  if (problems.length > 0) throw new ChinaNetworksError(file, problems);
  if (blocks.length === 0) throw new ChinaNetworksError(file, ['no address blocks']);
  return blocks;
}

/** Tells addresses in mainland China from addresses abroad. */
export class AddressPlaces {
  private readonly notPublic = new CidrMatcher(NOT_PUBLIC);

  constructor(
    private readonly china: CidrMatcher,
    /** Where the list came from, for the evidence. */
    readonly source: string,
  ) {}

  static fromFile(file: string): AddressPlaces {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ChinaNetworksError(file, [(error as Error).message]);
    }
    const blocks = parseChinaNetworks(text, file);
    return new AddressPlaces(new CidrMatcher(blocks.map((b) => b.text)), file);
  }

  /** A public address outside the China list; false for non-addresses and for private or reserved space. */
  isAbroad(address: string): boolean {
    if (!addressBytes(address)) return false;
    return !this.notPublic.matches(address) && !this.china.matches(address);
  }
}

/**
 * The connections abroad among one asset's peers (the addresses its events talked to or came
 * from, with event counts). The asset's own addresses are not peers: a system hosted on a cloud
 * abroad would otherwise count every one of its own events.
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
