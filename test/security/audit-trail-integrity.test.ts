import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { chainHash, GENESIS_HASH } from '../../src/audit/chain.js';
import type { EventStore } from '../../src/events/event-store.js';
import { EVENT_STORE } from '../../src/events/tokens.js';
import { TrailAndClaims1796425365584 } from '../../src/database/migrations/1796425365584-trail-and-claims.js';
import { createDatabaseBefore, createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, listDepartments, seedUsers, startTestApp, type TestApp } from '../support/app.js';
import { startService, stopService } from '../support/service-process.js';

const root = path.resolve(import.meta.dirname, '../..');

interface Row {
  id: string;
  at: Date;
  actor: string;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  source_ip: string | null;
  before: unknown;
  after: unknown;
}

/** The fields the chain covers, as an old (unkeyed) Taishi hashed them. */
const unkeyedHash = (prev: string, r: Row) =>
  chainHash(prev, { at: r.at, actor: r.actor, actorRole: r.actor_role, action: r.action, targetType: r.target_type, targetId: r.target_id, outcome: r.outcome, sourceIp: r.source_ip, before: r.before, after: r.after });

/** What someone holding the database owner's (or a superuser's) credentials can do behind the service. */
async function asOwner<T>(databaseUrl: string, work: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    const result = await work(db);
    await db.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    await db.query('COMMIT');
    return result;
  } finally {
    await db.end();
  }
}

