import {
  CorrelationEngine,
  InMemoryStateStore,
  parseSigmaDocuments,
  SigmaError,
  type CorrelationEngineOptions,
  type CorrelationStateStore,
  type GroupState,
  type SigmaCorrelation,
} from './index.js';

const T0 = Date.UTC(2024, 0, 1);
const S = 1000;
const M = 60 * S;

function correlations(text: string): SigmaCorrelation[] {
  const r = parseSigmaDocuments(text, 'corr.yml');
  if (r.errors.length) throw r.errors[0];
  return r.correlations;
}
function engine(body: string, options?: CorrelationEngineOptions) {
  return new CorrelationEngine(correlations(`title: c\nname: c\ncorrelation:\n${body}`), options);
}

describe('event_count', () => {
  const body = `  type: event_count\n  rules: [failed_login]\n  group-by: [host]\n  timespan: 5m\n  condition: { gte: 3 }\n`;

  it('fires on the event that reaches the count, inside the timespan (inclusive)', () => {
    const e = engine(body);
    expect(e.process('failed_login', { host: 'a' }, T0)).toEqual([]);
    expect(e.process('failed_login', { host: 'a' }, T0 + 2 * M)).toEqual([]);
    const hits = e.process('failed_login', { host: 'a', n: 3 }, T0 + 5 * M);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ name: 'c', type: 'event_count', group: { host: 'a' }, eventCount: 3, value: 3, windowStart: T0, timestamp: T0 + 5 * M, event: { host: 'a', n: 3 } });
  });

  it('does not count events further apart than the timespan', () => {
    const e = engine(body);
    e.process('failed_login', { host: 'a' }, T0);
    e.process('failed_login', { host: 'a' }, T0 + 2 * M);
    expect(e.process('failed_login', { host: 'a' }, T0 + 5 * M + 1)).toEqual([]);
    // the two later events still count
    expect(e.process('failed_login', { host: 'a' }, T0 + 6 * M)).toHaveLength(1);
  });

  it('counts each group separately and ignores events without the group field', () => {
    const e = engine(body);
    for (const h of ['a', 'b', 'a', 'b']) expect(e.process('failed_login', { host: h }, T0)).toEqual([]);
    expect(e.process('failed_login', { other: 1 }, T0)).toEqual([]);
    const hits = e.process('failed_login', { host: 'b' }, T0 + M);
    expect(hits.map((h) => h.group)).toEqual([{ host: 'b' }]);
  });

  it('starts afresh after a hit, and ignores other rules', () => {
    const e = engine(body);
    for (let i = 0; i < 3; i++) e.process('failed_login', { host: 'a' }, T0 + i);
    expect(e.process('failed_login', { host: 'a' }, T0 + 10)).toEqual([]);
    expect(e.process('other_rule', { host: 'a' }, T0 + 11)).toEqual([]);
    expect(e.process('failed_login', { host: 'a' }, T0 + 12)).toEqual([]);
    expect(e.process('failed_login', { host: 'a' }, T0 + 13)).toHaveLength(1);
  });

  it('counts events that arrive out of order, unless they are older than the window', () => {
    const e = engine(body);
    e.process('failed_login', { host: 'a' }, T0 + 10 * M);
    expect(e.process('failed_login', { host: 'a' }, T0 + 4 * M)).toEqual([]); // too old: 6 minutes before the newest
    expect(e.process('failed_login', { host: 'a' }, T0 + 8 * M)).toEqual([]); // late but inside
    expect(e.process('failed_login', { host: 'a' }, T0 + 5 * M)).toMatchObject([{ eventCount: 3, windowStart: T0 + 5 * M }]); // exactly at the edge
  });

  it('accepts rules by id or name, and Date / ISO timestamps', () => {
    const e = engine(body.replace('[failed_login]', '[8f5a2b1c-0000-4000-8000-000000000001]'));
    e.process({ id: '8f5a2b1c-0000-4000-8000-000000000001', name: 'x' }, { host: 'a' }, new Date(T0));
    e.process({ id: '8f5a2b1c-0000-4000-8000-000000000001' }, { host: 'a' }, new Date(T0 + 1).toISOString());
    expect(e.process('8F5A2B1C-0000-4000-8000-000000000001', { host: 'a' }, T0 + 2)).toHaveLength(1);
    expect(() => e.process('x', {}, 'yesterday')).toThrow(RangeError);
  });

  it('without group-by counts all events together', () => {
    const e = engine(`  type: event_count\n  rules: [r]\n  timespan: 1m\n  condition: { gt: 1 }\n`);
    e.process('r', { a: 1 }, T0);
    expect(e.process('r', { b: 2 }, T0 + S)[0]).toMatchObject({ group: {}, value: 2 });
  });
});

