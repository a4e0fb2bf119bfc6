import { auditKeyId, canonicalJson, chainHash, ChainWalk, GENESIS_HASH, keyedChainHash, redactSecrets, type ChainedFields, type StoredLink } from './chain.js';

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

describe('ChainWalk', () => {
  const key = { key: Buffer.from('k'.repeat(43)), id: auditKeyId(Buffer.from('k'.repeat(43))) };
  /** Links records as the service writes them: the first `unkeyed` with plain SHA-256, the rest keyed. */
  const chain = (actions: string[], unkeyed = 0): StoredLink[] => {
    let prev = GENESIS_HASH;
    return actions.map((action, i) => {
      const fields = record(action);
      const keyed = i >= unkeyed;
      const hash = keyed ? keyedChainHash(key.key, prev, fields) : chainHash(prev, fields);
      const link = { ...fields, id: String(i + 1), prevHash: prev, hash, keyId: keyed ? key.id : null };
      prev = hash;
      return link;
    });
  };
  const walk = (links: StoredLink[], anchor?: { id: string; hash: string; at: string }) => {
    const w = new ChainWalk(key, anchor);
    links.every((l) => w.next(l));
    return w.finish();
  };

  it('verifies an old unkeyed part, then the keyed part', () => {
    expect(walk(chain(['a', 'b', 'audit.chain.keyed', 'c'], 2))).toEqual({ ok: true, checked: 4, unkeyed: 2, keyedFrom: '3' });
  });

  it('refuses an unkeyed record after a keyed one, even with a correct plain hash', () => {
    const links = chain(['a', 'b']);
    const forged = { ...record('forged'), id: '3', prevHash: links[1].hash, hash: chainHash(links[1].hash, record('forged')), keyId: null };
    expect(walk([...links, forged]).firstBroken).toEqual({ id: '3', reason: expect.stringMatching(/unkeyed record after/) });
  });

  it('tells a record keyed with another key from an altered one', () => {
    const links = chain(['a', 'b']);
    expect(walk([links[0], { ...links[1], keyId: 'feedfacefeedface' }]).firstBroken?.reason).toMatch(/not with this installation's key/);
    expect(walk([links[0], { ...links[1], action: 'x' }]).firstBroken?.reason).toMatch(/altered/);
  });

  it('holds the trail to its anchor: the anchored record must be there, unchanged', () => {
    const links = chain(['a', 'b', 'c']);
    const at = '2026-12-01T00:00:00.000Z';
    expect(walk(links, { id: '3', hash: links[2].hash, at }).ok).toBe(true);
    expect(walk(links.slice(0, 2), { id: '3', hash: links[2].hash, at }).firstBroken).toEqual({ id: '3', reason: expect.stringMatching(/missing: the newest records were removed/) });
    expect(walk(links, { id: '2', hash: 'f'.repeat(64), at }).firstBroken).toEqual({ id: '2', reason: expect.stringMatching(/differs from the head anchored/) });
  });
});
