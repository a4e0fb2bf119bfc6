import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StartupError, systemReason } from './startup-error.js';

/** Creates the data folder if needed and makes sure this process may write in it; one line naming TAISHI_DATA_DIR if not. */
export async function ensureDataDir(dir: string): Promise<string> {
  const resolved = path.resolve(dir);
  try {
    await mkdir(resolved, { recursive: true });
    if (!(await stat(resolved)).isDirectory()) throw Object.assign(new Error('ENOTDIR: not a directory'), { code: 'ENOTDIR' });
    await access(resolved, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new StartupError(
      `启动失败：数据目录 ${resolved} 不可用（${systemReason(error)}）；请用 TAISHI_DATA_DIR 指定本用户可读写的目录，或修改该目录的权限`,
      `Start-up failed: the data folder ${resolved} cannot be used (${systemReason(error)}); point TAISHI_DATA_DIR at a folder this user may read and write, or change its permissions`,
    );
  }
  return resolved;
}
