import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runtimeRoleName } from '../../src/database/runtime-role.js';

/** The PostgreSQL servers this run tests against: always the embedded one, plus a server when configured. */
export function testDatabaseTargets(): { name: string; adminUrl: string }[] {
  const targets = [{ name: 'embedded', adminUrl: process.env.TEST_EMBEDDED_DATABASE_URL! }];
  if (process.env.TEST_DATABASE_URL) targets.push({ name: 'server', adminUrl: process.env.TEST_DATABASE_URL });
  return targets;
}

/** Creates an empty database on the given server and returns its URL. */
export async function createTestDatabase(adminUrl: string, prefix = 'taishi_t'): Promise<string> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // The role the service made for that database owned objects only in it.
    await client.query(`DROP ROLE IF EXISTS ${runtimeRoleName(name)}`);
  } finally {
    await client.end();
  }
}

/** A fresh database with every migration applied, as the service would leave it. */
export async function createMigratedDatabase(adminUrl: string): Promise<string> {
  const url = await createTestDatabase(adminUrl);
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await import('../../src/database/index.js');
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  await dataSource.destroy();
  return url;
}

/**
 * A database as the release before `migration` left it (the migrations before it applied), with
 * a connection for writing its old rows; destroy it before the service starts on the database.
 */
export async function createDatabaseBefore(adminUrl: string, migration: { name: string }) {
  const url = await createTestDatabase(adminUrl);
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await import('../../src/database/index.js');
  const { MIGRATIONS } = await import('../../src/database/migrations/index.js');
  const stamp = (m: { name: string }) => Number(/\d{13}$/.exec(m.name)![0]);
  const old = new DataSource({ ...dataSourceOptions(url), migrations: MIGRATIONS.filter((m) => stamp(m) < stamp(migration)) });
  await old.initialize();
  return { url, old };
}