describe('value_count', () => {
  const e = () =>
    engine(`  type: value_count\n  rules: [failed_login]\n  group-by: [host]\n  timespan: 10m\n  condition: { field: user, gte: 3 }\n`);

  it('counts distinct values of the field per group', () => {
    const x = e();
    expect(x.process('failed_login', { host: 'a', user: 'u1' }, T0)).toEqual([]);
    expect(x.process('failed_login', { host: 'a', user: 'u1' }, T0 + M)).toEqual([]);
    expect(x.process('failed_login', { host: 'a', user: 'u2' }, T0 + 2 * M)).toEqual([]);
    expect(x.process('failed_login', { host: 'b', user: 'u3' }, T0 + 3 * M)).toEqual([]);
    const hits = x.process('failed_login', { host: 'a', user: 'u3' }, T0 + 10 * M);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ value: 3, eventCount: 4, group: { host: 'a' } });
  });

  it('forgets values older than the timespan and skips events without the field', () => {
    const x = e();
    x.process('failed_login', { host: 'a', user: 'u1' }, T0);
    x.process('failed_login', { host: 'a', user: 'u2' }, T0 + M);
    x.process('failed_login', { host: 'a' }, T0 + 2 * M);
    expect(x.process('failed_login', { host: 'a', user: 'u3' }, T0 + 10 * M + 1)).toEqual([]);
    expect(x.process('failed_login', { host: 'a', user: 'u4' }, T0 + 10 * M + 2)).toHaveLength(1);
  });
});

describe('temporal', () => {
  const body = `  type: temporal\n  rules: [recon_a, recon_b, recon_c]\n  group-by: [user]\n  timespan: 5m\n`;

  it('fires when all rules matched in any order within the timespan', () => {
    const e = engine(body);
    expect(e.process('recon_c', { user: 'u' }, T0)).toEqual([]);
    expect(e.process('recon_a', { user: 'u' }, T0 + M)).toEqual([]);
    expect(e.process('recon_a', { user: 'u' }, T0 + 2 * M)).toEqual([]);
    expect(e.process('recon_b', { user: 'u' }, T0 + 5 * M)).toMatchObject([{ value: 3, group: { user: 'u' } }]);
  });

  it('does not fire across the timespan or across groups', () => {
    const e = engine(body);
    e.process('recon_a', { user: 'u' }, T0);
    e.process('recon_b', { user: 'u' }, T0 + M);
    expect(e.process('recon_c', { user: 'other' }, T0 + 2 * M)).toEqual([]);
    expect(e.process('recon_c', { user: 'u' }, T0 + 5 * M + 1)).toEqual([]);
  });

  it('takes a condition on the number of distinct rules', () => {
    const e = engine(body + '  condition: { gte: 2 }\n');
    e.process('recon_a', { user: 'u' }, T0);
    expect(e.process('recon_a', { user: 'u' }, T0 + 1)).toEqual([]);
    expect(e.process('recon_c', { user: 'u' }, T0 + 2)).toHaveLength(1);
  });
});

describe('temporal_ordered', () => {
  const body = `  type: temporal_ordered\n  rules: [many_failed, success]\n  group-by: [user]\n  timespan: 1h\n`;

  it('fires only when the rules matched in the listed order', () => {
    const e = engine(body);
    expect(e.process('success', { user: 'u' }, T0)).toEqual([]);
    expect(e.process('many_failed', { user: 'u' }, T0 + M)).toEqual([]);
    expect(e.process('success', { user: 'u' }, T0 + 60 * M)).toMatchObject([{ value: 2, eventCount: 3, windowStart: T0 }]);
  });

  it('wrong order or too far apart gives nothing', () => {
    const e = engine(body);
    e.process('success', { user: 'u' }, T0);
    expect(e.process('many_failed', { user: 'u' }, T0 + M)).toEqual([]);
    const f = engine(body);
    f.process('many_failed', { user: 'u' }, T0);
    expect(f.process('success', { user: 'u' }, T0 + 60 * M + 1)).toEqual([]);
  });
});

