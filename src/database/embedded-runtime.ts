import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, readdir, readFile, readlink, realpath, rename, rm, rmdir, symlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { StartupError, systemReason } from '../common/index.js';

/**
 * Where the embedded PostgreSQL can run when Taishi runs as root. PostgreSQL refuses root, so the
 * server runs as the `postgres` OS user, and that user must be able to reach its binaries and its
 * cluster. A clone in root's home (0700) hides both; rather than loosen anyone's folders, what
 * the server cannot reach is placed under a folder of its own (TAISHI_EMBEDDED_DB_DIR).
 */

export interface ServiceAccount {
  uid: number;
  gid: number;
}

export interface Binaries {
  postgres: string;
  initdb: string;
}

export type Log = (level: 'log' | 'warn', message: string) => void;

/** When running as root, PostgreSQL refuses to start; run it as the `postgres` OS user instead (created if missing). */
export function serviceAccount(): ServiceAccount | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = (): ServiceAccount => {
    const said = execFileSync('id', ['postgres'], { stdio: 'pipe' }).toString();
    return { uid: Number(/uid=(\d+)/.exec(said)![1]), gid: Number(/gid=(\d+)/.exec(said)![1]) };
  };
  try {
    return lookup();
  } catch {
    // not there yet
  }
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'pipe' });
    return lookup();
  } catch (error) {
    const reason = (error as { stderr?: Buffer }).stderr?.toString().trim() || systemReason(error);
    throw new StartupError(
      `启动失败：以 root 运行时内置数据库须以 postgres 系统用户运行，但无法创建该用户（${reason}）；请先创建它（useradd --system postgres），或以普通用户运行，或设置 DATABASE_URL`,
      `Start-up failed: as root the embedded PostgreSQL runs as the postgres OS user, which could not be created (${reason}); create it (useradd --system postgres), run Taishi as an ordinary user, or set DATABASE_URL`,
    );
  }
}

/** `test FLAG target` as the account: the kernel's own answer, with the groups the server will have (none extra). */
function accountCan(account: ServiceAccount, flag: '-x' | '-r', target: string): boolean {
  return spawnSync('test', [flag, target], { uid: account.uid, gid: account.gid, cwd: '/', stdio: 'ignore' }).status === 0;
}

/** The outermost folder on the way to `target` that the account cannot pass through (one check when none). */
function firstBlocked(account: ServiceAccount, target: string): string | undefined {
  if (accountCan(account, '-x', target)) return undefined;
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const folder = path.sep + parts.slice(0, i + 1).join(path.sep);
    if (existsSync(folder) && !accountCan(account, '-x', folder)) return folder;
  }
  return undefined;
}

/** Creates `dir` and any missing parents with mode 0755 whatever the umask, so the account can pass through. */
async function mkdirTraversable(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (!first) return;
  for (let d = dir; ; d = path.dirname(d)) {
    await chmod(d, 0o755);
    if (d === first) break;
  }
}

function runtimeDirFailure(runtimeDir: string, reason: { zh: string; en: string }): StartupError {
  return new StartupError(
    `启动失败：以 root 运行时，postgres 系统用户无法进入本安装的目录，需将内置数据库放到 ${runtimeDir}，但${reason.zh}；请用 TAISHI_EMBEDDED_DB_DIR 指定 postgres 用户可进入的目录，或设置 DATABASE_URL`,
    `Start-up failed: running as root, the postgres OS user cannot reach this installation's folders, so the embedded database goes to ${runtimeDir}, but ${reason.en}; set TAISHI_EMBEDDED_DB_DIR to a folder the postgres user can reach, or set DATABASE_URL`,
  );
}

async function ensureRuntimeDir(runtimeDir: string, account: ServiceAccount): Promise<void> {
  try {
    await mkdirTraversable(runtimeDir);
  } catch (error) {
    throw runtimeDirFailure(runtimeDir, { zh: `无法创建该目录（${systemReason(error)}）`, en: `it cannot be created (${systemReason(error)})` });
  }
  const blocked = firstBlocked(account, runtimeDir);
  if (blocked) throw runtimeDirFailure(runtimeDir, { zh: `postgres 用户无法进入 ${blocked}`, en: `the postgres user cannot pass through ${blocked}` });
}

/**
 * One line per entry of the tree, sorted: files by content and executable bit, links by target.
 * Modes beyond the executable bit are left out on purpose: the copy's modes are set by us.
 */
