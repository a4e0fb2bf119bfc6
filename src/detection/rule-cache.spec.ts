import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLogsourceMapping } from './logsources.js';
import { loadPlaceholders, loadRulePack, runRuleExamples, type RulePack } from './rule-pack.js';
import { decodeYaml, encodeYaml, parseYamlDocuments, SigmaLimitError } from './sigma/index.js';
import type { ParseContext } from '../ingest/parsing/index.js';

const root = process.cwd();
const mapping = loadLogsourceMapping(readFileSync(join(root, 'rules/logsources.yml'), 'utf8'));
const placeholders = loadPlaceholders(readFileSync(join(root, 'rules/placeholders.yml'), 'utf8'));
const context: ParseContext = { source: 'test', transport: 'file', receivedAt: new Date('2024-06-01T04:00:00Z'), timeZone: 'Asia/Shanghai' };

/** What a load decides: every rule with what its compilation derived, dormancy, every message. */
function outcome(pack: RulePack) {
  return {
    rules: pack.rules.map((r) => ({ file: r.rule.file, id: r.rule.id, title: r.rule.title, logsource: r.logsource.key, hints: r.compiled.hintClauses?.map((clause) => clause.map((h) => `${h.access?.paths.join('|') ?? '*'}:${h.needle}`)), required: r.compiled.requiredValues?.keys })),
    dormant: pack.dormant.map((d) => ({ id: d.rule.id, reason: d.reason })),
    correlations: pack.correlations.map((c) => c.id),
    errors: pack.errors,
    warnings: pack.warnings,
    invalid: pack.invalid,
  };
}

