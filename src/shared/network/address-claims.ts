import { inBlock, parseCidr, type CidrBlock } from './cidr.js';
import type { NormalizedAddress } from './addresses.js';

/**
 * Which addresses a department's registration claims, so that no owner can take another
 * department's events by registering a block around, inside or across its registration.
 *
 * - An ordinary registration may not overlap another department's ordinary registration.
 * - A catch-all range (wider than /16 in IPv4, /48 in IPv6) is for administrators only. A county
 *   network is carved into department subnets of /24 or so; a /16 is already a whole town's
 *   private range, and one site gets a /48 in IPv6 (RFC 6177).
 * - Catch-alls, and overlaps an administrator forces in, are fallbacks: they get only the
 *   addresses no ordinary registration covers, and never block an ordinary registration.
 */
export const CATCH_ALL_BELOW = { ipv4: 16, ipv6: 48 } as const;

const IPV4_SPACE = parseCidr('::ffff:0:0/96');
const MAPPED_OFFSET = 96;

/** The block an IP address or CIDR block covers (an address is a one-address block). */
export function addressBlock(address: NormalizedAddress): CidrBlock | undefined {
  return address.kind === 'ip' || address.kind === 'cidr' ? parseCidr(address.value) : undefined;
}

/** CIDR blocks are nested or disjoint, so they overlap exactly when the wider holds the narrower's start. */
export function blocksOverlap(a: CidrBlock, b: CidrBlock): boolean {
  return a.prefix <= b.prefix ? inBlock(b.bytes, a) : inBlock(a.bytes, b);
}

export function isCatchAll(block: CidrBlock): boolean {
  // An IPv6 block around the IPv4-mapped range (::/48, ::/0) covers every IPv4 address as well.
  if (blocksOverlap(block, IPV4_SPACE)) return block.prefix < MAPPED_OFFSET + CATCH_ALL_BELOW.ipv4;
  return block.prefix < CATCH_ALL_BELOW.ipv6;
}

/**
 * One name is the other with more labels (`scada` and `scada.water.example.cn`): syslog often
 * carries only the short name, so both would catch the same machine's lines.
 */
export function hostnamesClash(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(`${short}.`);
}

export interface Claim {
  value: string;
  department: string;
  assetId?: string;
  assetName?: string;
  /** Line of the import file that claims it, for claims not yet written. */
  row?: number;
}

/** The ordinary (not fallback) claims on IP space and host names, to check new registrations against. */
export class OrdinaryClaims {
  private readonly claims: { claim: Claim; block?: CidrBlock }[] = [];

  add(claim: Claim & { kind: NormalizedAddress['kind'] }): void {
    if (claim.kind === 'mac') return; // MACs are exact: the unique index is their whole rule
    const block = claim.kind === 'hostname' ? undefined : parseCidr(claim.value);
    if (block && isCatchAll(block)) return; // a catch-all is a fallback whoever registered it
    this.claims.push({ claim, block });
  }

  /**
   * Other departments' ordinary claims that collide with the address. Equal values are left out:
   * the registry refuses those whatever the department.
   */
  foreign(address: NormalizedAddress, department: string): Claim[] {
    if (address.kind === 'mac') return [];
    const block = addressBlock(address);
    const collides = (held: { claim: Claim; block?: CidrBlock }) =>
      held.claim.department !== department &&
      held.claim.value !== address.value &&
      (block ? held.block !== undefined && blocksOverlap(block, held.block) : held.block === undefined && hostnamesClash(held.claim.value, address.value));
    return this.claims.filter(collides).map((held) => held.claim);
  }
}
