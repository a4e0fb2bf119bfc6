import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LiveDetection } from '../../src/detection/index.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { testDatabaseTargets } from '../support/databases.js';
import { root } from '../support/service-process.js';

const [embedded] = testDatabaseTargets();

/** A community rule with no Chinese text, and one for a logsource nobody maps yet. */
const EXTRA_RULES = `title: Community rule - root password guessed wrong
id: 6f1d2c3b-0000-4000-8000-00000000c001
status: test
author: A. Contributor
level: low
logsource: { product: linux, service: sshd }
detection:
  selection: { message|contains: 'Failed password for root' }
  condition: selection
---
title: Modbus write to a pump controller
id: 6f1d2c3b-0000-4000-8000-00000000c002
status: test
level: high
logsource: { product: plc, service: modbus }
detection:
  selection: { function_code: 6 }
  condition: selection
`;

describe('rules in the reader’s language, and dormant rules, through the API', () => {
  let app: TestApp;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let english: string;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-rule-language-'));
    await cp(path.join(root, 'rules/detection'), path.join(scratch, 'detection'), { recursive: true });
    await writeFile(path.join(scratch, 'detection', 'extra.yml'), EXTRA_RULES);
    await cp(path.join(root, 'rules/logsources.yml'), path.join(scratch, 'logsources.yml'));
    app = await startTestApp(embedded.adminUrl, { TAISHI_RULES_DIR: path.join(scratch, 'detection'), TAISHI_LOGSOURCES: path.join(scratch, 'logsources.yml') });
    users = await seedUsers(app);
    const created = await app.call('POST', '/api/users', { token: users.admin, body: { username: 'analyst.en', role: 'analyst', password: 'analyst.en-password-1', language: 'en' } });
    expect(created.status).toBe(201);
    english = await app.login('analyst.en', 'analyst.en-password-1');
    const burst = Array.from({ length: 10 }, (_, i) => `Jun  1 10:00:0${i} zw-bastion sshd[3020${i}]: Failed password for root from 203.0.113.77 port 4022${i} ssh2`);
    const success = 'Jun  1 10:00:30 zw-bastion sshd[30211]: Accepted password for root from 203.0.113.77 port 40231 ssh2';
    expect((await app.call('POST', '/api/ingest?source=bastion', { token: users.admin, rawBody: [...burst, success].join('\n'), headers: { 'content-type': 'text/plain' } })).status).toBe(202);
    await app.running.app.get(LiveDetection).settled();
  });
  afterAll(async () => {
    await app.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const alertsOf = async (token: string) => (await app.call('GET', '/api/alerts?limit=100', { token })).body.items as { id: string; ruleId: string; ruleTitle: string; ruleAuthor: string | null }[];

  it('shows alert titles in each user’s language, community rules in their own words, with the rule’s author', async () => {
    const zh = await alertsOf(users.analyst.token);
    const en = await alertsOf(english);
    const brute = (items: typeof zh) => items.find((a) => a.ruleId === 'f8f1436b-5e79-43de-8227-e9421d8f666d')!;
    expect([brute(zh).ruleTitle, brute(en).ruleTitle]).toEqual(['单一来源地址 SSH 暴力破解', 'SSH brute force from one address']);
    expect(brute(zh).ruleAuthor).toBe('Taishi');
    const community = (items: typeof zh) => items.find((a) => a.ruleId === '6f1d2c3b-0000-4000-8000-00000000c001')!;
    expect([community(zh).ruleTitle, community(en).ruleTitle, community(zh).ruleAuthor]).toEqual(['Community rule - root password guessed wrong', 'Community rule - root password guessed wrong', 'A. Contributor']);
    const detail = await app.call('GET', `/api/alerts/${brute(zh).id}`, { token: english });
    expect(detail.body).toMatchObject({ ruleTitle: 'SSH brute force from one address', ruleAuthor: 'Taishi' });
  });

  it('names incidents Taishi opens in Chinese, and shows their alerts in the reader’s language', async () => {
    const incidents = (await app.call('GET', '/api/incidents', { token: users.analyst.token })).body.items as { id: string; title: string }[];
    const brute = incidents.find((i) => i.title === '单一来源地址 SSH 暴力破解 — source.address=203.0.113.77');
    expect(brute).toBeDefined();
    const opened = await app.call('GET', `/api/incidents/${brute!.id}`, { token: english });
    expect(opened.body.alerts.map((a: { ruleTitle: string }) => a.ruleTitle)).toContain('SSH brute force from one address');
    // The root login from the same address joined the brute-force incident (one intrusion, one
    // incident), and reads in the English reader's language there.
    expect(opened.body.alerts.map((a: { ruleTitle: string }) => a.ruleTitle)).toContain('SSH root login with a password');
  });

  it('lists rules in the reader’s language, with dormant ones and the reason, and wakes them when their logsource is mapped', async () => {
    const rules = async (token: string) => (await app.call('GET', '/api/rules', { token })).body as { rules: { id: string; title: string; state: string; reason?: { kind: string; logsource: string; missing: string; text: string } }[]; errors: string[] };
    const zh = await rules(users.analyst.token);
    expect(zh.errors).toEqual([]);
    expect(zh.rules.find((r) => r.id === 'f8f1436b-5e79-43de-8227-e9421d8f666d')).toMatchObject({ title: '单一来源地址 SSH 暴力破解', state: 'active' });
    expect((await rules(english)).rules.find((r) => r.id === 'f8f1436b-5e79-43de-8227-e9421d8f666d')!.title).toBe('SSH brute force from one address');
    const pump = zh.rules.find((r) => r.id === '6f1d2c3b-0000-4000-8000-00000000c002');
    expect(pump).toMatchObject({ state: 'dormant', reason: { kind: 'logsource', logsource: 'product=plc service=modbus', missing: "product 'plc'" } });
    expect(pump!.reason!.text).toMatch(/^no source yet for logsource product=plc service=modbus/);

    await appendFile(path.join(scratch, 'logsources.yml'), '\n  - logsource: { product: plc }\n    when: { event.module: modbus }\n  - logsource: { service: modbus }\n');
    const reloaded = await app.call('POST', '/api/rules/reload', { token: users.analyst.token });
    expect(reloaded.body.errors).toEqual([]);
    expect((await rules(users.analyst.token)).rules.find((r) => r.id === '6f1d2c3b-0000-4000-8000-00000000c002')).toMatchObject({ state: 'active' });
  });
});
