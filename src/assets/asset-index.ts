import { addressBytes, inBlock, normalizeAddress, parseCidr, type CidrBlock } from '../shared/index.js';

export interface AssetRef {
  id: string;
  department: string;
  zone: string | null;
  /** What the owner declared the asset holds; classification compares it with what the logs show. */
  personalData?: 'none' | 'personal' | 'sensitive';
}

export interface IndexedAsset {
  ref: AssetRef;
  addresses: readonly string[];
  /** Those of `addresses` registered as fallbacks (catch-alls, overlaps an administrator forced in). */
  fallback?: readonly string[];
}

interface AssetBlock {
  block: CidrBlock;
  asset: AssetRef;
  fallback: boolean;
}

/**
 * Which registered asset an event came from, by IP, CIDR block, host name or MAC. Built whole
 * from the registry and swapped in when assets change, so lookups never see a half-built index.
 *
 * An IP address belongs first to a department, then to one of its assets: to the department of
 * the ordinary registrations covering it (the registry keeps those of different departments
 * apart), or, when none does, to that of the most specific fallback; then to that department's
 * most specific block. So a block forced inside another department's range, or a catch-all,
 * never takes that department's events.
 */
export class AssetIndex {
  /** Host names, MACs and the IP addresses of ordinary registrations. */
  private readonly exact = new Map<string, AssetRef>();
  private readonly blocks: AssetBlock[] = [];
  private readonly blockCache = new Map<string, AssetRef | null>();

  constructor(assets: readonly IndexedAsset[]) {
    for (const { ref, addresses, fallback = [] } of assets) {
      for (const raw of addresses) {
        const address = normalizeAddress(raw);
        if ('error' in address) continue;
        const isFallback = fallback.includes(raw);
        if (address.kind === 'cidr' || (address.kind === 'ip' && isFallback)) this.blocks.push({ block: parseCidr(address.value), asset: ref, fallback: isFallback });
        else this.exact.set(address.value, ref);
      }
    }
    this.blocks.sort((a, b) => b.block.prefix - a.block.prefix);
  }

  get size(): number {
    return this.exact.size + this.blocks.length;
  }

  /** Host names, MACs and device ids: exact, case-insensitive. An IP address given as a name is looked up as one. */
  byName(name: string): AssetRef | undefined {
    const normalized = normalizeAddress(name);
    if ('error' in normalized) return undefined;
    return normalized.kind === 'ip' ? this.byIp(normalized.value) : this.exact.get(normalized.value);
  }

  byIp(ip: string): AssetRef | undefined {
    const normalized = normalizeAddress(ip);
    if ('error' in normalized || normalized.kind !== 'ip') return undefined;
    // An ordinary single address is the most specific claim of the one department that may hold it.
    const hit = this.exact.get(normalized.value);
    if (hit || this.blocks.length === 0) return hit;
    const cached = this.blockCache.get(normalized.value);
    if (cached !== undefined) return cached ?? undefined;
    const bytes = addressBytes(normalized.value);
    const found = bytes ? this.byBlock(bytes) : undefined;
    // Bounded: a flood of distinct source addresses must not grow memory without limit.
    if (this.blockCache.size > 50_000) this.blockCache.clear();
    this.blockCache.set(normalized.value, found ?? null);
    return found;
  }

  private byBlock(bytes: Uint8Array): AssetRef | undefined {
    let department: string | undefined;
    for (const b of this.blocks) {
      if (!inBlock(bytes, b.block)) continue;
      department ??= b.asset.department; // the most specific fallback, unless an ordinary block follows
      if (!b.fallback) {
        department = b.asset.department;
        break;
      }
    }
    if (department === undefined) return undefined;
    return this.blocks.find((b) => b.asset.department === department && inBlock(bytes, b.block))?.asset;
  }
}
