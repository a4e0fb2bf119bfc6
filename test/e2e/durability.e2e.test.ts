import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { startTestApp } from '../support/app.js';
import { login, root, startService, stopService } from '../support/service-process.js';

const [embedded] = testDatabaseTargets();
const ADMIN = 'durability-admin-pw';

async function ingestKey(baseUrl: string, password = ADMIN): Promise<string> {
  const token = await login(baseUrl, password);
  const r = await fetch(`${baseUrl}/api/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'durability', scopes: ['ingest'] }) });
  return ((await r.json()) as { key: string }).key;
}

function batch(run: string, index: number, size: number): string {
  return Array.from({ length: size }, (_, i) => JSON.stringify({ '@timestamp': new Date().toISOString(), message: `durability ${run} batch ${index} event ${i}`, event: { id: `${run}-${index}-${i}`, action: 'test' }, host: { name: 'loadgen' } })).join('\n');
}

/** Sends batches one after another until stopped; returns the indices of batches answered 202. */
function streamBatches(baseUrl: string, key: string, run: string, size: number) {
  const acknowledged: number[] = [];
  let stopped = false;
  let sent = 0;
  const done = (async () => {
    while (!stopped) {
      const index = sent++;
      try {
        const r = await fetch(`${baseUrl}/api/ingest`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, body: batch(run, index, size) });
        if (r.status === 202) acknowledged.push(index);
        else await new Promise((resolve) => setTimeout(resolve, 50));
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50)); // the service is gone or restarting
      }
    }
  })();
  return { acknowledged, stop: async () => ((stopped = true), await done) };
}

describe('nothing acknowledged is lost', () => {
  // stored: 202 once in the store or spool; journal: 202 once the body is in the ingest journal, stored after.
  it.each(['stored', 'journal'])('every event of every batch answered 202 is stored after the service is killed with SIGKILL mid-stream (TAISHI_INGEST_ACK=%s)', async (ack) => {
    const databaseUrl = await createTestDatabase(embedded.adminUrl);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-kill-'));
    const env = { DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: ADMIN, TAISHI_SYSLOG_UDP_PORT: 'off', TAISHI_SYSLOG_TCP_PORT: 'off', TAISHI_INGEST_ACK: ack };
    const run = randomBytes(4).toString('hex');
    try {
      const service = await startService(env);
      const key = await ingestKey(service.baseUrl);
      const stream = streamBatches(service.baseUrl, key, run, 200);
      await new Promise((r) => setTimeout(r, 1500));
      service.child.kill('SIGKILL');
      await new Promise((r) => service.child.once('exit', r));
      await stream.stop();
      expect(stream.acknowledged.length).toBeGreaterThan(3);

      const restarted = await startService(env);
      await stopService(restarted);
      const db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      const { rows } = await db.query<{ id: string }>(`SELECT doc->'event'->>'original' AS id FROM events WHERE message LIKE $1`, [`durability ${run} %`]);
      await db.end();
      const stored = new Set(rows.map((r) => JSON.parse(r.id).event.id as string));
      const expected = stream.acknowledged.flatMap((b) => Array.from({ length: 200 }, (_, i) => `${run}-${b}-${i}`));
      expect(expected.filter((id) => !stored.has(id))).toEqual([]);
      expect(rows.length).toBe(stored.size); // and nothing twice
      if (ack === 'journal') expect(readdirSync(path.join(dataDir, 'journal'))).toEqual([]); // and the journal emptied
    } finally {
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('answers 503 + Retry-After for a batch the journal cannot write (the disk refuses it half-way), keeps serving, and stores exactly the batches it answered 202', async () => {
    const databaseUrl = await createTestDatabase(embedded.adminUrl);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-disk-'));
    const env = { DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: ADMIN, TAISHI_INGEST_ACK: 'journal' };
    const run = randomBytes(4).toString('hex');
    // No file of the service may grow past 256 KB, as a disk that fills up refuses a write part-way:
    // a journal file takes 15 of these batches, and the write that would cross the limit fails.
    const fileLimit = 256 * 1024;
    try {
      const service = await startService(env, undefined, ['prlimit', `--fsize=${fileLimit}`, '--']);
      const key = await ingestKey(service.baseUrl);
      const answers: { index: number; status: number; retryAfter: string | null; body: { code?: string; message?: string } }[] = [];
      for (let index = 0; index < 40; index++) {
        const r = await fetch(`${service.baseUrl}/api/ingest`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson', 'accept-language': 'zh-CN' }, body: batch(run, index, 100) });
        answers.push({ index, status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { code?: string; message?: string } });
      }
      const refused = answers.filter((a) => a.status !== 202);
      expect(refused.length).toBeGreaterThan(0);
      for (const a of refused) {
        expect(a).toMatchObject({ status: 503, retryAfter: '5', body: { code: 'ingest.journal_unwritable' } });
        expect(a.body.message).toContain('EFBIG');
      }
      // A refused write does not stop the next: each goes to a new journal file.
      expect(answers.filter((a) => a.index > refused[0].index && a.status === 202).length).toBeGreaterThan(0);
      expect(service.output()).toContain('could not write a batch of 100 (EFBIG)');
      expect(await stopService(service)).toBe(0);

      // Started again without the limit: nothing left over, nothing torn taken for a batch.
      await stopService(await startService(env));
      const db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      const { rows } = await db.query<{ original: string }>(`SELECT doc->'event'->>'original' AS original FROM events WHERE message LIKE $1`, [`durability ${run} %`]);
      await db.end();
      const storedBatches = [...new Set(rows.map((r) => Number((JSON.parse(r.original) as { event: { id: string } }).event.id.split('-')[1])))].sort((a, b) => a - b);
      expect(storedBatches).toEqual(answers.filter((a) => a.status === 202).map((a) => a.index));
      expect(rows.length).toBe(storedBatches.length * 100);
      expect(readdirSync(path.join(dataDir, 'journal'))).toEqual([]);
    } finally {
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  // Registered only where an Elasticsearch node is configured (CI starts one).
  const esUrl = process.env.TEST_ELASTICSEARCH_URL;
  if (esUrl) it('spools through an Elasticsearch outage and stores every acknowledged event exactly once when it returns', async () => {
    const prefix = `taishi-outage-${randomBytes(3).toString('hex')}`;
    const app = await startTestApp(embedded.adminUrl, { TAISHI_ELASTICSEARCH_URL: esUrl!, TAISHI_ELASTICSEARCH_INDEX_PREFIX: prefix, TAISHI_ADMIN_PASSWORD: ADMIN });
    const run = randomBytes(4).toString('hex');
    const es = (command: string) => spawnSync('bash', ['scripts/elasticsearch-node.sh', ...command.split(' ')], { cwd: root, encoding: 'utf8', env: { ...process.env, ES_PORT: new URL(esUrl!).port } });
    try {
      const key = await ingestKey(app.baseUrl);
      const stream = streamBatches(app.baseUrl, key, run, 100);
      await new Promise((r) => setTimeout(r, 1000));
      expect(es('stop --keep-data').status).toBe(0);
      const before = stream.acknowledged.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(stream.acknowledged.length).toBeGreaterThan(before); // still answering 202: the spool holds them
      expect(es('start').status).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      await stream.stop();
      const admin = await login(app.baseUrl, ADMIN);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const metrics = await (await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).text();
        if (/taishi_spool_pending_events 0\b/.test(metrics) && /taishi_store_up\{store="elasticsearch"\} 1/.test(metrics)) break;
        if (Date.now() > deadline) throw new Error(`spool did not drain:\n${metrics}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      await fetch(`${esUrl}/${prefix}-*/_refresh`, { method: 'POST' });
      // Every acknowledged event, by the marker in its message, and no message twice.
      const messages: string[] = [];
      let after: unknown[] | undefined;
      for (;;) {
        const page = (await (
          await fetch(`${esUrl}/${prefix}-*/_search`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ size: 10_000, _source: ['message'], sort: [{ 'event.id': 'asc' }], ...(after ? { search_after: after } : {}) }),
          })
        ).json()) as { hits: { hits: { _source: { message: string }; sort: unknown[] }[] } };
        if (page.hits.hits.length === 0) break;
        messages.push(...page.hits.hits.map((h) => h._source.message));
        after = page.hits.hits.at(-1)!.sort;
      }
      const expected = stream.acknowledged.flatMap((b) => Array.from({ length: 100 }, (_, i) => `durability ${run} batch ${b} event ${i}`));
      const stored = new Set(messages);
      expect(expected.filter((m) => !stored.has(m))).toEqual([]);
      expect(messages.length).toBe(stored.size);
    } finally {
      await app.stop();
      await fetch(`${esUrl}/${prefix}-*`, { method: 'DELETE' });
      es('start');
    }
  }, 180_000);
});