describe('value aggregates', () => {
  it('value_sum fires as soon as the sum passes the threshold', () => {
    const e = engine(`  type: value_sum\n  rules: [xfer]\n  group-by: [src]\n  timespan: 1h\n  condition: { field: bytes, gt: 1000 }\n`);
    expect(e.process('xfer', { src: 'a', bytes: 600 }, T0)).toEqual([]);
    expect(e.process('xfer', { src: 'a', bytes: 'n/a' }, T0 + 1)).toEqual([]);
    expect(e.process('xfer', { src: 'a', bytes: '400' }, T0 + 2)).toEqual([]); // 1000 is not > 1000
    expect(e.process('xfer', { src: 'a', bytes: 1 }, T0 + 3)).toMatchObject([{ value: 1001, eventCount: 3 }]);
    // outside the hour the earlier bytes no longer count
    e.process('xfer', { src: 'b', bytes: 900 }, T0);
    expect(e.process('xfer', { src: 'b', bytes: 900 }, T0 + 60 * M + 1)).toEqual([]);
  });

  it('value_max and value_min fire immediately', () => {
    const max = engine(`  type: value_max\n  rules: [r]\n  group-by: [h]\n  timespan: 1m\n  condition: { field: v, gte: 100 }\n`);
    expect(max.process('r', { h: 1, v: 99 }, T0)).toEqual([]);
    expect(max.process('r', { h: 1, v: 100 }, T0 + 1)).toMatchObject([{ value: 100 }]);
    const min = engine(`  type: value_min\n  rules: [r]\n  group-by: [h]\n  timespan: 1m\n  condition: { field: v, lt: 5 }\n`);
    expect(min.process('r', { h: 1, v: 7 }, T0)).toEqual([]);
    expect(min.process('r', { h: 1, v: 4 }, T0 + 1)).toMatchObject([{ value: 4 }]);
  });

  it('value_avg is judged on the whole window, when it closes', () => {
    const e = engine(`  type: value_avg\n  rules: [req]\n  group-by: [host]\n  timespan: 10m\n  condition: { field: ms, gt: 100 }\n`);
    expect(e.process('req', { host: 'a', ms: 300 }, T0)).toEqual([]); // avg 300 so far, but the window is open
    expect(e.process('req', { host: 'a', ms: 50 }, T0 + 5 * M)).toEqual([]);
    expect(e.process('req', { host: 'a', ms: 100 }, T0 + 10 * M)).toEqual([]); // still inside (inclusive)
    expect(e.advance(T0 + 10 * M)).toEqual([]);
    const hits = e.advance(T0 + 10 * M + 1);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ value: 150, eventCount: 3, windowStart: T0, windowEnd: T0 + 10 * M, event: { host: 'a', ms: 100 } });
    expect(e.advance(T0 + 100 * M)).toEqual([]);
  });

  it('a whole-window group is also judged when its next event falls outside the window', () => {
    const e = engine(`  type: value_avg\n  rules: [req]\n  group-by: [host]\n  timespan: 10m\n  condition: { field: ms, lte: 100 }\n`);
    e.process('req', { host: 'a', ms: 80 }, T0);
    const hits = e.process('req', { host: 'a', ms: 1000 }, T0 + 10 * M + 1);
    expect(hits).toMatchObject([{ value: 80, eventCount: 1 }]);
    expect(e.advance(T0 + 30 * M)).toEqual([]); // the new window (avg 1000) does not qualify
  });

  it('value_median and value_percentile', () => {
    const med = engine(`  type: value_median\n  rules: [r]\n  timespan: 1m\n  condition: { field: v, gte: 20 }\n`);
    for (const [i, v] of [30, 1000, 10, 20].entries()) med.process('r', { v }, T0 + i);
    expect(med.advance(T0 + 2 * M)).toMatchObject([{ value: 25 }]);
    const p90 = engine(`  type: value_percentile\n  rules: [r]\n  timespan: 1m\n  condition: { field: v, percentile: 90, gt: 90 }\n`);
    for (let i = 1; i <= 100; i++) p90.process('r', { v: i }, T0 + i);
    const p90hits = p90.advance(T0 + 2 * M);
    expect(p90hits).toHaveLength(1);
    expect(p90hits[0].value).toBeCloseTo(90.1, 9);
    const p50 = engine(`  type: value_percentile\n  rules: [r]\n  timespan: 1m\n  condition: { field: v, gt: 90 }\n`);
    for (let i = 1; i <= 100; i++) p50.process('r', { v: i }, T0 + i);
    expect(p50.advance(T0 + 2 * M)).toEqual([]); // default percentile 50 → 50.5
  });
});

