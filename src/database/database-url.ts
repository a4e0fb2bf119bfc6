import { Logger } from '@nestjs/common';
import { chmod } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { ensureDataDir } from '../common/index.js';
import type { Settings } from '../config/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
import { probeServer } from './probe.js';
import { prepareDatabase } from './runtime-role.js';

export interface DatabaseConnection {
  /** The runtime role's URL: migrations have run as the owner, which the service does not use afterwards. */
  url: string;
  mode: 'embedded' | 'server';
  /** The embedded server, when this installation uses one. */
  embedded?: EmbeddedPostgresHandle;
  /** Stops the embedded server when this process started it; a no-op otherwise. */
  release(): Promise<void>;
}

/**
 * The server named by DATABASE_URL (checked reachable), or the embedded one in the data folder
 * (started or attached to), migrated and with its runtime role. `supervise`: restart the
 * embedded server if it dies (the service).
 */
export async function connectDatabase(settings: Settings, options: { supervise?: boolean } = {}): Promise<DatabaseConnection> {
  const owner = await ownerConnection(settings, options);
  try {
    const url = await prepareDatabase(owner.url, { runtimeUrl: settings.DATABASE_URL ? settings.TAISHI_RUNTIME_DATABASE_URL : undefined, dataDir: settings.TAISHI_DATA_DIR });
    return { ...owner, url };
  } catch (error) {
    await owner.release();
    throw error;
  }
}

async function ownerConnection(settings: Settings, options: { supervise?: boolean }): Promise<DatabaseConnection> {
  if (settings.DATABASE_URL) {
    await probeServer(settings.DATABASE_URL);
    return { url: settings.DATABASE_URL, mode: 'server', release: async () => undefined };
  }
  const dataDir = await ensureDataDir(settings.TAISHI_DATA_DIR);
  // As root the embedded server runs as the `postgres` OS user, which must be able to pass through.
  if (userInfo().uid === 0) await chmod(dataDir, 0o711);
  const logger = new Logger('Database');
  const handle: EmbeddedPostgresHandle = await startEmbeddedPostgres(path.join(dataDir, 'postgres'), {
    port: settings.TAISHI_EMBEDDED_DB_PORT,
    runtimeDir: settings.TAISHI_EMBEDDED_DB_DIR,
    supervise: options.supervise,
    log: (level, message) => logger[level](message),
  });
  return { url: handle.url, mode: 'embedded', embedded: handle, release: () => handle.stop() };
}
