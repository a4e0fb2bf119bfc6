import type { EventStore, StoredEvent } from '../../src/events/event-store.js';
import { ElasticsearchEventStore } from '../../src/events/elasticsearch-event-store.js';
import { PostgresEventStore } from '../../src/events/postgres-event-store.js';
import { createMigratedDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

/**
 * One contract, every store: the embedded PostgreSQL, the PostgreSQL server (TEST_DATABASE_URL)
 * and Elasticsearch (TEST_ELASTICSEARCH_URL).
 */
interface StoreTarget {
  name: string;
  open(): Promise<{ store: EventStore; dispose(): Promise<void> }>;
}

const targets: StoreTarget[] = testDatabaseTargets().map(({ name, adminUrl }) => ({
  name: `PostgreSQL (${name})`,
  open: async () => {
    const url = await createMigratedDatabase(adminUrl);
    const store = new PostgresEventStore(url);
    return {
      store,
      dispose: async () => {
        await store.close();
        await dropTestDatabase(adminUrl, url);
      },
    };
  },
}));

if (process.env.TEST_ELASTICSEARCH_URL) {
  const url = process.env.TEST_ELASTICSEARCH_URL;
  targets.push({
    name: 'Elasticsearch',
    open: async () => {
      // A prefix of its own per run, so runs never see each other's indices.
      const prefix = `taishi-contract-${Date.now().toString(36)}`;
      const store = new ElasticsearchEventStore(url, prefix, true);
      return {
        store,
        dispose: async () => {
          await fetch(`${url}/${prefix}-*`, { method: 'DELETE' });
          await fetch(`${url}/_index_template/${prefix}`, { method: 'DELETE' });
          await store.close();
        },
      };
    },
  });
}

const HOUR = 3_600_000;
const base = Date.now() - 5 * HOUR;

function sshFailure(i: number, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    '@timestamp': new Date(base + i * 60_000).toISOString(),
    event: { id: `contract-${i}`, kind: 'event', category: ['authentication'], type: ['start'], action: 'ssh_login', outcome: 'failure', dataset: 'system.auth', module: 'system', created: new Date().toISOString() },
    message: `Failed password for root from 10.0.0.${i % 5} port ${40000 + i} ssh2`,
    source: { ip: `10.0.0.${i % 5}`, port: 40000 + i },
    user: { name: i % 2 ? 'root' : 'admin' },
    host: { name: 'gw-01' },
    taishi: { department: i % 3 === 0 ? '水务局' : '交通局' },
    ...overrides,
  } as StoredEvent;
}

