import { isIP } from 'node:net';
import { normalizeAddress } from '../../assets/addresses.js';

export interface AssetRef {
  id: string;
  department: string;
  zone: string | null;
}

interface Cidr {
  version: 4 | 6;
  network: bigint;
  mask: bigint;
  prefix: number;
  asset: AssetRef;
}

function ipToBigInt(ip: string): { version: 4 | 6; value: bigint } | undefined {
  const version = isIP(ip);
  if (version === 4) return { version, value: ip.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n) };
  if (version !== 6) return undefined;
  // IPv4-mapped addresses (::ffff:10.0.0.1) are matched as the IPv4 address they carry.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return ipToBigInt(mapped[1]);
  const [head, tail = ''] = ip.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const expand = (parts: string[]) => parts.flatMap((p) => (p.includes('.') ? [(ipToBigInt(p)!.value >> 16n) & 0xffffn, ipToBigInt(p)!.value & 0xffffn] : [BigInt(parseInt(p, 16))]));
  const left = expand(headParts);
  const right = expand(tailParts);
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill(0n), ...right] : left;
  return { version: 6, value: groups.reduce((n, g) => (n << 16n) | g, 0n) };
}

/**
 * Which registered asset an event came from, by IP, CIDR block, host name or MAC. Built whole
 * from the registry and swapped in when assets change, so lookups never see a half-built index.
 */
export class AssetIndex {
  private readonly exact = new Map<string, AssetRef>();
  private readonly cidrs: Cidr[] = [];
  private readonly cidrCache = new Map<string, AssetRef | null>();

  constructor(assets: { ref: AssetRef; addresses: string[] }[]) {
    for (const { ref, addresses } of assets) {
      for (const raw of addresses) {
        const address = normalizeAddress(raw);
        if ('error' in address) continue;
        if (address.kind !== 'cidr') {
          this.exact.set(address.value, ref);
          continue;
        }
        const [base, bits] = address.value.split('/');
        const ip = ipToBigInt(base);
        if (!ip) continue;
        const width = ip.version === 4 ? 32 : 128;
        const prefix = Number(bits);
        const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(width - prefix);
        this.cidrs.push({ version: ip.version, network: ip.value & mask, mask, prefix, asset: ref });
      }
    }
    // Most specific block first: a /32 inside a /16 belongs to its own asset.
    this.cidrs.sort((a, b) => b.prefix - a.prefix);
  }

  get size(): number {
    return this.exact.size + this.cidrs.length;
  }

  /** Host names, MACs and device ids: exact, case-insensitive. */
  byName(name: string): AssetRef | undefined {
    const normalized = normalizeAddress(name);
    return 'error' in normalized ? undefined : this.exact.get(normalized.value);
  }

  byIp(ip: string): AssetRef | undefined {
    const normalized = normalizeAddress(ip);
    if ('error' in normalized || normalized.kind !== 'ip') return undefined;
    const hit = this.exact.get(normalized.value);
    if (hit || this.cidrs.length === 0) return hit;
    const cached = this.cidrCache.get(normalized.value);
    if (cached !== undefined) return cached ?? undefined;
    const parsed = ipToBigInt(normalized.value);
    const found = parsed ? this.cidrs.find((c) => c.version === parsed.version && (parsed.value & c.mask) === c.network)?.asset : undefined;
    // Bounded: a flood of distinct source addresses must not grow memory without limit.
    if (this.cidrCache.size > 50_000) this.cidrCache.clear();
    this.cidrCache.set(normalized.value, found ?? null);
    return found;
  }
}
