import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { auditKeyId, type ChainAnchor } from './chain.js';

export interface AuditKey {
  key: Buffer;
  id: string;
  /** Where the key came from, for messages. */
  source: string;
}

/**
 * The key of the chain's HMAC: TAISHI_AUDIT_KEY, or `audit.key` in the data folder, made on first
 * use with mode 0600. Kept out of the database, so that whoever can rewrite the database cannot
 * recompute the chain. The file holds text, and the key is that text: copied into
 * TAISHI_AUDIT_KEY it is the same key.
 */
export async function loadAuditKey(setting: string | undefined, dataDir: string): Promise<AuditKey> {
  if (setting) return withId(setting, 'TAISHI_AUDIT_KEY');
  const file = path.resolve(dataDir, 'audit.key');
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(randomBytes(32).toString('base64url') + '\n');
    await handle.sync();
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  }
  return withId((await readFile(file, 'utf8')).trim(), file);
}

function withId(text: string, source: string): AuditKey {
  const key = Buffer.from(text, 'utf8');
  return { key, id: auditKeyId(key), source };
}

/** The last anchor written, or undefined when there is none (or it cannot be read). */
export async function readAnchor(file: string): Promise<ChainAnchor | undefined> {
  try {
    const anchor = JSON.parse(await readFile(file, 'utf8')) as Partial<ChainAnchor>;
    return typeof anchor.id === 'string' && typeof anchor.hash === 'string' && typeof anchor.at === 'string' ? { id: anchor.id, hash: anchor.hash, at: anchor.at } : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the anchor file whole (written, synced, then renamed), so a crash leaves the old one or the new one. */
export async function writeAnchor(file: string, anchor: ChainAnchor): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(JSON.stringify(anchor) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
