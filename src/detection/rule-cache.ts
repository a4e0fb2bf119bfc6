import { createHash, randomUUID } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeYaml, encodeYaml, MalformedEncodingError, parseYamlDocuments, type YamlDocuments } from './sigma/index.js';

/**
 * The parsed YAML of rule files, kept between loads: YAML parsing is the largest part of loading
 * thousands of rules, and reading its result back as JSON is several times cheaper. An entry is
 * found by the SHA-1 of the file's text, so an edited file is parsed afresh and a stale entry can
 * never be used; one that does not decode is parsed afresh too. Only the YAML layer is kept: every
 * Sigma check and the compilation still run on each load, so a change to them needs no new cache.
 */

/** Bump when the encoding or what parseYamlDocuments answers changes. */
const FORMAT = 1;
/**
 * Each set of rule paths has its own file, and tests and rule checks load from folders that come
 * and go: files not used for this long are removed when another is written, and the folder never
 * keeps more than MAX_FILES, the longest unused going first.
 */
const UNUSED_FOR_MS = 30 * 86_400_000;
const MAX_FILES = 100;
/** A file read is marked used (its modification time) at most this often. */
const MARK_USED_EVERY_MS = 86_400_000;
const YAML_VERSION = (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;

/** TAISHI_RULE_CACHE: a folder, `off`, or unset (a folder of this OS user under the system's temporary folder). */
export function ruleCacheDir(setting: string | undefined): string | undefined {
  if (setting === 'off') return undefined;
  return setting ?? join(tmpdir(), `taishi-rule-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * A folder only this OS user can write to: anyone else able to plant a cache file could change
 * what the rules detect.
 */
function privateFolder(dir: string): boolean {
  const st = statSync(dir);
  const uid = process.getuid?.();
  return st.isDirectory() && (uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0));
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export class RuleFileCache {
  private readonly stored = new Map<string, unknown>();
  private readonly used = new Map<string, unknown>();
  private changed = false;

  private constructor(private readonly file: string | undefined) {}

  /**
   * The cache of one set of rule paths in `dir` (its own file, so loads of different folders do
   * not evict each other). Unreadable, foreign or malformed, it starts empty; no cache without `dir`.
   */
  static open(dir: string | undefined, rulePaths: readonly string[]): RuleFileCache {
    if (!dir) return new RuleFileCache(undefined);
    const cache = new RuleFileCache(join(dir, `${sha1(JSON.stringify(rulePaths.map((p) => resolve(p))))}.json`));
    try {
      const st = lstatSync(cache.file!);
      if (!st.isFile() || !privateFolder(dir) || (process.getuid && st.uid !== process.getuid())) return cache;
      const data = JSON.parse(readFileSync(cache.file!, 'utf8')) as { format?: unknown; yaml?: unknown; entries?: unknown };
      if (data?.format !== FORMAT || data.yaml !== YAML_VERSION || typeof data.entries !== 'object' || data.entries === null) return cache;
      for (const [key, value] of Object.entries(data.entries)) if (/^[0-9a-f]{40}$/.test(key)) cache.stored.set(key, value);
      const now = Date.now();
      if (now - st.mtimeMs > MARK_USED_EVERY_MS) utimesSync(cache.file!, now / 1000, now / 1000);
    } catch {
      // No cache yet, or one that cannot be read: every file is parsed.
    }
    return cache;
  }

  /** The YAML documents of a file's text, from the cache when it holds this very text. */
  documents(text: string, file: string): YamlDocuments {
    if (!this.file) return parseYamlDocuments(text, file);
    const key = sha1(text);
    const entry = this.used.get(key) ?? this.stored.get(key);
    if (entry !== undefined) {
      try {
        const docs = decodeYaml(entry, file);
        this.used.set(key, entry);
        return docs;
      } catch (e) {
        if (!(e instanceof MalformedEncodingError)) throw e;
      }
    }
    const docs = parseYamlDocuments(text, file);
    this.used.set(key, encodeYaml(docs));
    this.changed = true;
    return docs;
  }

  /**
   * Writes the entries this load used, when they differ from what was read (entries of files gone
   * or edited are dropped). Through a temporary file and a rename, so a concurrent load reads the
   * old cache or the new one, never half of one. A cache that cannot be written is no error.
   */
  save(): void {
    if (!this.file || (!this.changed && this.used.size === this.stored.size)) return;
    const dir = join(this.file, '..');
    const partial = `${this.file}.${process.pid}.${randomUUID()}.partial`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!privateFolder(dir)) return;
      writeFileSync(partial, JSON.stringify({ format: FORMAT, yaml: YAML_VERSION, entries: Object.fromEntries(this.used) }), { mode: 0o600 });
      renameSync(partial, this.file);
      removeUnused(dir);
    } catch {
      rmSync(partial, { force: true });
    }
  }
}

/** Cache files (and partial writes a killed load left) unused for a month, and the longest unused beyond MAX_FILES. */
function removeUnused(dir: string): void {
  const files = readdirSync(dir)
    .filter((name) => /^[0-9a-f]{40}\.json(\..+\.partial)?$/.test(name))
    .map((name) => ({ path: join(dir, name), usedMs: lstatSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.usedMs - a.usedMs);
  const now = Date.now();
  files.forEach((f, i) => {
    if (i >= MAX_FILES || now - f.usedMs > UNUSED_FOR_MS) rmSync(f.path, { force: true });
  });
}
