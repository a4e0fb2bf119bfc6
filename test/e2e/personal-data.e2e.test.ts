import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';

/** Every resident id in the project's labelled fixtures, with the line that carries it. */
async function residentIdLines(): Promise<{ text: string; id: string }[]> {
  const rows = (await readFile(new URL('../../fixtures/pii/labelled.jsonl', import.meta.url), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; expect: { type: string; value: string }[] });
  return rows.flatMap((r) => r.expect.filter((e) => e.type === 'resident_id').map((e) => ({ text: r.text.replace(/\n/g, ' '), id: e.value })));
}

async function ingestLines(app: TestApp, token: string, lines: string[]) {
  const r = await app.call('POST', '/api/ingest?source=his-gateway', { token, rawBody: lines.join('\n'), headers: { 'content-type': 'text/plain' } });
  expect(r.status).toBe(202);
}

describe('personal data is masked before it reaches any store', () => {
  const [embedded] = testDatabaseTargets();

  it('PostgreSQL holds no clear resident id from the fixtures, only masked forms, and drift is found on the asset that declared none', async () => {
    const app = await startTestApp(embedded.adminUrl);
    try {
      const users = await seedUsers(app);
      await app.call('POST', '/api/assets', { token: users.admin, body: { name: '挂号系统', type: 'web_application', department: '水务局', addresses: ['his-gateway'], data: { personal: 'none' } } });
      const fixtures = await residentIdLines();
      expect(fixtures.length).toBeGreaterThanOrEqual(30);
      // Shaped as syslog from the asset, so the events are attributed to it.
      await ingestLines(app, users.admin, fixtures.map((f, i) => `<14>Nov 29 10:00:${String(i % 60).padStart(2, '0')} his-gateway app[1]: ${f.text}`));
      const db = new pg.Client({ connectionString: app.databaseUrl });
      await db.connect();
      const { rows } = await db.query<{ doc: string; message: string }>(`SELECT doc::text AS doc, message FROM events`);
      await db.end();
      expect(rows.length).toBe(fixtures.length);
      const stored = rows.map((r) => `${r.doc}\n${r.message}`).join('\n');
      expect(fixtures.filter((f) => stored.includes(f.id)).map((f) => f.id)).toEqual([]);
      expect(stored).toContain(`${fixtures[0].id.slice(0, 6)}********${fixtures[0].id.slice(-4)}`);
      const findings = (await app.call('GET', '/api/classification/findings', { token: users.compliance.token })).body;
      expect(findings).toEqual([
        expect.objectContaining({ assetName: '挂号系统', kind: 'personal_on_none', declared: 'none', eventCount: fixtures.length, types: expect.arrayContaining(['resident_id']), estimatedPeople: expect.objectContaining({ resident_id: expect.any(Number) }) }),
      ]);
      expect(findings[0].samples.every((s: string) => !fixtures.some((f) => s.includes(f.id)))).toBe(true);
      expect((await app.call('GET', '/api/classification/findings', { token: users.ownerB.token })).body).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  const esUrl = process.env.TEST_ELASTICSEARCH_URL;
  // Registered only where an Elasticsearch node is configured (CI starts one).
  if (esUrl) it('Elasticsearch holds no clear resident id from the fixtures either', async () => {
    const prefix = `taishi-pii-${randomBytes(3).toString('hex')}`;
    const app = await startTestApp(embedded.adminUrl, { TAISHI_ELASTICSEARCH_URL: esUrl, TAISHI_ELASTICSEARCH_INDEX_PREFIX: prefix });
    try {
      const admin = await app.login('admin', 'admin-test-password-1');
      const fixtures = await residentIdLines();
      await ingestLines(app, admin, fixtures.map((f) => f.text));
      await fetch(`${esUrl}/${prefix}-*/_refresh`, { method: 'POST' });
      const body = await (await fetch(`${esUrl}/${prefix}-*/_search?size=1000`)).text();
      expect((JSON.parse(body) as { hits: { hits: unknown[] } }).hits.hits.length).toBe(fixtures.length);
      expect(fixtures.filter((f) => body.includes(f.id)).map((f) => f.id)).toEqual([]);
    } finally {
      await app.stop();
      await fetch(`${esUrl}/${prefix}-*`, { method: 'DELETE' });
    }
  });
});