async function treeDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) hash.update(`${name}\0l\0${await readlink(full)}\n`);
      else if (entry.isDirectory()) await walk(full, name);
      else if (entry.isFile()) {
        const executable = ((await lstat(full)).mode & 0o111) !== 0;
        hash.update(`${name}\0f\0${executable ? 'x' : '-'}\0${createHash('sha256').update(await readFile(full)).digest('hex')}\n`);
      }
    }
  };
  await walk(root, '');
  return hash.digest('hex');
}

/** Root-owned and readable by everyone, writable by root only: the server's account may run it, not change it. */
async function settleModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await settleModes(full);
    else await chmod(full, ((await lstat(full)).mode & 0o111) !== 0 ? 0o755 : 0o644);
  }
}

/**
 * The server's binaries where the account can run them: the npm package's own when reachable;
 * otherwise a copy in `<runtimeDir>/pg-<digest>`, named by the hash of the package's files and
 * checked against that hash before it is put in place (one atomic rename, so a half copy is never
 * used). Installations with the same package share the copy.
 */
export async function reachableBinaries(packaged: Binaries, account: ServiceAccount | undefined, runtimeDir: string, log: Log): Promise<Binaries> {
  if (!account || (accountCan(account, '-x', packaged.postgres) && accountCan(account, '-x', packaged.initdb))) return packaged;
  const nativeDir = path.resolve(path.dirname(packaged.postgres), '..');
  const relocate = (to: string): Binaries => ({ postgres: path.join(to, path.relative(nativeDir, packaged.postgres)), initdb: path.join(to, path.relative(nativeDir, packaged.initdb)) });
  const digest = await treeDigest(nativeDir);
  const target = path.join(runtimeDir, `pg-${digest.slice(0, 16)}`);
  await ensureRuntimeDir(runtimeDir, account);
  if (existsSync(target)) return relocate(target);
  const staging = `${target}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await settleModes(staging);
    if ((await treeDigest(staging)) !== digest) throw new Error(`the copy in ${staging} does not match the package`);
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      // Another process put the same copy in place first.
      if (!existsSync(target)) throw error;
    });
  } catch (error) {
    throw runtimeDirFailure(runtimeDir, { zh: `复制 PostgreSQL 程序失败（${systemReason(error)}）`, en: `copying the PostgreSQL binaries there failed (${systemReason(error)})` });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log('log', `postgres 系统用户无法进入 ${nativeDir}，已将 PostgreSQL 程序复制到 ${target}（已按哈希校验）/ The postgres OS user cannot reach ${nativeDir}; PostgreSQL's binaries were copied to ${target} (hash verified)`);
  return relocate(target);
}

/**
 * The folder the cluster lives in. Without an account (not root) it is the one asked for. As root
 * it is too, when the account can reach it or a cluster is already there; otherwise the cluster
 * goes to a new folder under runtimeDir and the folder asked for becomes a link to it, so the next
 * start, the CLI and a person looking all find it.
 */
export async function placeCluster(requested: string, account: ServiceAccount | undefined, runtimeDir: string, log: Log): Promise<string> {
  if (!account) return requested;
  const parent = path.dirname(requested);
  const existing = await lstat(requested).catch(() => undefined);
  if (existing?.isSymbolicLink()) return realpath(requested).catch(async () => path.resolve(parent, await readlink(requested)));
  if (existing && (await readdir(requested)).length > 0) {
    const blocked = firstBlocked(account, requested);
    if (blocked)
      throw new StartupError(
        `启动失败：内置数据库在 ${requested}，但 postgres 系统用户无法进入 ${blocked}；请让该用户可以进入它（chmod o+x ${blocked}），或换一个 TAISHI_DATA_DIR`,
        `Start-up failed: the embedded database is in ${requested}, but the postgres OS user cannot pass through ${blocked}; let it through (chmod o+x ${blocked}), or choose another TAISHI_DATA_DIR`,
      );
    return requested;
  }
  if (!firstBlocked(account, parent)) return requested;
  // An empty folder is what an earlier start that failed here left behind.
  if (existing) await rmdir(requested);
  await ensureRuntimeDir(runtimeDir, account);
  const home = path.join(runtimeDir, `cluster-${randomBytes(6).toString('hex')}`);
  await symlink(home, requested);
  log(
    'log',
    `postgres 系统用户无法进入 ${parent}，内置数据库放在 ${home}（${requested} 是指向它的链接；TAISHI_EMBEDDED_DB_DIR 可改位置）/ ` +
      `The postgres OS user cannot reach ${parent}, so the embedded database lives in ${home} (${requested} links to it; TAISHI_EMBEDDED_DB_DIR moves it)`,
  );
  return home;
}
