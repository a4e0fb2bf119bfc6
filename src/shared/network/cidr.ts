import { isIPv4, isIPv6 } from 'node:net';

/**
 * An address block. IPv4 blocks are stored in the IPv4-mapped IPv6 range (::ffff:0:0/96), so
 * one 16-byte comparison covers both families and a dual-stack socket's ::ffff:10.0.0.1 matches
 * 10.0.0.0/8 with no special case.
 */
export interface CidrBlock {
  /** The block as written, with its prefix length made explicit, e.g. `10.1.2.3/32`. */
  readonly text: string;
  readonly bytes: Uint8Array;
  /** Prefix length over the 128-bit form (IPv4 prefixes are offset by 96). */
  readonly prefix: number;
}

const MAPPED_PREFIX = 96;

function ipv4Bytes(address: string, into: Uint8Array, offset: number): void {
  const parts = address.split('.');
  for (let i = 0; i < 4; i++) into[offset + i] = Number(parts[i]);
}

/** 16 bytes for any IPv4 or IPv6 address, or undefined if the text is not one. */
export function addressBytes(address: string): Uint8Array | undefined {
  const bytes = new Uint8Array(16);
  if (isIPv4(address)) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    ipv4Bytes(address, bytes, 12);
    return bytes;
  }
  // socket addresses of link-local peers carry a zone (fe80::1%eth0); the zone is not part of the address
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  if (!isIPv6(bare)) return undefined;

  let text = bare;
  let words = 8;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // a trailing dotted quad (::ffff:1.2.3.4) fills the last two words
    ipv4Bytes(text.slice(lastColon + 1), bytes, 12);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
    words = 6;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headWords = head === '' ? [] : head.split(':');
  const tailWords = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = words - headWords.length - tailWords.length;
  const all = [...headWords, ...new Array<string>(rest === undefined ? 0 : fill).fill('0'), ...tailWords];
  for (let i = 0; i < words; i++) {
    const value = parseInt(all[i] ?? '0', 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  return bytes;
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a single-host block). Host bits
 * are cleared, so `10.1.2.3/8` means `10.0.0.0/8`. Throws on anything else.
 */
export function parseCidr(text: string): CidrBlock {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash === -1 ? undefined : trimmed.slice(slash + 1);
  const bytes = addressText.includes('%') ? undefined : addressBytes(addressText);
  if (!bytes) throw new Error(`not an IP address block: ${JSON.stringify(text)}`);

  const v4 = isIPv4(addressText);
  const width = v4 ? 32 : 128;
  let length = width;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) {
      throw new Error(`bad prefix length in ${JSON.stringify(text)}`);
    }
    length = Number(prefixText);
  }
  const prefix = v4 ? length + MAPPED_PREFIX : length;
  for (let bit = prefix; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { text: `${addressText}/${length}`, bytes, prefix };
}

/** True if the 16-byte address (from addressBytes) lies in the block. */
export function inBlock(address: Uint8Array, block: CidrBlock): boolean {
  const whole = block.prefix >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== block.bytes[i]) return false;
  const rest = block.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff00 >> rest) & 0xff;
  return (address[whole]! & mask) === block.bytes[whole];
}

/** A fixed set of address blocks. */
export class CidrMatcher {
  readonly blocks: readonly CidrBlock[];

  /** Throws on the first entry that is not a valid block, so a bad allow-list fails at startup. */
  constructor(cidrs: readonly string[]) {
    this.blocks = cidrs.map(parseCidr);
  }

  /** True if the address (IPv4, IPv6, or IPv4-mapped IPv6) lies in any block; false for non-addresses. */
  matches(address: string): boolean {
    const bytes = addressBytes(address);
    if (!bytes) return false;
    return this.blocks.some((block) => inBlock(bytes, block));
  }
}

/** Reports `::ffff:10.0.0.1` (what a dual-stack socket sees) as `10.0.0.1`, so a peer has one spelling. */
export function unmapIPv4(address: string): string {
  return address.length > 7 && address.slice(0, 7).toLowerCase() === '::ffff:' && isIPv4(address.slice(7))
    ? address.slice(7)
    : address;
}
