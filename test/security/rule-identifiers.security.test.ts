import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/app.js';
import { testDatabaseTargets } from '../support/databases.js';

/**
 * Hardening item 6 (rules part): a rule id holding NUL got 500, yet the rule was saved, loaded and
 * running with no audit record. Control characters in identifiers are refused with 400, and an
 * upload is all or nothing: saved, loaded and audited, or none of it.
 */
const [embedded] = testDatabaseTargets();
const ruleFile = (id: string, title = '控制字符测试') => [`title: "${title}"`, `id: "${id}"`, 'logsource: { product: linux }', 'detection:', '  sel: { user.name: nul-test }', '  condition: sel'].join('\n') + '\n';

describe('identifiers of rule uploads and exceptions', () => {
  let app: TestApp;
  let admin: string;
  let rulesDir: string;
  beforeAll(async () => {
    rulesDir = await mkdtemp(path.join(tmpdir(), 'taishi-rules-ids-'));
    await cp(new URL('../../rules/detection', import.meta.url), rulesDir, { recursive: true });
    app = await startTestApp(embedded.adminUrl, { TAISHI_RULES_DIR: rulesDir });
    admin = await app.login('admin', 'admin-test-password-1');
  });
  afterAll(async () => {
    await app.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  const upload = (body: string) => app.call('POST', '/api/rules', { token: admin, rawBody: body, headers: { 'content-type': 'application/yaml' } });
  const uploadedFiles = () => readdir(path.join(rulesDir, 'uploaded')).catch(() => [] as string[]);
  const ruleIds = async () => ((await app.call('GET', '/api/rules', { token: admin })).body.rules as { id: string }[]).map((r) => r.id);
  const uploadAudits = async () => ((await app.call('GET', '/api/audit?targetType=rule', { token: admin })).body as { action: string; outcome: string }[]).filter((r) => r.action === 'rule.upload');

  it.each([
    ['NUL in the id', ruleFile('7c6f1b0e-2222-4c2a-9d3e-00000000000\\0'), /'id' must not contain control characters \(U\+0000 at character 36\)/],
    ['a line break in the id', ruleFile('7c6f1b0e-2222-4c2a-9d3e-0000000000\\n1'), /'id' must not contain control characters \(U\+000A/],
    ['an escape character in the title', ruleFile('7c6f1b0e-2222-4c2a-9d3e-000000000003', 'x\\e[31mred'), /'title' must not contain control characters \(U\+001B/],
  ])('refuses %s with 400, saving, loading and auditing nothing', async (_what, body, message) => {
    const before = await ruleIds();
    const r = await upload(body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'rule.file_invalid', message: '规则文件有 1 处问题，未保存任何内容' });
    expect(r.body.details).toEqual([expect.stringMatching(new RegExp(`^uploaded\\.yml:1:1: ${message.source}`))]);
    expect(await uploadedFiles()).toEqual([]);
    expect(await ruleIds()).toEqual(before);
    expect(await uploadAudits()).toEqual([]);
    const validated = await app.call('POST', '/api/rules/validate', { token: admin, rawBody: body, headers: { 'content-type': 'application/yaml' } });
    expect(validated.body).toMatchObject({ valid: false, errors: [expect.stringMatching(message)] });
  });

  it('refuses control characters in the identifiers and text of a rule exception with 400', async () => {
    const ruleId = (await ruleIds())[0];
    const base = { ruleId, field: 'source.ip', value: '10.0.0.1', reason: '运维出口地址', expiresAt: new Date(Date.now() + 86_400_000).toISOString() };
    for (const bad of [{ ruleId: `${ruleId}\u0000` }, { value: '10.0.0.1\u0000' }, { reason: '运维\u0000出口' }]) {
      const r = await app.call('POST', '/api/rules/exceptions', { token: admin, body: { ...base, ...bad } });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(new RegExp(`${Object.keys(bad)[0]} 不能包含控制字符 / ${Object.keys(bad)[0]} must not contain control characters`));
    }
    // A reason may span lines.
    expect((await app.call('POST', '/api/rules/exceptions', { token: admin, body: { ...base, reason: '运维出口地址\n工单 2024-118' } })).status).toBe(201);
  });

  it('leaves no file and no running rule when the audit record cannot be written', async () => {
    const id = '7c6f1b0e-2222-4c2a-9d3e-000000000009';
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      await db.query(`CREATE FUNCTION refuse_rule_upload() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$`);
      await db.query(`CREATE TRIGGER refuse_rule_upload BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.action = 'rule.upload') EXECUTE FUNCTION refuse_rule_upload()`);
      const failed = await upload(ruleFile(id));
      expect(failed.status).toBe(500);
      expect(await uploadedFiles()).toEqual([]);
      expect(await ruleIds()).not.toContain(id);
      await db.query('DROP TRIGGER refuse_rule_upload ON audit_log');
      const saved = await upload(ruleFile(id));
      expect(saved.status).toBe(201);
      expect(await uploadedFiles()).toEqual([`${id}.yml`]);
      expect(await ruleIds()).toContain(id);
      expect(await uploadAudits()).toHaveLength(1);
    } finally {
      await db.end();
    }
  });
});
