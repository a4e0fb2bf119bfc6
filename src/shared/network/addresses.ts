import { isIP } from 'node:net';
import { addressBytes } from './cidr.js';

export type AddressKind = 'ip' | 'cidr' | 'hostname' | 'mac';

export interface NormalizedAddress {
  kind: AddressKind;
  /** Canonical text: the form used for duplicate checks and for matching events to assets. */
  value: string;
}

const MAC = /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;
const MAC_DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i; // Cisco style
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** IPv6 in its RFC 5952 form, so that `2001:DB8::0:1` and `2001:db8::1` count as one address. */
function canonicalIpv6(address: string): string {
  // URL parsing applies the WHATWG IPv6 serializer, which is RFC 5952 compressed lower-case.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** `::ffff:10.0.0.1` as `10.0.0.1`: a dual-stack socket's spelling of an IPv4 address is the same address. */
function mappedIpv4(address: string): string | undefined {
  const bytes = addressBytes(address);
  if (!bytes || bytes[10] !== 0xff || bytes[11] !== 0xff || bytes.subarray(0, 10).some((b) => b !== 0)) return undefined;
  return bytes.subarray(12).join('.');
}

function canonicalIp(address: string): string | undefined {
  const version = isIP(address);
  if (version === 4) return address.split('.').map((octet) => String(Number(octet))).join('.');
  if (version === 6) return mappedIpv4(address) ?? canonicalIpv6(address);
  return undefined;
}

/** Classifies and canonicalises one address; returns an error message for anything unusable. */
export function normalizeAddress(raw: string): NormalizedAddress | { error: string } {
  const text = raw.trim();
  if (!text) return { error: 'empty address' };
  if (text.includes('/')) {
    const [base, bits, ...rest] = text.split('/');
    const ip = canonicalIp(base);
    const prefix = Number(bits);
    const max = isIP(base) === 4 ? 32 : 128;
    if (rest.length || !ip || !/^\d{1,3}$/.test(bits) || prefix > max) return { error: `"${text}" is not a valid CIDR block` };
    // An IPv4-mapped IPv6 block is the IPv4 block it maps; one only partly in the mapped range stays IPv6.
    if (max === 128 && isIP(ip) === 4) return prefix >= 96 ? { kind: 'cidr', value: `${ip}/${prefix - 96}` } : { kind: 'cidr', value: `${canonicalIpv6(base)}/${prefix}` };
    return { kind: 'cidr', value: `${ip}/${prefix}` };
  }
  const ip = canonicalIp(text);
  if (ip) return { kind: 'ip', value: ip };
  const mac = MAC.exec(text);
  if (mac) return { kind: 'mac', value: mac.slice(1).join(':').toLowerCase() };
  const dotted = MAC_DOTTED.exec(text);
  if (dotted) return { kind: 'mac', value: dotted.slice(1).join('').match(/../g)!.join(':').toLowerCase() };
  const host = text.toLowerCase().replace(/\.$/, '');
  if (/^[\d.]+$/.test(host)) return { error: `"${text}" looks like an IP address but is not a valid one` };
  if (host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label))) return { kind: 'hostname', value: host };
  return { error: `"${text}" is not an IP address, CIDR block, MAC address or host name` };
}
