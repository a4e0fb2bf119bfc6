import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/database/embedded-postgres.js';
import { LiveDetection } from '../../src/detection/index.js';
import { FakeClock } from '../../src/shared/index.js';
import { startTestApp, seedUsers, type TestApp } from '../support/app.js';
import { bastionAttack } from '../support/city-logs.js';
import { dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { until } from '../support/until.js';

// Two instances share one database the way a deployment behind a load balancer does: the server
// PostgreSQL when CI provides it (trust authentication, as in production with a shared secret).
const target = testDatabaseTargets().at(-1)!;
const AUDIT_KEY = 'several-instances-test-audit-key-0123456789';
const TICK_SECONDS = 30;

type Instance = TestApp & { dataDir: string; close(): Promise<void>; port: number };

async function start(clock: FakeClock, reuse?: { databaseUrl: string }): Promise<Instance> {
  const port = await freePort();
  const env = { TAISHI_SYSLOG_HOST: '127.0.0.1', TAISHI_SYSLOG_TCP_PORT: String(port), TAISHI_AUDIT_KEY: AUDIT_KEY, TAISHI_INCIDENT_TICK_SECONDS: String(TICK_SECONDS) };
  const app = reuse ? await startTestApp(target.adminUrl, env, { databaseUrl: reuse.databaseUrl, dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-second-')) }, { clock }) : await startTestApp(target.adminUrl, env, undefined, { clock });
  return Object.assign(app, { port });
}

function sendSyslog(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(lines.map((l) => `${l}\n`).join('')));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

interface Outcome {
  alerts: string[];
  incidents: string[];
}

/** Alerts as kind, rule, group and count; incidents as their category and the sorted rules of the alerts they hold. */
async function outcome(app: TestApp, admin: string): Promise<Outcome> {
  const alerts = (await app.call('GET', '/api/alerts?limit=500', { token: admin })).body.items as { id: string; ruleKind: string; ruleId: string; groupKey: string; count: number }[];
  const incidents = (await app.call('GET', '/api/incidents?limit=100', { token: admin })).body.items as { id: string }[];
  const rules = new Map(alerts.map((a) => [a.id, a.ruleId]));
  const held = await Promise.all(
    incidents.map(async (i) => {
      const detail = (await app.call('GET', `/api/incidents/${i.id}`, { token: admin })).body as { category: string; alerts: { id: string }[] };
      return `${detail.category}: ${detail.alerts.map((a) => rules.get(a.id)).sort().join('+')}`;
    }),
  );
  return { alerts: alerts.map((a) => `${a.ruleKind} ${a.ruleId} ${a.groupKey} ×${a.count}`).sort(), incidents: held.sort() };
}

/** Session locks held on the windows' keeper lock (LockId.CorrelationOwner) in the test's database. */
async function windowKeepers(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 12 AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0].n;
}

async function keepsWindows(app: TestApp, admin: string): Promise<boolean> {
  const metrics = (await app.call('GET', '/metrics', { token: admin })).body as string;
  return /^taishi_correlation_owner 1$/m.test(metrics);
}

async function storedEvents(app: TestApp, admin: string): Promise<number> {
  return (await app.call('GET', '/api/events?limit=100', { token: admin })).body.events.length;
}

describe(`two instances on one ${target.name} PostgreSQL`, () => {
  const lines = bastionAttack().split('\n');

  async function prepare(app: TestApp) {
    const users = await seedUsers(app);
    const r = await app.call('POST', '/api/assets', { token: users.ownerA.token, body: { name: '供水调度堡垒机', type: 'server', addresses: ['zw-bastion'], criticality: 'high' } });
    expect(r.status).toBe(201);
    return users;
  }

  async function settle(clock: FakeClock, apps: TestApp[]): Promise<void> {
    for (const app of apps) await app.running.app.get(LiveDetection).settled();
    // One poll of the correlation feed: the owner reads what the other instance wrote.
    await clock.advance(1_000);
    for (const app of apps) await app.running.app.get(LiveDetection).settled();
  }

  it('an attack split across both instances raises the alerts and incidents one instance raises, each timed job runs once per period, and the correlation windows move to the survivor', async () => {
    const clock = new FakeClock(Date.now());
    // The reference: every line to one instance.
    const single = await start(clock);
    let reference: Outcome;
    try {
      const users = await prepare(single);
      await sendSyslog(single.port, lines);
      await until('the single instance stored the attack', async () => (await storedEvents(single, users.admin)) === lines.length);
      await settle(clock, [single]);
      reference = await outcome(single, users.admin);
    } finally {
      await single.stop();
    }
    // Brute force (ten failures from one address) and its success are correlations: what a split could break.
    expect(reference.alerts.filter((a) => a.startsWith('correlation ')).length).toBeGreaterThanOrEqual(2);
    expect(reference.incidents.length).toBeGreaterThan(0);

    const clockPair = new FakeClock(Date.now());
    const first = await start(clockPair);
    let firstRunning = true;
    // The registry is in place before the second instance starts, as before an attack: an asset
    // registered on one instance reaches the other's lookup through a change notice, a moment later.
    let second: Instance | undefined;
    try {
      const users = await prepare(first);
      const two = (second = await start(clockPair, { databaseUrl: first.databaseUrl }));
      // Line by line, alternately: neither instance alone sees enough failures for the brute-force correlation.
      await Promise.all([sendSyslog(first.port, lines.filter((_, i) => i % 2 === 0)), sendSyslog(two.port, lines.filter((_, i) => i % 2 === 1))]);
      await until('both instances stored their halves', async () => (await storedEvents(first, users.admin)) === lines.length);
      await settle(clockPair, [first, two]);
      expect(await outcome(two, users.admin)).toEqual(reference);

      // Timed jobs: five incident-timer periods pass on both instances' clocks.
      const db = new pg.Client({ connectionString: first.databaseUrl });
      await db.connect();
      try {
        const since = clockPair.now();
        await clockPair.advance(5 * TICK_SECONDS * 1000);
        const { rows } = await db.query<{ job: string; periods: number; claims: number; instances: number }>(
          `SELECT job, count(DISTINCT period_start)::int AS periods, count(*)::int AS claims, count(DISTINCT instance)::int AS instances
             FROM scheduled_job_runs WHERE claimed_at > $1 GROUP BY job`,
          [since],
        );
        const timers = rows.find((r) => r.job === 'incident-timers');
        // Each of the five periods claimed once, by one instance or the other, never both.
        expect(timers).toMatchObject({ periods: 5, claims: 5 });
        expect(await windowKeepers(db)).toBe(1);
        expect([await keepsWindows(first, users.admin), await keepsWindows(two, users.admin)]).toEqual([true, false]);

        // Hand-over: the keeper stops; at its next poll the other takes the windows and counts a new attack.
        await first.close();
        firstRunning = false;
        await clockPair.advance(1_000);
        expect(await keepsWindows(two, users.admin)).toBe(true);
        expect(await windowKeepers(db)).toBe(1);
        const again = lines.filter((l) => l.includes('203.0.113.77')).map((l) => l.replaceAll('203.0.113.77', '203.0.113.88'));
        await sendSyslog(two.port, again);
        await until('the second attack was stored', async () => (await storedEvents(two, users.admin)) === lines.length + again.length);
        await settle(clockPair, [two]);
        const after = await outcome(two, users.admin);
        expect(after.alerts.filter((a) => a.startsWith('correlation ') && a.includes('203.0.113.88'))).toHaveLength(reference.alerts.filter((a) => a.startsWith('correlation ')).length);
      } finally {
        await db.end();
      }
    } finally {
      await second?.close();
      if (firstRunning) await first.close();
      await dropTestDatabase(target.adminUrl, first.databaseUrl);
      await Promise.all([first.dataDir, second?.dataDir].map((dir) => dir && rm(dir, { recursive: true, force: true })));
    }
  });
});