describe('conditions with upper bounds', () => {
  const body = (cond: string) => `  type: event_count\n  rules: [r]\n  group-by: [h]\n  timespan: 1m\n  condition: ${cond}\n`;
  const run = (cond: string, n: number) => {
    const e = engine(body(cond));
    for (let i = 0; i < n; i++) expect(e.process('r', { h: 1 }, T0 + i * S)).toEqual([]);
    return e.advance(T0 + 2 * M);
  };
  it.each([
    ['{ gt: 2, lte: 4 }', 2, 0],
    ['{ gt: 2, lte: 4 }', 3, 1],
    ['{ gt: 2, lte: 4 }', 4, 1],
    ['{ gt: 2, lte: 4 }', 5, 0],
    ['{ lt: 3 }', 2, 1],
    ['{ lt: 3 }', 3, 0],
    ['{ eq: 3 }', 3, 1],
    ['{ eq: 3 }', 4, 0],
    ['{ neq: 3 }', 3, 0],
    ['{ neq: 3 }', 2, 1],
  ])('%s with %i events → %i hits', (cond, n, hits) => {
    expect(run(cond, n)).toHaveLength(hits);
  });
});

describe('aliases', () => {
  it('group events of different rules by differently named fields', () => {
    const e = engine(`  type: temporal
  rules: [internal_error, new_network_connection]
  group-by: [internal_ip, remote_ip]
  timespan: 10s
  aliases:
    internal_ip:
      internal_error: destination.ip
      new_network_connection: source.ip
    remote_ip:
      internal_error: source.ip
      new_network_connection: destination.ip
`);
    expect(e.process('internal_error', { source: { ip: '1.1.1.1' }, destination: { ip: '10.0.0.5' } }, T0)).toEqual([]);
    // same addresses, other direction: no
    expect(e.process('new_network_connection', { source: { ip: '1.1.1.1' }, destination: { ip: '10.0.0.5' } }, T0 + S)).toEqual([]);
    const hits = e.process('new_network_connection', { source: { ip: '10.0.0.5' }, destination: { ip: '1.1.1.1' } }, T0 + 2 * S);
    expect(hits).toMatchObject([{ group: { internal_ip: '10.0.0.5', remote_ip: '1.1.1.1' } }]);
  });
});

