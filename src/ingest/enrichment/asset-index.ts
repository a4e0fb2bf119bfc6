import { normalizeAddress } from '../../assets/addresses.js';
import { addressBytes, inBlock, parseCidr, type CidrBlock } from '../../common/cidr.js';

export interface AssetRef {
  id: string;
  department: string;
  zone: string | null;
  /** What the owner declared the asset holds; classification compares it with what the logs show. */
  personalData?: 'none' | 'personal' | 'sensitive';
}

interface AssetBlock {
  block: CidrBlock;
  asset: AssetRef;
}

/**
 * Which registered asset an event came from, by IP, CIDR block, host name or MAC. Built whole
 * from the registry and swapped in when assets change, so lookups never see a half-built index.
 */
export class AssetIndex {
  private readonly exact = new Map<string, AssetRef>();
  private readonly cidrs: AssetBlock[] = [];
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
        this.cidrs.push({ block: parseCidr(address.value), asset: ref });
      }
    }
    // Most specific block first: a /32 inside a /16 belongs to its own asset.
    this.cidrs.sort((a, b) => b.block.prefix - a.block.prefix);
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
    const bytes = addressBytes(normalized.value);
    const found = bytes ? this.cidrs.find((c) => inBlock(bytes, c.block))?.asset : undefined;
    // Bounded: a flood of distinct source addresses must not grow memory without limit.
    if (this.cidrCache.size > 50_000) this.cidrCache.clear();
    this.cidrCache.set(normalized.value, found ?? null);
    return found;
  }
}
