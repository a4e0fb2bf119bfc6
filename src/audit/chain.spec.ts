import { canonicalJson, chainHash, GENESIS_HASH, redactSecrets, type ChainedFields } from './chain.js';

const record = (action: string, after: unknown = null): ChainedFields => ({
  at: new Date('2026-11-29T08:00:00.123Z'),
  actor: 'admin',
  actorRole: 'admin',
  action,
  targetType: 'asset',
  targetId: 'a1',
  outcome: 'success',
  sourceIp: '127.0.0.1',
  before: null,
  after,
});

describe('audit hash chain', () => {
  it('hashes the same content the same way whatever the key order (JSONB reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(chainHash(GENESIS_HASH, record('x', { a: 1, b: 2 }))).toBe(chainHash(GENESIS_HASH, record('x', { b: 2, a: 1 })));
  });

  it('changes when any covered field changes, and ignores fields it does not cover', () => {
    const base = chainHash(GENESIS_HASH, record('asset.update', { criticality: 'high' }));
    expect(chainHash(GENESIS_HASH, record('asset.update', { criticality: 'low' }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...record('asset.update', { criticality: 'high' }), actor: 'mallory' })).not.toBe(base);
    expect(chainHash('f'.repeat(64), record('asset.update', { criticality: 'high' }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...record('asset.update', { criticality: 'high' }), id: '7', hash: 'zz' } as ChainedFields)).toBe(base);
  });

  it('redacts secret-looking keys at any depth', () => {
    expect(redactSecrets({ username: 'u', password: 'p', nested: [{ apiKey: 'k', token: 't', keyHash: 'h', name: 'n' }] })).toEqual({
      username: 'u',
      password: '[redacted]',
      nested: [{ apiKey: '[redacted]', token: '[redacted]', keyHash: '[redacted]', name: 'n' }],
    });
  });
});
