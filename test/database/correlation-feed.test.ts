import { DataSource } from 'typeorm';
import { Database, dataSourceOptions } from '../../src/database/index.js';
import { CorrelationFeedBatches1796700000000 } from '../../src/database/migrations/1796700000000-correlation-feed-batches.js';
import { CorrelationFeed } from '../../src/detection/correlation-feed.js';
import type { CorrelationInput } from '../../src/detection/detection-engine.js';
import type { StoredEvent } from '../../src/events/index.js';
import { FakeClock } from '../../src/shared/index.js';
import { createDatabaseBefore, createMigratedDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

const SPAN_MS = 10 * 60_000;
const START = Date.UTC(2026, 11, 7, 8, 0);

function match(n: number, rule: { id?: string; name?: string } = { id: 'ssh-brute-force' }): CorrelationInput {
  const event = { '@timestamp': new Date(START + n * 1000).toISOString(), event: { id: `e${n}`, dataset: 'system.auth' }, source: { ip: `203.0.113.${n % 250}` }, user: { name: `用户${n}` } };
  return { rule, event: event as unknown as StoredEvent, at: START + n * 1000 };
}

const plain = (inputs: CorrelationInput[]) => inputs.map(({ rule, event, at }) => ({ rule, event, at }));

/**
 * The shared correlation feed on PostgreSQL: what one instance writes, the windows' keeper reads
 * once and in order; a new keeper replays the recent past; a written batch is one row however
 * many matches it holds.
 */
describe.each(testDatabaseTargets())('the correlation feed on PostgreSQL ($name)', ({ adminUrl }) => {
  let url: string;
  const opened: DataSource[] = [];
  const feeds: CorrelationFeed[] = [];
  let clock: FakeClock;

  async function instance(): Promise<{ feed: CorrelationFeed; seen: CorrelationInput[]; db: Database }> {
    const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
    opened.push(dataSource);
    const db = new Database(dataSource);
    const seen: CorrelationInput[] = [];
    const feed = new CorrelationFeed(db, clock, () => SPAN_MS, (inputs) => seen.push(...inputs));
    feeds.push(feed);
    return { feed, seen, db };
  }

  beforeEach(async () => {
    url = await createMigratedDatabase(adminUrl);
    clock = new FakeClock(START);
  });
  afterEach(async () => {
    for (const feed of feeds.splice(0)) await feed.close();
    for (const dataSource of opened.splice(0)) await dataSource.destroy();
    await dropTestDatabase(adminUrl, url);
  });

  it("gives the keeper another instance's matches once, in the order written, each batch one row", async () => {
    const keeper = await instance();
    const other = await instance();
    await keeper.feed.poll();
    await other.feed.poll();
    expect([keeper.feed.owner, other.feed.owner]).toEqual([true, false]);

    const first = [match(1), match(2, { name: '未命名关联' }), match(3, { id: 'port-scan', name: 'Port scan' })];
    const second = [match(4), match(5)];
    await other.feed.write(first, false);
    await other.feed.write(second, false);
    expect(await keeper.db.query(`SELECT count(*)::int AS n FROM correlation_feed`)).toEqual([{ n: 2 }]);

    await keeper.feed.poll();
    expect(plain(keeper.seen)).toEqual(plain([...first, ...second]));
    await keeper.feed.poll();
    expect(keeper.seen).toHaveLength(5);
  });

  it('keeps matches the keeper counted itself for a replay only, which the next keeper runs over the recent past', async () => {
    const keeper = await instance();
    await keeper.feed.poll();
    await keeper.feed.write([match(1)], true);
    clock.set(START + SPAN_MS + 60_000);
    await keeper.feed.write([match(2), match(3)], true);
    await keeper.feed.poll();
    expect(keeper.seen).toEqual([]);

    await keeper.feed.close();
    const next = await instance();
    await next.feed.poll();
    expect(next.feed.owner).toBe(true);
    // The first batch was written longer ago than the longest correlation timespan.
    expect(plain(next.seen)).toEqual(plain([match(2), match(3)]));
  });

  it('splits a backlog into rows of 2,000 matches and reads more rows than one pass takes, all in order', async () => {
    const keeper = await instance();
    const other = await instance();
    await keeper.feed.poll();
    const backlog = Array.from({ length: 4_500 }, (_, n) => match(n));
    await other.feed.write(backlog, false);
    const small = Array.from({ length: 60 }, (_, n) => match(10_000 + n));
    for (const one of small) await other.feed.write([one], false);
    expect(await keeper.db.query(`SELECT count(*)::int AS n FROM correlation_feed`)).toEqual([{ n: 3 + 60 }]);

    await keeper.feed.poll();
    expect(keeper.seen.map((input) => input.at)).toEqual([...backlog, ...small].map((input) => input.at));
  });

  it('prunes read rows older than the replay span and an hour, and keeps unread ones', async () => {
    const keeper = await instance();
    const other = await instance();
    await keeper.feed.poll();
    await keeper.feed.write([match(1)], true);
    await other.feed.write([match(2)], false);
    clock.set(START + SPAN_MS + 3_600_000 + 1);
    await keeper.feed.prune();
    expect(await keeper.db.query(`SELECT read FROM correlation_feed`)).toEqual([{ read: false }]);
  });
});

/** Rows a release before the change wrote, one per match, are read after it as batches of one, in order. */
describe.each(testDatabaseTargets())('the correlation feed migration on PostgreSQL ($name)', ({ adminUrl }) => {
  it('turns each old row into a batch of one, keeping order, read state and event, and undoes it', async () => {
    const { url, old } = await createDatabaseBefore(adminUrl, CorrelationFeedBatches1796700000000);
    try {
      const written = new Date(START);
      for (const [n, read] of [[1, true], [2, false], [3, false]] as const) {
        const { rule, event, at } = match(n, n === 3 ? { name: '端口扫描' } : { id: 'ssh-brute-force', name: 'SSH 暴力破解' });
        await old.query(`INSERT INTO correlation_feed (rule_id, rule_name, event, event_at, written_at, read) VALUES ($1, $2, $3, $4, $5, $6)`, [
          rule.id ?? null,
          rule.name ?? null,
          JSON.stringify(event),
          new Date(at),
          written,
          read,
        ]);
      }
      await old.destroy();
      const migrated = await new DataSource(dataSourceOptions(url)).initialize();
      try {
        const rows = await migrated.query(`SELECT matches, read FROM correlation_feed ORDER BY id`);
        expect(rows.map((r: { matches: string; read: boolean }) => [JSON.parse(r.matches), r.read])).toEqual([
          [[['ssh-brute-force', 'SSH 暴力破解', match(1).event, match(1).at]], true],
          [[['ssh-brute-force', 'SSH 暴力破解', match(2).event, match(2).at]], false],
          [[[null, '端口扫描', match(3).event, match(3).at]], false],
        ]);

        await migrated.undoLastMigration();
        const undone = await migrated.query(`SELECT rule_id, rule_name, event, event_at, read FROM correlation_feed ORDER BY id`);
        expect(undone).toEqual([
          { rule_id: 'ssh-brute-force', rule_name: 'SSH 暴力破解', event: match(1).event, event_at: new Date(match(1).at), read: true },
          { rule_id: 'ssh-brute-force', rule_name: 'SSH 暴力破解', event: match(2).event, event_at: new Date(match(2).at), read: false },
          { rule_id: null, rule_name: '端口扫描', event: match(3).event, event_at: new Date(match(3).at), read: false },
        ]);
      } finally {
        await migrated.destroy();
      }
    } finally {
      await dropTestDatabase(adminUrl, url);
    }
  });
});
