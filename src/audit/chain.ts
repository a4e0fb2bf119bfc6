import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit record that its hash covers. */
export interface ChainedFields {
  at: Date;
  actor: string;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  sourceIp: string | null;
  before: unknown;
  after: unknown;
}

/**
 * JSON with object keys sorted at every level, so that a record read back from JSONB (which
 * reorders keys) hashes the same as when it was written.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function chainBody(f: ChainedFields): string {
  // Named one by one: a stored record carries more (id, hashes) than what was hashed when written.
  return canonicalJson({
    at: f.at.toISOString(),
    actor: f.actor,
    actorRole: f.actorRole,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    outcome: f.outcome,
    sourceIp: f.sourceIp,
    before: f.before,
    after: f.after,
  });
}

/** The unkeyed link of the chain Taishi wrote before the keyed one: anyone can recompute it. */
export function chainHash(prevHash: string, f: ChainedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(chainBody(f)).digest('hex');
}

/** The keyed link: without the key (kept outside the database) nobody can recompute the chain. */
export function keyedChainHash(key: Buffer, prevHash: string, f: ChainedFields): string {
  return createHmac('sha256', key).update(prevHash).update('\n').update(chainBody(f)).digest('hex');
}

/** A short public name of a key, stored with each record, so a wrong key is told apart from tampering. */
export function auditKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('taishi audit key id').digest('hex').slice(0, 16);
}

export interface StoredLink extends ChainedFields {
  id: string;
  prevHash: string;
  hash: string;
  /** Null on the records of the unkeyed chain an earlier release wrote. */
  keyId: string | null;
}

/** The head of the trail as last recorded outside the database. */
export interface ChainAnchor {
  id: string;
  hash: string;
  at: string;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstBroken?: { id: string; reason: string };
  /** Records of the old unkeyed chain, verified as such up to the first keyed record. */
  unkeyed: number;
  keyedFrom: string | null;
}

/**
 * Walks the chain record by record in id order: the unkeyed part an earlier release wrote, then
 * keyed records only, and the anchored head where the anchor says it was.
 */
export class ChainWalk {
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private unkeyed = 0;
  private keyedFrom: string | null = null;
  private anchorSeen = false;
  private broken?: { id: string; reason: string };

  constructor(
    private readonly key: { key: Buffer; id: string },
    private readonly anchor?: ChainAnchor,
  ) {}

  /** Checks the next record; false once the chain is broken. */
  next(r: StoredLink): boolean {
    if (this.broken) return false;
    if (this.anchor && !this.anchorSeen && BigInt(r.id) > BigInt(this.anchor.id)) return this.fail(this.anchor.id, this.missingAnchor());
    const reason = this.problem(r);
    if (reason) return this.fail(r.id, reason);
    if (r.id === this.anchor?.id) this.anchorSeen = true;
    if (r.keyId === null) this.unkeyed++;
    else this.keyedFrom ??= r.id;
    this.prevHash = r.hash;
    this.checked++;
    return true;
  }

  finish(): ChainReport {
    if (!this.broken && this.anchor && !this.anchorSeen) this.fail(this.anchor.id, this.missingAnchor());
    return { ok: !this.broken, checked: this.checked, ...(this.broken ? { firstBroken: this.broken } : {}), unkeyed: this.unkeyed, keyedFrom: this.keyedFrom };
  }

  private problem(r: StoredLink): string | undefined {
    if (r.prevHash !== this.prevHash) return 'previous-hash link does not match the record before it (a record was removed or inserted)';
    if (r.keyId === null) {
      if (this.keyedFrom !== null) return `unkeyed record after the chain became keyed at record ${this.keyedFrom} (written behind the service)`;
      if (chainHash(this.prevHash, r) !== r.hash) return 'content does not match its hash (the record was altered)';
    } else {
      if (r.keyId !== this.key.id) return `keyed with key ${r.keyId}, not with this installation's key ${this.key.id} (the key file or TAISHI_AUDIT_KEY is not this database's, or the record was forged)`;
      if (keyedChainHash(this.key.key, this.prevHash, r) !== r.hash) return 'content does not match its hash (the record was altered)';
    }
    if (r.id === this.anchor?.id && r.hash !== this.anchor.hash) return `differs from the head anchored outside the database at ${this.anchor.at} (the trail was rewritten)`;
    return undefined;
  }

  private missingAnchor(): string {
    return `anchored outside the database at ${this.anchor!.at} but missing: the newest records were removed`;
  }

  private fail(id: string, reason: string): false {
    this.broken = { id, reason };
    return false;
  }
}

const SECRET_KEY = /pass(word)?|secret|token|hash|api_?key|credential/i;

/** Copies a value for the audit trail with anything secret-looking replaced. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}
