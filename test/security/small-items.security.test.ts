import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../../src/assets/csv.js';
import { testDatabaseTargets } from '../support/databases.js';
import { listDepartments, seedUsers, startTestApp, type TestApp } from '../support/app.js';

/** The hardening issue's smaller items: spreadsheet formulas, out-of-range ids, evidence files. */
const [embedded] = testDatabaseTargets();

describe('smaller hardening items (security)', () => {
  let app: TestApp & { dataDir: string };
  let users: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    app = await startTestApp(embedded.adminUrl);
    users = await seedUsers(app);
    await listDepartments(app, users.admin, '信息中心');
  });
  afterAll(() => app.stop());

  it('CSV export defuses every formula start: full-width signs and leading whitespace too', async () => {
    // Names are the easiest field to fill with anything; a tab is refused on input as a control character.
    const names = ['＝1+1', ' =cmd|calc', '＋SUM(A1)', '＠x', '－1', '　=x', 'plain name'];
    for (const [i, name] of names.entries()) {
      const r = await app.call('POST', '/api/assets', { token: users.admin, body: { name, type: 'server', department: '信息中心', addresses: [`10.99.0.${i + 1}`] } });
      expect({ name, status: r.status }).toEqual({ name, status: 201 });
    }
    const csv = await app.call('GET', '/api/assets/export?format=csv', { token: users.admin });
    const rows = parseCsv(String(csv.body).replace(/^\uFEFF/, ''));
    const nameColumn = rows[0].cells.indexOf('name');
    const exported = rows.slice(1).map((r) => r.cells[nameColumn]);
    for (const name of names.slice(0, -1)) expect(exported).toContain(`'${name}`);
    expect(exported).toContain('plain name');
  });

  it('an id or offset beyond the database integer range is a 400, not a 500', async () => {
    const audit = await app.call('GET', '/api/audit?beforeId=99999999999999999999', { token: users.admin });
    expect(audit.status).toBe(400);
    expect(audit.body.message).toMatch(/beforeId/);
    expect((await app.call('GET', '/api/audit?beforeId=123', { token: users.admin })).status).toBe(200);
    expect((await app.call('GET', '/api/assets?offset=100000000000000000000', { token: users.admin })).status).toBe(400);
  });

  it('evidence is stored 0600 in a 0700 folder, and its type comes from its bytes, not the client', async () => {
    const upload = (body: string | Buffer, contentType: string, fileName: string) =>
      app.call('POST', `/api/compliance/attestations?controlId=CSL-22-VULNERABILITY-REMEDY&subjectType=organisation&subjectId=organisation&fileName=${encodeURIComponent(fileName)}`, {
        token: users.compliance.token,
        rawBody: body,
        headers: { 'content-type': contentType },
      });
    const page = await upload('<html><script>alert(document.cookie)</script></html>', 'text/html', 'report.html');
    expect(page.status).toBe(201);
    expect(page.body.evidence.contentType).toBe('text/plain; charset=utf-8');
    const disguised = await upload(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]), 'application/pdf', 'scan.pdf');
    expect(disguised.body.evidence.contentType).toBe('application/octet-stream');
    const pdf = await upload(Buffer.from('%PDF-1.7\n…'), 'application/octet-stream', 'plan.pdf');
    expect(pdf.body.evidence.contentType).toBe('application/pdf');

    const served = await fetch(`${app.baseUrl}/api/compliance/attestations/${page.body.id}/evidence`, { headers: { authorization: `Bearer ${users.compliance.token}` } });
    expect(served.headers.get('content-type')).not.toMatch(/html/);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment/);

    const root = path.join(app.dataDir, 'evidence');
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(root)).toBe(0o700);
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? [path.join(dir, n), ...walk(path.join(dir, n))] : [path.join(dir, n)]));
    for (const p of walk(root)) expect({ p, mode: mode(p) }).toEqual({ p, mode: statSync(p).isDirectory() ? 0o700 : 0o600 });
  });
});
