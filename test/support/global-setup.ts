import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.ts';

/**
 * One embedded PostgreSQL for the whole run; each test file creates its own database in it (and
 * in the server named by TEST_DATABASE_URL, when set), so files never see each other's rows.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-test-pg-'));
  await chmod(dataDir, 0o711); // the server runs as the `postgres` OS user when tests run as root
  const handle = await startEmbeddedPostgres(path.join(dataDir, 'pg'));
  process.env.TEST_EMBEDDED_DATABASE_URL = handle.url;
  (globalThis as Record<string, unknown>).__taishiEmbeddedPostgres = { handle, dataDir };
}
