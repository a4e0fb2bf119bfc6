import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';

/**
 * Stops and starts a real PostgreSQL server under a test's control, with `pg_ctl` of the matching
 * version. PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user.
 */
export interface PostgresControl {
  port: number;
  /**
   * A fast shutdown (SIGINT to the postmaster, what `pg_ctl stop -m fast` sends): open sessions
   * are terminated, as when an administrator stops the server. Returns once it has exited.
   */
  stop(): Promise<void>;
  start(): void;
  running(): boolean;
}

function account(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

function run(binary: string, args: string[]): string {
  const result = spawnSync(binary, args, { ...account(), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${path.basename(binary)} ${args.join(' ')} failed (${result.status}): ${result.stdout}${result.stderr}`);
  return result.stdout;
}

export function pgCtl(binary: string, dataDir: string, port: number): PostgresControl {
  return {
    port,
    stop: async () => {
      const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      process.kill(pid, 'SIGINT');
      for (;;) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    // No Unix socket: the test reaches it over TCP like the service does.
    start: () => void run(binary, ['start', '-D', dataDir, '-w', '-l', path.join(dataDir, 'server.log'), '-o', `-p ${port} -h 127.0.0.1 -k ''`]),
    running: () => spawnSync(binary, ['status', '-D', dataDir], account()).status === 0,
  };
}

/** The Debian PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin), newest version. */
export function debianPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version ? path.join(root, version, 'bin') : undefined;
}

/** A throw-away PostgreSQL server of its own (trust authentication, loopback, a free port). */
export async function startDisposablePostgres(bin: string): Promise<{ url: string; control: PostgresControl; remove(): Promise<void> }> {
  const parent = await mkdtemp(path.join(tmpdir(), 'taishi-pgserver-'));
  await chmod(parent, 0o711);
  const dataDir = path.join(parent, 'data');
  const owner = account();
  if (owner) await chown(parent, owner.uid, owner.gid);
  run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
  const control = pgCtl(path.join(bin, 'pg_ctl'), dataDir, await freePort());
  control.start();
  return {
    url: `postgres://postgres@127.0.0.1:${control.port}/postgres`,
    control,
    remove: async () => {
      if (control.running()) await control.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** Control over the embedded server a service started in its data folder, and its URL. */
export async function embeddedPostgresOf(dataDir: string): Promise<{ url: string; control: PostgresControl }> {
  const { pg_ctl } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
  const pgData = path.join(dataDir, 'postgres');
  const port = Number((await readFile(path.join(pgData, 'postmaster.pid'), 'utf8')).split('\n')[3]);
  const { user, password } = JSON.parse(await readFile(path.join(pgData, 'taishi-credentials.json'), 'utf8')) as { user: string; password: string };
  return { url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, control: pgCtl(pg_ctl, pgData, port) };
}