/** Rewrites the records from `fromId` (to `toId`, or the end) with unkeyed SHA-256, as the old chain allowed. */
async function rechainUnkeyed(db: pg.Client, fromId: string, toId?: string): Promise<void> {
  const { rows } = await db.query<Row & { hash: string }>('SELECT * FROM audit_log ORDER BY id');
  const hasKeyColumn = (await db.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'audit_log' AND column_name = 'key_id'`)).rowCount === 1;
  let prev = GENESIS_HASH;
  for (const row of rows) {
    if (BigInt(row.id) >= BigInt(fromId) && (toId === undefined || BigInt(row.id) <= BigInt(toId))) {
      const hash = unkeyedHash(prev, row);
      await db.query(`UPDATE audit_log SET prev_hash = $2, hash = $3${hasKeyColumn ? ', key_id = NULL' : ''} WHERE id = $1`, [row.id, prev, hash]);
      prev = hash;
    } else prev = row.hash;
  }
}

const cli = (databaseUrl: string, dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir }, encoding: 'utf8' });

describe.each(testDatabaseTargets())('audit trail integrity ($name PostgreSQL)', ({ adminUrl }) => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
  });
  const start = async (env: Record<string, string> = {}, reuse?: { databaseUrl: string; dataDir: string }) => {
    const app = await startTestApp(adminUrl, env, reuse);
    if (!reuse) apps.push(app);
    else apps.splice(apps.findIndex((a) => a.databaseUrl === reuse.databaseUrl), 1, app);
    return app;
  };
  const verify = async (app: TestApp) => (await app.call('GET', '/api/audit/verify', { token: await app.login('admin', ADMIN_PASSWORD) })).body;
  const someChanges = async (app: TestApp, n = 3) => {
    const admin = await app.login('admin', ADMIN_PASSWORD);
    await listDepartments(app, admin, '水务局');
    for (let i = 0; i < n; i++) {
      const r = await app.call('POST', '/api/assets', { token: admin, body: { name: `审计测试-${i}-${randomBytes(3).toString('hex')}`, type: 'server', department: '水务局' } });
      expect(r.status).toBe(201);
    }
  };
  const head = async (databaseUrl: string) => {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      return (await db.query<{ id: string }>('SELECT max(id)::text AS id FROM audit_log')).rows[0].id;
    } finally {
      await db.end();
    }
  };

  it('runs the service as a role that may only read and append to the trail', async () => {
    const app = await start();
    await someChanges(app, 1);
    const service = app.running.app.get(DataSource);
    const [me] = (await service.query(`SELECT current_user AS name, rolsuper FROM pg_roles WHERE rolname = current_user`)) as { name: string; rolsuper: boolean }[];
    expect(me.rolsuper).toBe(false);
    const [table] = (await service.query(`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'audit_log'`)) as { owner: string }[];
    expect(table.owner).not.toBe(me.name);
    for (const sql of [
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only',
      'ALTER TABLE audit_log DISABLE TRIGGER USER',
      'DROP TRIGGER audit_log_append_only ON audit_log',
      `UPDATE audit_log SET actor = 'mallory'`,
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
      'DROP TABLE audit_log',
    ]) {
      await expect(service.query(sql)).rejects.toThrow(/permission denied|must be owner/);
    }
    expect((await verify(app)).appendOnlyForService).toBe(true);
  });

  it('keeps the chain key outside the database, in a file only the service user can read', async () => {
    const app = await start();
    const keyFile = path.join(app.dataDir, 'audit.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = (await readFile(keyFile, 'utf8')).trim();
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE audit_log::text LIKE '%' || $1 || '%'`, [key]);
      expect(rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });

  it('detects the newest records deleted behind the stopped service, in the API and the CLI', async () => {
    let app = await start();
    await someChanges(app);
    await app.close(); // the head is anchored outside the database on the way out
    const anchored = await head(app.databaseUrl);
    await asOwner(app.databaseUrl, (db) => db.query('DELETE FROM audit_log WHERE id > $1 - 2', [anchored]));
    app = await start({}, { databaseUrl: app.databaseUrl, dataDir: app.dataDir });
    const result = await verify(app);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ id: anchored, reason: expect.stringMatching(/removed|deleted/) });
    const out = cli(app.databaseUrl, app.dataDir, 'audit', 'verify');
    expect(out.status).toBe(1);
    expect(out.stdout).toContain(`record ${anchored}`);
  }, 120_000);

  it('anchors the head while running, so deleting the newest records of a running service is detected', async () => {
    const app = await start({ TAISHI_AUDIT_ANCHOR_SECONDS: '1' });
    await someChanges(app);
    const newest = await head(app.databaseUrl);
    await new Promise((r) => setTimeout(r, 2_500));
    await asOwner(app.databaseUrl, (db) => db.query('DELETE FROM audit_log WHERE id >= $1', [newest]));
    const result = await verify(app);
    expect(result.ok).toBe(false);
    expect(result.firstBroken.id).toBe(newest);
  });

  it('detects the whole trail emptied', async () => {
    const app = await start();
    await someChanges(app);
    await asOwner(app.databaseUrl, (db) => db.query('TRUNCATE audit_log'));
    expect((await verify(app)).ok).toBe(false);
  });

  it('detects a record altered and the chain after it recomputed', async () => {
    const app = await start();
    await someChanges(app);
    const target = await asOwner(app.databaseUrl, async (db) => {
      const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM audit_log WHERE action = 'asset.create' ORDER BY id LIMIT 1`);
      await db.query(`UPDATE audit_log SET after = jsonb_set(after, '{name}', '"改过的名字"') WHERE id = $1`, [rows[0].id]);
      await rechainUnkeyed(db, rows[0].id);
      return rows[0].id;
    });
    const result = await verify(app);
    expect(result.ok).toBe(false);
    expect(result.firstBroken.id).toBe(target);
  });

  it('detects the whole trail recomputed from the start as if it had never been keyed', async () => {
    const app = await start();
    await someChanges(app);
    await asOwner(app.databaseUrl, async (db) => {
      await db.query(`UPDATE audit_log SET after = jsonb_set(after, '{name}', '"改过的名字"') WHERE action = 'asset.create'`);
      await rechainUnkeyed(db, '1');
    });
    expect((await verify(app)).ok).toBe(false);
  });

  it('writes no change whose audit record cannot be written', async () => {
    const app = await start();
    const admin = await app.login('admin', ADMIN_PASSWORD);
    await listDepartments(app, admin, '水务局');
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      await db.query(`CREATE FUNCTION refuse_asset_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.action LIKE 'asset.%' THEN RAISE EXCEPTION 'audit store refused'; END IF; RETURN NEW; END $$`);
      await db.query(`CREATE TRIGGER refuse_asset_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_asset_audit()`);
      const created = await app.call('POST', '/api/assets', { token: admin, body: { name: '无审计的系统', type: 'server', department: '水务局', addresses: ['10.9.9.9'] } });
      expect(created.status).toBe(500);
      expect((await db.query(`SELECT count(*)::int AS n FROM assets WHERE name = '无审计的系统'`)).rows[0].n).toBe(0);
      await db.query('DROP TRIGGER refuse_asset_audit ON audit_log');
    } finally {
      await db.end();
    }
  });

  it.each([
    ['an asset name with an escape sequence', 'POST', '/api/assets', { name: '门户\u001b[2J', type: 'server', department: '水务局' }],
    ['a department with a newline', 'POST', '/api/assets', { name: '门户', type: 'server', department: '水务局\n交通局' }],
    ['an asset name with a right-to-left override', 'POST', '/api/assets', { name: '门户\u202egnp.exe', type: 'server', department: '水务局' }],
    ['a user department with a bell', 'POST', '/api/users', { username: 'ctl.owner', role: 'owner', department: '水务\u0007局', password: 'ctl-owner-password-1' }],
    ['a login user name with a forged line', 'POST', '/api/auth/login', { username: 'admin\r\n2026-01-01 login ok', password: 'whatever-password' }],
  ])('refuses %s with 400', async (_what, method, route, body) => {
    const app = apps[0] ?? (await start());
    const admin = await app.login('admin', ADMIN_PASSWORD);
    const r = await app.call(method, route, { token: admin, body });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/control character|控制字符/);
  });
});

describe.each(testDatabaseTargets())('database roles on a server ($name PostgreSQL)', ({ adminUrl }) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });
  const superuser = async <T>(work: (db: pg.Client) => Promise<T>): Promise<T> => {
    const db = new pg.Client({ connectionString: adminUrl });
    await db.connect();
    try {
      return await work(db);
    } finally {
      await db.end();
    }
  };
  /** A database owned by a fresh login role with the given attributes, as a hosting provider hands out. */
  const ownedDatabase = async (attributes: string) => {
    const role = `taishi_own_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const probe = await createTestDatabase(adminUrl);
    const name = new URL(probe).pathname.slice(1);
    await superuser(async (db) => {
      await db.query(`CREATE ROLE ${role} LOGIN ${attributes} PASSWORD '${password}'`);
      await db.query(`ALTER DATABASE ${name} OWNER TO ${role}`);
    });
    cleanup.push(() => superuser((db) => db.query(`DROP ROLE IF EXISTS ${role}`)));
    const url = new URL(probe);
    url.username = role;
    url.password = password;
    return { role, url: url.toString() };
  };

  it('creates its own runtime role when the owner of DATABASE_URL may create roles, with no SQL from the administrator', async () => {
    const { role, url } = await ownedDatabase('CREATEROLE');
    const app = await startTestApp(adminUrl, {}, { databaseUrl: url, dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-roles-')) });
    const [me] = (await app.running.app.get(DataSource).query(`SELECT current_user AS name, rolsuper FROM pg_roles WHERE rolname = current_user`)) as { name: string; rolsuper: boolean }[];
    // Runs before the database and the owner go: the runtime role owns the event tables in it.
    cleanup.push(() => superuser((db) => db.query(`DROP ROLE IF EXISTS ${me.name}`)));
    cleanup.push(() => dropTestDatabase(adminUrl, url));
    cleanup.push(() => rm(app.dataDir, { recursive: true, force: true }));
    cleanup.push(() => app.close());
    expect(me.name).not.toBe(role);
    expect(me.rolsuper).toBe(false);
    const users = await seedUsers(app);
    const key = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'roles', scopes: ['ingest'] } })).body.key;
    // Events go to a daily partition the runtime role creates itself.
    const sent = await app.call('POST', '/api/ingest', { token: key, rawBody: JSON.stringify({ '@timestamp': new Date().toISOString(), message: 'runtime role writes events' }) + '\n', headers: { 'content-type': 'application/x-ndjson' } });
    expect(sent.status).toBe(202);
    expect((await app.call('GET', '/api/audit/verify', { token: users.admin })).body).toMatchObject({ ok: true, appendOnlyForService: true });
  });

  it('uses TAISHI_RUNTIME_DATABASE_URL when the owner may not create roles', async () => {
    const { role, url } = await ownedDatabase('');
    const runtime = `taishi_rt_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await superuser(async (db) => {
      await db.query(`CREATE ROLE ${runtime} LOGIN PASSWORD '${password}'`);
      await db.query(`GRANT ${runtime} TO ${role}`);
    });
    cleanup.push(() => superuser((db) => db.query(`DROP ROLE IF EXISTS ${runtime}`)));
    const runtimeUrl = new URL(url);
    runtimeUrl.username = runtime;
    runtimeUrl.password = password;
    const app = await startTestApp(adminUrl, { TAISHI_RUNTIME_DATABASE_URL: runtimeUrl.toString() }, { databaseUrl: url, dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-roles-')) });
    cleanup.push(() => dropTestDatabase(adminUrl, url));
    cleanup.push(() => rm(app.dataDir, { recursive: true, force: true }));
    cleanup.push(() => app.close());
    const [me] = (await app.running.app.get(DataSource).query(`SELECT current_user AS name`)) as { name: string }[];
    expect(me.name).toBe(runtime);
    const admin = await app.login('admin', ADMIN_PASSWORD);
    expect((await app.call('GET', '/api/audit/verify', { token: admin })).body).toMatchObject({ ok: true, appendOnlyForService: true });
  });

  it('still runs when the owner may not create roles and no runtime role is given, and says the trail is not append-only for it', async () => {
    const { url } = await ownedDatabase('');
    const app = await startTestApp(adminUrl, {}, { databaseUrl: url, dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-roles-')) });
    cleanup.push(() => dropTestDatabase(adminUrl, url));
    cleanup.push(() => rm(app.dataDir, { recursive: true, force: true }));
    cleanup.push(() => app.close());
    const admin = await app.login('admin', ADMIN_PASSWORD);
    expect((await app.call('GET', '/api/audit/verify', { token: admin })).body).toMatchObject({ ok: true, appendOnlyForService: false });
  });
});

describe('an installation whose trail predates the keyed chain (embedded PostgreSQL)', () => {
  const [{ adminUrl }] = testDatabaseTargets();
  let app: TestApp | undefined;
  let databaseUrl: string;
  afterAll(async () => {
    if (app) await app.stop();
  });

  it('verifies the old records unkeyed up to a marked boundary, then keyed', async () => {
    // The schema as the release before the keyed chain left it.
    const { url, old } = await createDatabaseBefore(adminUrl, TrailAndClaims1796425365584);
    databaseUrl = url;
    let prev = GENESIS_HASH;
    for (const [i, action] of ['user.create', 'auth.login', 'asset.create'].entries()) {
      const row = { at: new Date(Date.UTC(2025, 10, 1, 8, i)), actor: 'admin', actor_role: 'admin', action, target_type: 'user', target_id: String(i), outcome: 'success', source_ip: '127.0.0.1', before: null, after: { n: i } };
      const hash = unkeyedHash(prev, { id: '', ...row });
      await old.query(`INSERT INTO audit_log (at, actor, actor_role, action, target_type, target_id, outcome, source_ip, before, after, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, [
        row.at, row.actor, row.actor_role, row.action, row.target_type, row.target_id, row.outcome, row.source_ip, null, JSON.stringify(row.after), prev, hash,
      ]);
      prev = hash;
    }
    // A day of events the old service (then the owner) filed, which retention must still be able to drop.
    await old.query(`CREATE TABLE events_20250101 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2025-01-02')`);
    await old.destroy();

    app = await startTestApp(adminUrl, {}, { databaseUrl, dataDir: await mkdtemp(path.join(tmpdir(), 'taishi-legacy-')) });
    const result = await verify();
    expect(result).toMatchObject({ ok: true, unkeyed: 3, keyedFrom: '4' });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT action, after FROM audit_log WHERE id = 4`);
      expect(rows[0]).toEqual({ action: 'audit.chain.keyed', after: { unkeyedRecords: 3, unkeyedHead: prev } });
      await app.running.app.get<EventStore>(EVENT_STORE).deleteBefore(new Date('2025-06-01T00:00:00Z'));
      expect((await db.query(`SELECT 1 FROM pg_class WHERE relname = 'events_20250101'`)).rowCount).toBe(0);
    } finally {
      await db.end();
    }

    // Rewriting the old part and recomputing it, unkeyed as it is, breaks at the keyed boundary.
    await asOwner(databaseUrl, async (db) => {
      await db.query(`UPDATE audit_log SET actor = 'mallory' WHERE id = 2`);
      await rechainUnkeyed(db, '2', '3');
    });
    const broken = await verify();
    expect(broken).toMatchObject({ ok: false, firstBroken: { id: '4' } });
  });

  const verify = async () => (await app!.call('GET', '/api/audit/verify', { token: await app!.login('admin', ADMIN_PASSWORD) })).body;
});

describe('the embedded database of a fresh installation', () => {
  it('is used through a runtime role; the owner credentials stay in the data folder', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-embedded-roles-'));
    await chmod(dataDir, 0o711); // the server runs as the `postgres` OS user when tests run as root
    const service = await startService({ TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: ADMIN_PASSWORD });
    try {
      const owner = JSON.parse(await readFile(path.join(dataDir, 'postgres', 'taishi-credentials.json'), 'utf8')) as { user: string; password: string };
      const port = (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[3];
      const db = new pg.Client({ connectionString: `postgres://${owner.user}:${encodeURIComponent(owner.password)}@127.0.0.1:${port}/postgres` });
      await db.connect();
      try {
        const { rows } = await db.query<{ usename: string; rolsuper: boolean }>(
          `SELECT DISTINCT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename WHERE a.application_name = 'taishi'`,
        );
        expect(rows).toEqual([{ usename: 'taishi_runtime_postgres', rolsuper: false }]);
      } finally {
        await db.end();
      }
      expect(((await stat(path.join(dataDir, 'audit.key'))).mode & 0o777)).toBe(0o600);
      expect(service.output()).toMatch(/Audit trail anchored: record \d+/);
    } finally {
      await stopService(service); // stops the embedded server it started
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
