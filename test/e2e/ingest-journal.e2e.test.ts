import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp } from '../support/app.js';
import { until } from '../support/until.js';
import { LiveDetection } from '../../src/detection/index.js';
import { IngestJournal } from '../../src/ingest/store/journal.js';

const [embedded] = testDatabaseTargets();
const env = { TAISHI_INGEST_ACK: 'journal' };

describe('HTTP ingest acknowledged from the journal (TAISHI_INGEST_ACK=journal)', () => {
  it('answers as the stored mode does, then stores, enriches and runs detection on the batch, and empties the journal', async () => {
    const app = await startTestApp(embedded.adminUrl, env);
    let closed = false;
    try {
      const users = await seedUsers(app);
      await app.call('POST', '/api/assets', { token: users.admin, body: { name: 'LabSZ 堡垒机', type: 'server', department: '水务局', addresses: ['labsz'] } });
      const key = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'journal-shipper', scopes: ['ingest'] } })).body.key;

      const body = [JSON.stringify({ '@timestamp': '2026-12-06T01:00:00Z', message: 'journal first', host: { name: 'labsz' } }), '{"broken": ', JSON.stringify({ '@timestamp': '2026-12-06T01:00:01Z', message: 'journal second' })].join('\n');
      const r = await app.call('POST', '/api/ingest', { token: key, rawBody: body, headers: { 'content-type': 'application/x-ndjson' } });
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ accepted: 2, rejected: 1, errors: [{ line: 2, reason: expect.stringMatching(/^not JSON/) }] });
      const search = async (q: string) => (await app.call('GET', `/api/events?q=${encodeURIComponent(q)}&from=2026-12-06T00:00:00Z`, { token: users.analyst.token })).body.events as { taishi: { department?: string } }[];
      await until('both journaled events are searchable', async () => (await search('journal')).length === 2);
      expect((await search('journal first'))[0].taishi.department).toBe('水务局');

      // An SSH brute force sent as text lines becomes alerts, as it does when acknowledged after storing.
      const lines = (await readFile(new URL('../../fixtures/loghub/OpenSSH_2k.log', import.meta.url), 'utf8')).split('\n').filter(Boolean);
      for (let i = 0; i < lines.length; i += 500) {
        const sent = await app.call('POST', '/api/ingest?source=labsz', { token: key, rawBody: lines.slice(i, i + 500).join('\n'), headers: { 'content-type': 'text/plain' } });
        expect(sent.status).toBe(202);
      }
      // Identical lines more than a slice apart in one batch stay two events, as when the batch is processed whole.
      const twice = Array.from({ length: 300 }, (_, i) => `Dec  6 10:00:00 labsz app[9]: slice check ${i}`);
      expect((await app.call('POST', '/api/ingest', { token: key, rawBody: [...twice, ...twice].join('\n'), headers: { 'content-type': 'text/plain' } })).status).toBe(202);
      await until('the journal is processed', async () => /taishi_journal_pending_events 0\b/.test((await app.call('GET', '/metrics', { token: users.admin })).body as string));
      const db = new pg.Client({ connectionString: app.databaseUrl });
      await db.connect();
      const { rows } = await db.query<{ events: string; ids: string }>(`SELECT count(*) AS events, count(DISTINCT id) AS ids FROM events WHERE message LIKE 'slice check %'`);
      await db.end();
      expect(rows[0]).toEqual({ events: '600', ids: '600' });
      await app.running.app.get(LiveDetection).settled();
      const situation = await app.call('GET', '/api/situation', { token: users.admin });
      expect(situation.body.ingest.writer).toMatchObject({ journaled: 0, queued: 0 });
      const brute = await app.call('GET', `/api/alerts?limit=100&ruleId=f8f1436b-5e79-43de-8227-e9421d8f666d`, { token: users.analyst.token });
      expect(brute.body.total).toBeGreaterThan(3);
      // The file being written stays while the service runs; a clean stop leaves no journal behind.
      await app.close();
      closed = true;
      expect(await readdir(path.join(app.dataDir, 'journal'))).toEqual([]);
    } finally {
      if (closed) await Promise.all([dropTestDatabase(embedded.adminUrl, app.databaseUrl), rm(app.dataDir, { recursive: true, force: true })]);
      else await app.stop();
    }
  });

  it('answers 503 with Retry-After while the backlog is at TAISHI_INGEST_QUEUE_EVENTS, and stores exactly the batches it answered 202', async () => {
    const app = await startTestApp(embedded.adminUrl, { ...env, TAISHI_INGEST_QUEUE_EVENTS: '1000' });
    try {
      const token = await app.login('admin', ADMIN_PASSWORD);
      const key = (await app.call('POST', '/api/api-keys', { token, body: { name: 'pressure', scopes: ['ingest'] } })).body.key;
      const body = (b: number) => Array.from({ length: 1000 }, (_, i) => JSON.stringify({ '@timestamp': '2026-12-06T02:00:00Z', message: `pressure ${b} ${i}` })).join('\n');
      const answers = await Promise.all([0, 1, 2, 3, 4, 5].map((b) => app.call('POST', '/api/ingest', { token: key, rawBody: body(b), headers: { 'content-type': 'application/x-ndjson' } })));
      const refused = answers.filter((r) => r.status === 503);
      expect(answers.filter((r) => r.status === 202).length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.body.code).toBe('ingest.saturated');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const db = new pg.Client({ connectionString: app.databaseUrl });
      await db.connect();
      try {
        const batches = async () => (await db.query<{ batch: string; events: string }>(`SELECT split_part(message, ' ', 2) AS batch, count(*) AS events FROM events WHERE message LIKE 'pressure %' GROUP BY 1 ORDER BY 1`)).rows;
        const accepted = answers.flatMap((r, b) => (r.status === 202 ? [{ batch: String(b), events: '1000' }] : []));
        await until('every batch answered 202 is stored', async () => JSON.stringify(await batches()) === JSON.stringify(accepted));
      } finally {
        await db.end();
      }
    } finally {
      await app.stop();
    }
  });

  it('at start, processes the batches a previous run acknowledged and did not store', async () => {
    let app = await startTestApp(embedded.adminUrl, env);
    try {
      const reuse = { databaseUrl: app.databaseUrl, dataDir: app.dataDir };
      await app.close();
      // What a run killed after its 202s leaves behind: GBK text lines in the journal, not yet stored.
      const journal = new IngestJournal(path.join(app.dataDir, 'journal'), 1_000_000);
      await journal.open();
      const gbk = Buffer.from('Dec  6 09:12:01 water-portal app[77]: \xd3\xc3\xbb\xa7 zhang login failed from 10.9.8.7\n', 'latin1');
      await journal.append({ collector: 'http', context: { source: 'leftover', transport: 'http', receivedAt: new Date('2026-12-06T09:12:05Z'), format: 'auto' }, payloadFormat: 'text', records: 1, payload: gbk });
      await journal.close(); // the file stays: its batch is not yet stored

      app = await startTestApp(embedded.adminUrl, env, reuse);
      const token = await app.login('admin', ADMIN_PASSWORD);
      let events: { message: string; tags: string[] }[] = [];
      await until('the left-over batch is stored', async () => {
        events = (await app.call('GET', `/api/events?q=${encodeURIComponent('login failed')}&from=2026-12-01T00:00:00Z`, { token })).body.events;
        return events.length === 1;
      });
      expect(events[0].message).toContain('用户 zhang login failed');
      expect(events[0].tags).toContain('gb18030');
      expect(await readdir(path.join(app.dataDir, 'journal'))).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});
