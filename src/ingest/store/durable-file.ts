import { open, rename } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that it exists whole or not at all, whatever moment the process dies or the
 * power goes: to a temporary name, fsynced, renamed over the target, and the rename fsynced.
 */
export async function writeFileWhole(file: string, body: Buffer | string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync(); // the rename itself must survive a power cut
  } finally {
    await dir.close();
  }
}
