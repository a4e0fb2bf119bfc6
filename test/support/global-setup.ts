import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * One embedded PostgreSQL for the whole run; each test file creates its own database in it (and
 * in the server named by TEST_DATABASE_URL, when set), so files never see each other's rows.
 * Started by the built service's own code (`npm test` builds first), so running the tests as
 * root from a private folder works as `npm start` does (TAISHI_EMBEDDED_DB_DIR applies here too).
 * Jest loads this file outside its module mapping, which the sources' `.js` imports need.
 */
export default async function globalSetup(): Promise<void> {
  const built = path.resolve(import.meta.dirname, '../../dist/database/embedded-postgres.js');
  const { startEmbeddedPostgres } = (await import(built)) as typeof import('../../src/database/embedded-postgres.ts');
  const { StartupError } = (await import(built.replace('database/embedded-postgres.js', 'common/startup-error.js'))) as typeof import('../../src/common/startup-error.ts');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-test-pg-'));
  await chmod(dataDir, 0o711); // the server runs as the `postgres` OS user when tests run as root
  try {
    const handle = await startEmbeddedPostgres(path.join(dataDir, 'pg'), { runtimeDir: process.env.TAISHI_EMBEDDED_DB_DIR || undefined, log: (_, message) => process.stderr.write(`${message}\n`) });
    process.env.TEST_EMBEDDED_DATABASE_URL = handle.url;
    (globalThis as Record<string, unknown>).__taishiEmbeddedPostgres = { handle, dataDir };
  } catch (error) {
    // One line, as the service says it; our stack would only hide it.
    if (error instanceof StartupError) throw Object.assign(new Error(error.message), { stack: error.message });
    throw error;
  }
}
