import pg from 'pg';
import type { StoredEvent } from '../../src/events/index.js';
import { PostgresEventStore } from '../../src/events/postgres-event-store.js';
import { createMigratedDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

const NOW = Date.now();
let serial = 0;

function event(overrides: Record<string, unknown> = {}): StoredEvent {
  serial++;
  return { '@timestamp': new Date(NOW - serial * 1000).toISOString(), event: { id: `copy-${serial}`, kind: 'event', dataset: 'system.auth', module: 'system' }, message: `line ${serial}`, ...overrides } as StoredEvent;
}

// Addresses PostgreSQL's inet takes, in the shapes logs write them, and ones it refuses.
const ADDRESSES = ['10.0.0.1', '0.0.0.0', '255.255.255.255', '2001:DB8::a1', '2001:db8:0:0:1::1', '::', '::1', '1::', 'fe80::1:2', '::ffff:192.0.2.7', '::192.0.2.7', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '64:ff9b::198.51.100.1'];
const NOT_ADDRESSES = ['', '010.0.0.1', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3', '10.0.0.256', '1.2.3.4.5', '10.0.0.1 ', ' 10.0.0.1', '1:2', ':1', '1:', '1:::2', '1::2::3', 'g::1', '12345::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '::1.2.3', '1.2.3.4::', '10.0.0.1/24'];

/**
 * The event store's binary COPY rows, read back by PostgreSQL itself (embedded and server): each
 * column holds what PostgreSQL makes of the same value written as text, and what it would refuse
 * is NULL rather than a failed batch.
 */
describe.each(testDatabaseTargets())('events written by binary COPY ($name)', ({ adminUrl }) => {
  let url: string;
  let store: PostgresEventStore;
  let client: pg.Client;

  beforeAll(async () => {
    url = await createMigratedDatabase(adminUrl);
    store = new PostgresEventStore(url);
    await store.init();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await store.close();
    await dropTestDatabase(adminUrl, url);
  });

  const row = async (id: string) => (await client.query(`SELECT *, source_ip::text AS source_text, asset_id::text AS asset_text, doc::text AS doc_text, extract(epoch FROM ts) * 1000 AS ts_ms FROM events WHERE id = $1`, [id])).rows[0];

  it('writes every column as PostgreSQL reads it: text with NUL and tabs, arrays, port, UUID, time, the JSON as written', async () => {
    const e = event({
      event: { id: 'copy-columns', kind: 'event', category: ['web', 'say "hi"', 'back\\slash', 'tab\there', '认证', 'nul\0here'], action: '', dataset: 'nginx.access', module: 'nginx', outcome: undefined },
      destination: { ip: '10.0.0.1', port: 443 },
      user: { name: 'zhang\\san\r\n' },
      host: { name: 7 },
      taishi: { asset_id: '00000000-0000-4000-8000-00000000000A', department: '办公室', zone: null },
      message: 'GET /a\tb\0c 京A12345',
    });
    expect(await store.write([e])).toEqual({ written: 1, duplicateIds: [] });
    const stored = await row('copy-columns');
    expect(stored).toMatchObject({
      kind: 'event',
      module: 'nginx',
      dataset: 'nginx.access',
      action: null,
      outcome: null,
      category: ['web', 'say "hi"', 'back\\slash', 'tab\there', '认证', 'nul\ufffdhere'],
      destination_ip: '10.0.0.1',
      destination_port: 443,
      user_name: 'zhang\\san\r\n',
      host_name: '7',
      observer_name: null,
      asset_text: '00000000-0000-4000-8000-00000000000a',
      department: '办公室',
      zone: null,
      message: 'GET /a\tb\ufffdc 京A12345',
    });
    expect(Number(stored.ts_ms)).toBe(Date.parse(e['@timestamp']));
    const json = JSON.stringify(e).replaceAll('\\u0000', '\\ufffd');
    expect(stored.doc_text).toBe(json);
    expect(await store.get('copy-columns')).toEqual(JSON.parse(json));
  });

  it('keeps an escaped U+0000 out of the JSON, whose other escapes stay as written', async () => {
    const e = event({ event: { id: 'copy-nul-json', dataset: 'x' }, message: 'a\0b "quoted" back\\slash \\u0000 literally' });
    await store.write([e]);
    const stored = await row('copy-nul-json');
    expect(stored.doc_text).toBe(JSON.stringify(e).replace('"a\\u0000b', '"a\\ufffdb'));
    expect(stored.doc.message).toBe('a\ufffdb "quoted" back\\slash \\u0000 literally');
  });

  it('files before 2000 and far ahead to the microsecond PostgreSQL counts from 2000', async () => {
    const early = event({ '@timestamp': 'not a time', event: { id: 'copy-1999', dataset: 'x', created: '1999-12-31T23:59:59.123Z' } });
    const late = event({ '@timestamp': 'not a time', event: { id: 'copy-2150', dataset: 'x', created: '2150-06-01T00:00:00.001Z' } });
    await store.write([early, late]);
    expect(Number((await row('copy-1999')).ts_ms)).toBe(Date.parse('1999-12-31T23:59:59.123Z'));
    expect(Number((await row('copy-2150')).ts_ms)).toBe(Date.parse('2150-06-01T00:00:00.001Z'));
  });

  it('writes ports outside integer as NULL, not as a failed batch', async () => {
    await store.write([event({ event: { id: 'copy-port-big', dataset: 'x' }, destination: { port: 2 ** 31 } }), event({ event: { id: 'copy-port-frac', dataset: 'x' }, destination: { port: 1.5 } })]);
    expect((await row('copy-port-big')).destination_port).toBeNull();
    expect((await row('copy-port-frac')).destination_port).toBeNull();
  });

  it('stores each address as PostgreSQL’s inet reads it, a link-local one without its zone, and NULL for what is not an address', async () => {
    const events = [...ADDRESSES, ...NOT_ADDRESSES].map((ip, i) => event({ event: { id: `copy-ip-${i}`, dataset: 'x' }, source: { ip } }));
    await store.write(events);
    for (const [i, ip] of ADDRESSES.entries()) {
      const expected = (await client.query(`SELECT $1::inet::text AS text`, [ip])).rows[0].text;
      expect({ ip, stored: (await row(`copy-ip-${i}`)).source_text }).toEqual({ ip, stored: expected });
    }
    const zoned = event({ event: { id: 'copy-ip-zoned', dataset: 'x' }, source: { ip: 'fe80::1%eth0' } });
    await store.write([zoned]);
    expect((await row('copy-ip-zoned')).source_ip).toBe('fe80::1');
    for (const [i, ip] of NOT_ADDRESSES.entries()) {
      expect({ ip, stored: (await row(`copy-ip-${ADDRESSES.length + i}`)).source_text }).toEqual({ ip, stored: null });
    }
  });
});