describe('rule file cache', () => {
  let dir: string;
  let rules: string;
  let cache: string;
  const load = (cacheDir: string | undefined = cache) => loadRulePack(rules, mapping, placeholders, dir, cacheDir);
  const cacheFile = () => {
    const files = readdirSync(cache);
    expect(files).toHaveLength(1);
    return join(cache, files[0]);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'taishi-rule-cache-'));
    rules = join(dir, 'rules');
    cache = join(dir, 'cache');
    cpSync(join(root, 'rules/detection'), rules, { recursive: true });
    // one file with problems, so errors and warnings come from the cache too
    writeFileSync(join(rules, 'broken.yml'), "title: broken\nid: 00000000-0000-4000-8000-0000000000b1\nlogsource: { product: linux }\ndetection:\n  sel: { message|contians: x }\n  condition: sel\n---\n: [\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a warm load the rules a load without a cache gives, and their examples still pass', () => {
    const uncached = outcome(load(undefined));
    expect(uncached.errors.length).toBeGreaterThan(0);
    const cold = load();
    const mode = statSync(cacheFile()).mode;
    const warm = load();
    expect(outcome(cold)).toEqual(uncached);
    expect(outcome(warm)).toEqual(uncached);
    expect(warm.rules.flatMap((r) => runRuleExamples(r, context))).toEqual([]);
    expect(mode & 0o077).toBe(0);
  });

  it('reads a file from the cache when it holds that very text, and parses an edited file afresh', () => {
    load();
    const file = join(rules, 'database/database.yml');
    const text = readFileSync(file, 'utf8');
    const title = /^title: (.*)$/m.exec(text)![1];
    // The cached form of this text says another title: a load that shows it read the cache.
    const data = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { entries: Record<string, unknown> };
    const marked = JSON.stringify(data).replaceAll(JSON.stringify(title), JSON.stringify('from the cache'));
    writeFileSync(cacheFile(), marked);
    expect(load().rules.map((r) => r.rule.title)).toContain('from the cache');

    writeFileSync(file, text.replace(`title: ${title}`, 'title: edited since'));
    const titles = load().rules.map((r) => r.rule.title);
    expect(titles).toContain('edited since');
    expect(titles).not.toContain('from the cache');
    // the entry of the old text is dropped
    expect(readFileSync(cacheFile(), 'utf8')).not.toContain('from the cache');
  });

  it('ignores a corrupt cache file or entry and writes a good one in its place', () => {
    const expected = outcome(load(undefined));
    load();
    const good = readFileSync(cacheFile(), 'utf8');
    writeFileSync(cacheFile(), good.slice(0, good.length / 2));
    expect(outcome(load())).toEqual(expected);
    expect(readFileSync(cacheFile(), 'utf8')).toBe(good);

    const data = JSON.parse(good) as { entries: Record<string, unknown> };
    for (const key of Object.keys(data.entries)) data.entries[key] = { m: 'not a map' };
    writeFileSync(cacheFile(), JSON.stringify(data));
    expect(outcome(load())).toEqual(expected);
    expect(readFileSync(cacheFile(), 'utf8')).toBe(good);
  });

  it('removes cache files unused for a month when it writes one, keeps the others, and marks the one it read as used', () => {
    load();
    const mine = cacheFile();
    const day = 86_400_000;
    const age = (path: string, days: number) => utimesSync(path, (Date.now() - days * day) / 1000, (Date.now() - days * day) / 1000);
    const other = (name: string, days: number) => {
      const path = join(cache, name);
      writeFileSync(path, '{}');
      age(path, days);
      return name;
    };
    const stale = other('a'.repeat(40) + '.json', 31);
    const killedWrite = other('b'.repeat(40) + '.json.123.0f.partial', 40);
    const recent = other('c'.repeat(40) + '.json', 29);
    const notOurs = other('notes.txt', 365);
    // Read, not written (nothing changed): nothing is removed, but the file counts as used today.
    age(mine, 45);
    load();
    expect(readdirSync(cache).sort()).toEqual([stale, killedWrite, recent, notOurs, mine.slice(cache.length + 1)].sort());
    expect(Date.now() - statSync(mine).mtimeMs).toBeLessThan(day);

    // A load of another folder writes its own file and clears out the month-old ones.
    rules = join(dir, 'rules', 'linux');
    load();
    const left = readdirSync(cache);
    expect(left).toHaveLength(4);
    expect(left).toEqual(expect.arrayContaining([recent, notOurs, mine.slice(cache.length + 1)]));
    expect(left).not.toContain(stale);
    expect(left).not.toContain(killedWrite);
  });

  it('neither reads nor writes a cache in a folder others may write to', () => {
    load();
    writeFileSync(cacheFile(), readFileSync(cacheFile(), 'utf8').replaceAll('"sel"', '"planted"'));
    chmodSync(cache, 0o777);
    expect(load().errors).toEqual(load(undefined).errors);
    expect(readFileSync(cacheFile(), 'utf8')).toContain('"planted"');
  });

  it('encodes parsed YAML so that it decodes to the same documents and errors', () => {
    const text = [
      "a: 'quoted'\nb: \"dq \\x41\"\nc: .nan\nd: -.inf\ne: -0\nf: ~\ng:\nh: [1, 0x10, true, null]\ni: |\n  two\n  lines\n'': x\n",
      '---\n',
      '- &x { k: v }\n- *x\n',
      '---\n',
      'k: [unclosed\n',
    ].join('');
    const parsed = parseYamlDocuments(text, 'f.yml');
    const decoded = decodeYaml(JSON.parse(JSON.stringify(encodeYaml(parsed))), 'f.yml');
    expect(decoded.docs).toEqual(parsed.docs);
    expect(Object.is((decoded.docs[0].root as { entries: { value: { value: unknown } }[] }).entries[4].value.value, -0)).toBe(true);
    expect(decoded.errors.map(String)).toEqual(parsed.errors.map(String));
    expect(parsed.errors.length).toBeGreaterThan(0);
    const bomb = parseYamlDocuments(`a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 6 }, (_, i) => `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(10).fill(i ? `*${'b'.repeat(i)}` : '*a').join(', ')}]`).join('\n')}\n`, 'bomb.yml');
    expect(bomb.errors[0]).toBeInstanceOf(SigmaLimitError);
    expect(decodeYaml(JSON.parse(JSON.stringify(encodeYaml(bomb))), 'bomb.yml').errors[0]).toBeInstanceOf(SigmaLimitError);
  });
});
