import { existsSync } from 'node:fs';
import path from 'node:path';
import { root } from './service-process.js';

/**
 * SigmaHQ's rules and regression data are read where they are checked out, never copied into the
 * project: SIGMAHQ_DIR when set, else the development and CI machines' shared data beside the clone.
 * The tests that need them fail (not skip) when none is found, naming where they looked.
 */
export function sigmahqRepository(): string {
  const candidates = [process.env.SIGMAHQ_DIR, path.resolve(root, '../shared/data/sigmahq'), path.resolve(root, '../../shared/data/sigmahq'), '/work/shared/data/sigmahq']
    .filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(path.join(c, 'rules')));
  if (!found) throw new Error(`SigmaHQ repository not found (looked in ${candidates.join(', ')}); set SIGMAHQ_DIR to a checkout of SigmaHQ/sigma`);
  return found;
}