describe.each(targets)('event store contract: $name', (target) => {
  let store: EventStore;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ store, dispose } = await target.open());
    await store.init();
    const result = await store.write(Array.from({ length: 100 }, (_, i) => sshFailure(i)));
    expect(result).toEqual({ written: 100, duplicateIds: [] });
  });
  afterAll(() => dispose());

  it('stores a batch once: retries and replays of the same ids are duplicates', async () => {
    const again = await store.write([sshFailure(3), sshFailure(4), sshFailure(1000)]);
    expect(again).toEqual({ written: 1, duplicateIds: ['contract-3', 'contract-4'] });
    const page = await store.search({}, { limit: 1000 });
    expect(page.events.filter((e) => e.event.id === 'contract-3')).toHaveLength(1);
  });

  it('gets an event by id, unchanged, including awkward text', async () => {
    const awkward = sshFailure(2000, { message: '登录失败 用户=张三 path=C:\\Windows\\System32 tab\there\nnewline "quoted" nul\u0000end' });
    await store.write([awkward]);
    const got = await store.get('contract-2000');
    // PostgreSQL text cannot hold U+0000, so that store marks the spot with U+FFFD; all else is exact.
    expect(got?.message?.replace('\u0000', '\ufffd')).toBe('登录失败 用户=张三 path=C:\\Windows\\System32 tab\there\nnewline "quoted" nul\ufffdend');
    expect(got?.source).toEqual(awkward.source);
    expect(await store.get('no-such-id')).toBeUndefined();
  });

  it('searches by time range, exact fields, free text and department, newest first', async () => {
    const from = new Date(base + 10 * 60_000);
    const to = new Date(base + 20 * 60_000);
    const inRange = await store.search({ from, to }, { limit: 100 });
    expect(inRange.events.map((e) => e.event.id)).toEqual(Array.from({ length: 10 }, (_, i) => `contract-${19 - i}`));
    const byIp = await store.search({ filters: { 'source.ip': ['10.0.0.1'], 'user.name': ['root'] } }, { limit: 100 });
    expect(byIp.events.length).toBe(10); // i % 5 == 1 and i odd, among 0..99
    expect(byIp.events.every((e) => e.source?.ip === '10.0.0.1' && e.user?.name === 'root')).toBe(true);
    const byCategory = await store.search({ filters: { 'event.category': ['authentication'], 'event.outcome': ['failure'] } }, { limit: 5 });
    expect(byCategory.events).toHaveLength(5);
    const text = await store.search({ text: 'PORT 40042' }, { limit: 10 });
    expect(text.events.map((e) => e.event.id)).toEqual(['contract-42']);
    const water = await store.search({ departments: ['水务局'], to: new Date(base + 100 * 60_000) }, { limit: 1000 });
    expect(water.events.length).toBe(34);
    expect(water.events.every((e) => e.taishi?.department === '水务局')).toBe(true);
  });

  it('pages with keyset cursors without gaps or repeats, even when events arrive between pages', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    const query = { to: new Date(base + 100 * 60_000) };
    do {
      const page = await store.search(query, { limit: 7, after, order: 'asc' });
      seen.push(...page.events.map((e) => e.event.id));
      after = page.next;
      if (pages++ === 2) await store.write([sshFailure(3000, { '@timestamp': new Date(base - HOUR).toISOString() })]);
    } while (after);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `contract-${i}`));
    await expect(store.search({}, { limit: 5, after: 'garbage' })).rejects.toThrow(/cursor/);
  });

  it('counts by field and by time bucket', async () => {
    const query = { to: new Date(base + 100 * 60_000), from: new Date(base) };
    const byIp = await store.countBy('source.ip', query, 3);
    expect(byIp).toEqual([
      { value: '10.0.0.0', count: 20 },
      { value: '10.0.0.1', count: 20 },
      { value: '10.0.0.2', count: 20 },
    ]);
    const byHour = await store.histogram(query, 'hour');
    expect(byHour.reduce((n, b) => n + b.count, 0)).toBe(100);
    expect(byHour.every((b) => new Date(b.start).getUTCMinutes() === 0)).toBe(true);
  });

  it('drops whole days before the retention cutoff and reports the oldest event', async () => {
    const old = Date.now() - 200 * 24 * HOUR;
    await store.write([sshFailure(4000, { '@timestamp': new Date(old).toISOString() }), sshFailure(4001, { '@timestamp': new Date(old + 60_000).toISOString() })]);
    expect((await store.oldest())?.getTime()).toBe(old);
    const removed = await store.deleteBefore(new Date(Date.now() - 180 * 24 * HOUR));
    expect(removed).toBe(2);
    expect(await store.get('contract-4000')).toBeUndefined();
    expect((await store.oldest())!.getTime()).toBeGreaterThan(old);
    expect(await store.get('contract-0')).toBeDefined();
  });

  // Last among the data tests: its events would otherwise show up in the range and paging checks.
  it('reports each asset’s latest event and leaves out assets that sent none', async () => {
    const [water, traffic, silent] = ['7c0d6a52-0000-4000-8000-00000000000a', '7c0d6a52-0000-4000-8000-00000000000b', '7c0d6a52-0000-4000-8000-00000000000c'];
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    await store.write([
      sshFailure(5000, { '@timestamp': at(-30), taishi: { asset_id: water, department: '水务局' } }),
      sshFailure(5001, { '@timestamp': at(-10), taishi: { asset_id: water, department: '水务局' } }),
      sshFailure(5002, { '@timestamp': at(-20), taishi: { asset_id: traffic, department: '交通局' } }),
    ]);
    const latest = await store.latestByAsset([water, traffic, silent]);
    expect(Object.fromEntries([...latest].map(([id, time]) => [id, time.toISOString()]))).toEqual({ [water]: at(-10), [traffic]: at(-20) });
    expect((await store.latestByAsset([])).size).toBe(0);
  });

  it('answers ping', async () => {
    expect(await store.ping()).toBe(true);
  });
});