describe('chains and generate', () => {
  const text = `title: Many failed logins
name: many_failed
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [user, host]
  timespan: 10m
  condition: { gte: 3 }
---
title: Brute force succeeded
name: brute_success
level: high
correlation:
  type: temporal_ordered
  rules: [many_failed, successful_login]
  group-by: [user]
  timespan: 1h
`;

  it('feeds correlation hits into correlations that reference them', () => {
    const e = new CorrelationEngine(correlations(text), { knownRules: [{ name: 'failed_login' }, { name: 'successful_login' }] });
    for (let i = 0; i < 2; i++) expect(e.process('failed_login', { user: 'bob', host: 'h' }, T0 + i * M)).toEqual([]);
    const inner = e.process('failed_login', { user: 'bob', host: 'h' }, T0 + 2 * M);
    expect(inner.map((h) => [h.name, h.standalone])).toEqual([['many_failed', false]]);
    const outer = e.process('successful_login', { user: 'bob', host: 'other' }, T0 + 30 * M);
    expect(outer.map((h) => [h.name, h.level, h.standalone, h.group])).toEqual([['brute_success', 'high', true, { user: 'bob' }]]);
  });

  it('referenced rules are not alerted on their own unless a correlation says generate: true', () => {
    const e = new CorrelationEngine(correlations(text));
    expect(e.standalone('failed_login')).toBe(false);
    expect(e.standalone('unrelated_rule')).toBe(true);
    expect(e.standalone({ name: 'many_failed' })).toBe(false);
    expect(e.standalone({ name: 'brute_success' })).toBe(true);
    const g = new CorrelationEngine(correlations(text.replace('  condition: { gte: 3 }', '  condition: { gte: 3 }\n  generate: true')));
    expect(g.standalone('failed_login')).toBe(true);
  });

  it('rejects cycles and unknown references with positions', () => {
    const cyc = `title: a\nname: a\ncorrelation: { type: temporal, rules: [b, x], group-by: [u], timespan: 1m }\n---\ntitle: b\nname: b\ncorrelation: { type: temporal, rules: [a, y], group-by: [u], timespan: 1m }\n`;
    expect(() => new CorrelationEngine(correlations(cyc))).toThrow(/correlation cycle: a → b → a/);
    let err: unknown;
    try {
      new CorrelationEngine(correlations(text), { knownRules: [{ name: 'failed_login' }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SigmaError);
    expect((err as SigmaError).message).toMatch(/unknown rule 'successful_login'/);
    expect([(err as SigmaError).line, (err as SigmaError).column]).toEqual([15, 24]);
  });
});

describe('bounded state', () => {
  it('evicts the least recently used group beyond maxGroups and counts it', () => {
    const e = engine(`  type: event_count\n  rules: [r]\n  group-by: [h]\n  timespan: 1h\n  condition: { gte: 2 }\n`, { maxGroups: 2 });
    e.process('r', { h: 'a' }, T0);
    e.process('r', { h: 'b' }, T0 + 1);
    e.process('r', { h: 'c' }, T0 + 2); // evicts a
    expect(e.stats()).toEqual({ groups: 2, evictedGroups: 1, evictedEntries: 0 });
    expect(e.process('r', { h: 'a' }, T0 + 3)).toEqual([]); // a starts over
    expect(e.process('r', { h: 'c' }, T0 + 4)).toHaveLength(1);
  });

  it('drops the oldest entries beyond maxEntriesPerGroup and counts them', () => {
    const e = engine(`  type: event_count\n  rules: [r]\n  group-by: [h]\n  timespan: 1h\n  condition: { gte: 10 }\n`, { maxEntriesPerGroup: 3 });
    for (let i = 0; i < 20; i++) expect(e.process('r', { h: 'a' }, T0 + i)).toEqual([]);
    expect(e.stats().evictedEntries).toBe(17);
  });

  it('drops groups whose window has passed on advance', () => {
    const e = engine(`  type: event_count\n  rules: [r]\n  group-by: [h]\n  timespan: 1m\n  condition: { gte: 5 }\n`);
    e.process('r', { h: 'a' }, T0);
    e.process('r', { h: 'b' }, T0 + M);
    e.advance(T0 + M + 30 * S);
    expect(e.stats().groups).toBe(1);
  });

  it('works with any store behind the interface', () => {
    const inner = new InMemoryStateStore();
    const calls: string[] = [];
    const store: CorrelationStateStore = {
      get: (c, g) => (calls.push('get'), inner.get(c, g)),
      set: (c, g, s: GroupState) => (calls.push('set'), inner.set(c, g, JSON.parse(JSON.stringify(s)))), // as a serialising store would
      delete: (c, g) => (calls.push('delete'), inner.delete(c, g)),
      groups: (c) => inner.groups(c),
      stats: () => inner.stats(),
    };
    const e = engine(`  type: value_count\n  rules: [r]\n  group-by: [h]\n  timespan: 1h\n  condition: { field: u, gte: 2 }\n`, { store });
    e.process('r', { h: 'a', u: 1 }, T0);
    expect(e.process('r', { h: 'a', u: 2 }, T0 + 1)).toHaveLength(1);
    expect(calls).toEqual(['get', 'set', 'get', 'delete']);
  });
});

describe('distinct counts and sums kept with the window', () => {
  // the same stream into an engine that keeps its tallies and sums and one whose store keeps only
  // the entries, serialised, so that every window is counted afresh: they must agree
  const entriesOnly = (): CorrelationStateStore => {
    const inner = new InMemoryStateStore();
    const plain = ({ tally: _tally, sum: _sum, ...rest }: GroupState): GroupState => JSON.parse(JSON.stringify(rest));
    return { get: (c, g) => inner.get(c, g), set: (c, g, st: GroupState) => inner.set(c, g, plain(st)), delete: (c, g) => inner.delete(c, g), groups: (c) => inner.groups(c), stats: () => inner.stats() };
  };
  const bodies = [
    `  type: value_count\n  rules: [r]\n  group-by: [h]\n  timespan: 2m\n  condition: { field: u, gte: 4 }\n`,
    `  type: temporal\n  rules: [r, q, p]\n  group-by: [h]\n  timespan: 8s\n  condition: { gte: 3 }\n`,
    `  type: value_sum\n  rules: [r, q]\n  group-by: [h]\n  timespan: 1m\n  condition: { field: b, gte: 2500 }\n`,
  ];

  it.each(bodies)('agree with a count of the whole window on every arrival, late events and evictions included: %s', (body) => {
    const kept = engine(body, { maxEntriesPerGroup: 20 });
    const afresh = engine(body, { maxEntriesPerGroup: 20, store: entriesOnly() });
    let seed = 11;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    let hits = 0;
    for (let i = 0; i < 4000; i++) {
      // mostly forward in time, sometimes late by up to a minute
      const ts = T0 + i * 2 * S - (next(10) === 0 ? next(60) * S : 0);
      const rule = ['r', 'q', 'p'][next(3)];
      // whole numbers, and now and then a fraction, which a kept sum cannot hold exactly
      const event = { h: `host-${next(3)}`, u: `user-${next(8)}`, b: next(25) === 0 ? next(1000) + 0.1 : next(1000) };
      const a = kept.process(rule, event, ts).map((h) => [h.groupKey, h.value, h.eventCount]);
      expect(afresh.process(rule, event, ts).map((h) => [h.groupKey, h.value, h.eventCount])).toEqual(a);
      hits += a.length;
    }
    expect(hits).toBeGreaterThan(20);
  });
});

describe('correlation documents', () => {
  const bad = (body: string) => {
    const r = parseSigmaDocuments(`title: c\ncorrelation:\n${body}`, 'c.yml');
    expect(r.correlations).toEqual([]);
    return r.errors[0];
  };
  it.each([
    ['30s', 30 * S],
    ['5m', 5 * M],
    ['2h', 2 * 60 * M],
    ['1d', 24 * 60 * M],
    ['1w', 7 * 24 * 60 * M],
  ])('timespan %s', (ts, ms) => {
    expect(correlations(`title: c\ncorrelation: { type: temporal, rules: [a, b], timespan: ${ts} }\n`)[0].timespanMs).toBe(ms);
  });
  it.each([
    ['  type: event_count\n  rules: [a]\n  timespan: 5 minutes\n  condition: { gte: 1 }\n', 5, 13, /invalid timespan/],
    ['  type: event_count\n  rules: [a]\n  timespan: 5m\n', 3, 3, /needs a 'condition'/],
    ['  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: { gte: 1 }\n', 6, 14, /needs 'field'/],
    ['  type: event_sum\n  rules: [a]\n  timespan: 5m\n  condition: { gte: 1 }\n', 3, 9, /'type' must be one of/],
    ['  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: { about: 1 }\n', 6, 16, /unknown condition key 'about'/],
    ['  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: { gte: many }\n', 6, 21, /needs a number/],
    ['  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  aliases: { ip: { c: x } }\n', 6, 20, /not in 'rules'/],
  ])('%#: errors', (body, line, column, message) => {
    const e = bad(body);
    expect(e.message).toMatch(message);
    expect([e.line, e.column]).toEqual([line, column]);
  });
});
