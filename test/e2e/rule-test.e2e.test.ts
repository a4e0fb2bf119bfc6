import { testDatabaseTargets } from '../support/databases.js';
import { seedUsers, startTestApp, type TestApp } from '../support/app.js';

const SSH_FAILURE = '4d9838f3-9e57-4035-9f6c-5464eb597645';
const SSH_BRUTE_FORCE = 'f8f1436b-5e79-43de-8227-e9421d8f666d';
const failures = (n: number, from = '203.0.113.77') => Array.from({ length: n }, (_, i) => `Mar 10 13:30:0${i} zw-bastion sshd[3020${i}]: Failed password for root from ${from} port 4022${i} ssh2`).join('\n');

describe.each(testDatabaseTargets())('testing rules on pasted events ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let token: string;
  const test = (body: unknown) => app.call('POST', '/api/rules/test', { token, body });

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    token = (await seedUsers(app)).analyst.token;
  });
  afterAll(() => app.stop());

  it('marks the events a loaded rule matches, even one that only feeds a correlation', async () => {
    const r = await test({ ruleId: SSH_FAILURE, events: `${failures(1)}\nMar 10 13:30:09 zw-bastion sshd[4243]: Accepted publickey for ops from 10.0.0.5 port 52101 ssh2` });
    expect(r.status).toBe(200);
    expect(r.body.rules).toEqual([{ id: SSH_FAILURE, title: 'SSH login failure', level: 'low', kind: 'rule' }]);
    expect(r.body.events.map((e: { matchedBy: string[]; dataset: string }) => [e.dataset, e.matchedBy])).toEqual([
      ['system.auth', [SSH_FAILURE]],
      ['system.auth', []],
    ]);
  });

  it('fires a correlation over the pasted sequence, naming the completing event and the group', async () => {
    const r = await test({ ruleId: SSH_BRUTE_FORCE, events: failures(10) });
    expect(r.body.firings).toEqual([expect.objectContaining({ ruleId: SSH_BRUTE_FORCE, kind: 'correlation', level: 'high', groupKey: expect.stringContaining('203.0.113.77') })]);
    expect(r.body.events[r.body.firings[0].eventIndex].matchedBy).toContain(SSH_BRUTE_FORCE);
    expect((await test({ ruleId: SSH_BRUTE_FORCE, events: failures(3) })).body.firings).toEqual([]);
  });

  it('tests a pasted rule file, JSON events included, and sees events as the pipeline stores them (masked)', async () => {
    const yaml = [
      'title: pump station door opened',
      'id: 5b7e6e1c-1d55-4f57-9a0e-2b7d4c1f0a11',
      'level: medium',
      'logsource: { product: linux }',
      'detection:',
      "  door: { message|contains: 'door opened' }",
      "  phone: { message|contains: '13812345678' }",
      '  condition: door or phone',
    ].join('\n');
    const events = [
      JSON.stringify({ message: 'door opened by card 0042', host: { name: 'bengzhan-gw' } }),
      'Mar 10 13:30:01 bengzhan-gw app[1]: callback to 13812345678 failed',
    ].join('\n');
    const r = await test({ yaml, events });
    expect(r.status).toBe(200);
    expect(r.body.events[0].matchedBy).toEqual(['5b7e6e1c-1d55-4f57-9a0e-2b7d4c1f0a11']);
    // The phone number is masked before detection, live as here, so a rule cannot match it.
    expect(r.body.events[1].matchedBy).toEqual([]);
    expect(r.body.events[1].message).not.toContain('13812345678');
  });

  it('stores nothing and raises nothing', async () => {
    await test({ ruleId: SSH_BRUTE_FORCE, events: failures(10) });
    expect((await app.call('GET', '/api/alerts', { token })).body.total).toBe(0);
    expect((await app.call('GET', '/api/events', { token })).body.events).toEqual([]);
  });

  it('refuses what it cannot test with a precise 4xx', async () => {
    expect((await test({ ruleId: 'no-such-rule', events: 'x' })).status).toBe(404);
    const both = await test({ ruleId: SSH_FAILURE, yaml: 'title: x', events: 'x' });
    expect(both.status).toBe(400);
    expect(both.body.code).toBe('rule.test_one_source');
    expect(both.body.message).toMatch(/ruleId.*yaml/);
    expect((await test({ events: 'x' })).status).toBe(400);
    const broken = await test({ yaml: 'title: broken\nlogsource: { product: linux }\ndetection:\n  condition: nothing_here\n', events: 'x' });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('rule.file_invalid');
    expect(broken.body.message).toMatch(/未作测试/);
    expect(broken.body.details.length).toBeGreaterThan(0);
    const many = await test({ ruleId: SSH_FAILURE, events: Array.from({ length: 2001 }, () => 'line').join('\n') });
    expect(many.status).toBe(400);
    expect(many.body).toMatchObject({ code: 'rule.too_many_test_events', params: { max: 2000, count: 2001 } });
    expect((await test({ ruleId: SSH_FAILURE })).body.message).toMatch(/events/);
  });
});
