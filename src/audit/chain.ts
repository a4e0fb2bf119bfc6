import { createHash } from 'node:crypto';

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

export function chainHash(prevHash: string, f: ChainedFields): string {
  // Named one by one: a stored record carries more (id, hashes) than what was hashed when written.
  const body = canonicalJson({
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
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
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
