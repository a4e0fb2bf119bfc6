import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
import { prepareDatabase } from './runtime-role.js';

export interface DatabaseConnection {
  /** The runtime role's URL: migrations have run as the owner, which the service does not use afterwards. */
  url: string;
  mode: 'embedded' | 'server';
  /** Stops the embedded server when this process started it; a no-op otherwise. */
  release(): Promise<void>;
}

/** The server named by DATABASE_URL, or the embedded one in the data folder (started or attached to), migrated and with its runtime role. */
export async function connectDatabase(settings: Settings): Promise<DatabaseConnection> {
  const owner = await ownerConnection(settings);
  try {
    const url = await prepareDatabase(owner.url, { runtimeUrl: settings.DATABASE_URL ? settings.TAISHI_RUNTIME_DATABASE_URL : undefined, dataDir: settings.TAISHI_DATA_DIR });
    return { ...owner, url };
  } catch (error) {
    await owner.release();
    throw error;
  }
}

async function ownerConnection(settings: Settings): Promise<DatabaseConnection> {
  if (settings.DATABASE_URL) return { url: settings.DATABASE_URL, mode: 'server', release: async () => undefined };
  const dataDir = path.resolve(settings.TAISHI_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  // The embedded server may run as the `postgres` OS user, which must be able to pass through.
  await chmod(dataDir, 0o711);
  const handle: EmbeddedPostgresHandle = await startEmbeddedPostgres(path.join(dataDir, 'postgres'), {
    port: settings.TAISHI_EMBEDDED_DB_PORT,
  });
  return { url: handle.url, mode: 'embedded', release: () => handle.stop() };
}
