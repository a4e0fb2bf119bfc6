import { Logger } from '@nestjs/common';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.js';
import { LockId, lockSession } from './locks.js';
import { clientSql } from './sql.js';

/**
 * Two database roles: the owner (DATABASE_URL, or the embedded server's superuser) runs the
 * migrations and owns the tables, the audit trail's among them; the service works as a runtime
 * role that may read and append to the trail but neither change, delete nor truncate it, nor
 * switch its append-only triggers off. The runtime role owns the event tables, because the
 * service creates and drops their daily partitions itself.
 */
/** Tables the runtime role may read and append to, and nothing else. */
const APPEND_ONLY_TABLES = ['audit_log'];
/** Tables the runtime role owns: it creates and drops their partitions. */
const RUNTIME_OWNED_TABLES = ['events'];

/** The runtime role Taishi makes for a database: one per database, since roles are server-wide. */
export function runtimeRoleName(database: string): string {
  const name = `taishi_runtime_${database}`;
  return /^[a-z0-9_]{1,63}$/.test(name) ? name : `taishi_runtime_${createHash('sha256').update(database).digest('hex').slice(0, 12)}`;
}

/**
 * Migrates the database as its owner, then readies the runtime role and answers how to connect
 * as it: the role of TAISHI_RUNTIME_DATABASE_URL when given, or one Taishi creates when the owner
 * may create roles. Its password derives from the owner's, so every instance with the same
 * DATABASE_URL agrees on it without storing it; an owner without a password (trust or peer
 * authentication) has a secret kept in the data folder instead. Answers the URL to work with.
 */
export async function prepareDatabase(ownerUrl: string, options: { runtimeUrl?: string; dataDir: string }): Promise<string> {
  const owner = new pg.Client({ connectionString: ownerUrl, application_name: 'taishi-setup' });
  await owner.connect();
  try {
    // Serialises migrations and the role setup between a service and a CLI started together.
    await lockSession(clientSql(owner), LockId.Setup);
    const migrations = new DataSource(dataSourceOptions(ownerUrl));
    await migrations.initialize();
    await migrations.destroy();
    const [me] = (await owner.query(`SELECT current_user AS name, rolsuper, rolcreaterole, current_database() AS database FROM pg_roles WHERE rolname = current_user`)).rows as {
      name: string;
      rolsuper: boolean;
      rolcreaterole: boolean;
      database: string;
    }[];
    let runtime: { url: string; role: string };
    if (options.runtimeUrl) runtime = { url: options.runtimeUrl, role: decodeURIComponent(new URL(options.runtimeUrl).username) };
    else if (me.rolsuper || me.rolcreaterole) runtime = await ensureRuntimeRole(owner, ownerUrl, runtimeRoleName(me.database), options.dataDir);
    else {
      Logger.warn(
        `数据库角色 ${me.name} 不能创建角色，服务只好以表的所有者身份运行，审计表的追加保护因此较弱；请设置 TAISHI_RUNTIME_DATABASE_URL / ` +
          `The DATABASE_URL role ${me.name} may not create roles, so the service works as the owner of the tables and the audit trail's append-only protection is weaker: set TAISHI_RUNTIME_DATABASE_URL`,
        'Database',
      );
      return ownerUrl;
    }
    if (runtime.role === me.name) throw new Error('TAISHI_RUNTIME_DATABASE_URL names the same role as DATABASE_URL; it must be a role that owns nothing');
    await grantRuntime(owner, me, runtime.role);
    await assertRuntimeConnection(runtime.url, me.database);
    return runtime.url;
  } finally {
    await owner.end();
  }
}

async function ensureRuntimeRole(owner: pg.Client, ownerUrl: string, role: string, dataDir: string): Promise<{ url: string; role: string }> {
  const secret = decodeURIComponent(new URL(ownerUrl).password) || (await localSecret(dataDir));
  const password = createHmac('sha256', secret).update(`taishi runtime role ${role}`).digest('base64url');
  const exists = (await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;
  const id = owner.escapeIdentifier(role);
  if (!exists) await owner.query(`CREATE ROLE ${id} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${owner.escapeLiteral(password)}`);
  else await owner.query(`ALTER ROLE ${id} PASSWORD ${owner.escapeLiteral(password)}`);
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return { url: url.toString(), role };
}

async function localSecret(dataDir: string): Promise<string> {
  const file = path.resolve(dataDir, 'database-runtime.secret');
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(randomBytes(32).toString('base64url'));
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}

/** Idempotent, run at every start, so tables new migrations add are granted too. */
async function grantRuntime(owner: pg.Client, me: { name: string; rolsuper: boolean; database: string }, role: string): Promise<void> {
  const id = owner.escapeIdentifier(role);
  await owner.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${owner.escapeIdentifier(me.database)} TO ${id}`);
  await owner.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${id}`);
  await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${id}`);
  await owner.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${id}`);
  await owner.query(`REVOKE ALL ON migrations FROM ${id}`);
  await owner.query(`GRANT SELECT ON migrations TO ${id}`);
  for (const table of APPEND_ONLY_TABLES) {
    await owner.query(`REVOKE ALL ON ${table} FROM ${id}`);
    await owner.query(`GRANT SELECT, INSERT ON ${table} TO ${id}`);
  }
  const transfer = (
    await owner.query(
      `SELECT c.oid::regclass::text AS name FROM pg_class c
       WHERE (c.relname = ANY($1) AND c.relnamespace = 'public'::regnamespace OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = ANY($1::regclass[])))
         AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)`,
      [RUNTIME_OWNED_TABLES, role],
    )
  ).rows as { name: string }[];
  if (!transfer.length) return;
  try {
    // Giving a table away takes membership in the receiving role.
    // PostgreSQL 16 gives the creator of a role only ADMIN on it; owning its tables also takes SET and INHERIT.
    const modern = Number((await owner.query('SHOW server_version_num')).rows[0].server_version_num) >= 160000;
    const { rows } = await owner.query(`SELECT pg_has_role(current_user, $1, 'USAGE') AND pg_has_role(current_user, $1, $2) AS member`, [role, modern ? 'SET' : 'MEMBER']);
    if (!me.rolsuper && !rows[0].member) await owner.query(`GRANT ${id} TO CURRENT_USER${modern ? ' WITH INHERIT TRUE, SET TRUE' : ''}`);
    for (const { name } of transfer) await owner.query(`ALTER TABLE ${name} OWNER TO ${id}`);
  } catch (error) {
    throw new Error(
      `无法把事件表交给运行角色 ${role}：请以管理员身份执行 GRANT ${role} TO ${me.name} / ` +
        `Cannot hand the event tables to the runtime role ${role} (${(error as Error).message}): run GRANT ${role} TO ${me.name} as an administrator of the server`,
    );
  }
}

/** Connects as the runtime role once, so a wrong URL or password stops the start with a clear message. */
async function assertRuntimeConnection(url: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'taishi-setup' });
  try {
    await client.connect();
    const { rows } = await client.query<{ db: string; rolsuper: boolean }>('SELECT current_database() AS db, rolsuper FROM pg_roles WHERE rolname = current_user');
    if (rows[0].db !== database) throw new Error(`its URL names database ${rows[0].db}, not ${database}`);
    if (rows[0].rolsuper) throw new Error('it is a superuser');
  } catch (error) {
    throw new Error(`运行角色不可用 / The runtime database role cannot be used: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
