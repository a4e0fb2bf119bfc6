import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLine, type NormalizedEvent, type ParseContext } from '../../src/ingest/parsing/index.js';
import type { ConformanceFamily } from './case.js';

/**
 * Parse conformance: for every family of real-world formats, the share of the ECS fields a
 * reference pipeline extracts that Taishi extracts with the same value. Families live one per
 * file in ./families; each names where its line shapes come from.
 */

const OVERALL_FLOOR = 0.95;
const context: ParseContext = { source: 'conformance', transport: 'syslog', receivedAt: new Date('2026-03-14T08:00:00Z'), timeZone: 'Asia/Shanghai' };

function valueAt(event: NormalizedEvent, dotted: string): unknown {
  let node: unknown = event;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

async function loadFamilies(): Promise<ConformanceFamily[]> {
  const dir = fileURLToPath(new URL('./families/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const families: ConformanceFamily[] = [];
  for (const file of files) {
    const module = (await import(`./families/${file.replace(/\.ts$/, '.js')}`)) as { default: ConformanceFamily };
    families.push(module.default);
  }
  return families;
}

describe('parse conformance on real-world wire formats', () => {
  it(`extracts at least ${OVERALL_FLOOR * 100}% of the reference fields over all families, and prints each family's share`, async () => {
    const families = await loadFamilies();
    expect(families.length).toBeGreaterThan(0);
    let matched = 0;
    let expected = 0;
    const rows: string[] = [];
    const misses: string[] = [];
    for (const { family, cases } of families) {
      let familyMatched = 0;
      let familyExpected = 0;
      for (const c of cases) {
        const event = parseLine(c.line, { ...context, format: c.format });
        for (const [field, want] of Object.entries(c.expected)) {
          familyExpected++;
          const got = valueAt(event, field);
          if (JSON.stringify(got) === JSON.stringify(want)) familyMatched++;
          else misses.push(`${family} | ${c.name} | ${field}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        }
      }
      matched += familyMatched;
      expected += familyExpected;
      rows.push(`${family.padEnd(28)} ${String(cases.length).padStart(4)} lines  ${familyMatched}/${familyExpected} fields  ${((100 * familyMatched) / Math.max(1, familyExpected)).toFixed(1)}%`);
    }
    rows.push(`${'overall'.padEnd(28)} ${''.padStart(10)} ${matched}/${expected} fields  ${((100 * matched) / Math.max(1, expected)).toFixed(1)}%`);
    process.stdout.write(`\nparse conformance\n${rows.join('\n')}\n${misses.length ? `misses:\n  ${misses.join('\n  ')}\n` : ''}`);
    expect(matched / expected).toBeGreaterThanOrEqual(OVERALL_FLOOR);
  });

  it('are the formats the README lists: family, an example line and the fields, one row per family', async () => {
    const families = await loadFamilies();
    const cell = (text: string) => text.replace(/\|/g, '\\|');
    const table = [
      '| Family | Example line | Fields |',
      '| --- | --- | --- |',
      ...families.map(({ family, cases }) => {
        const fields = [...new Set(cases.flatMap((c) => Object.keys(c.expected)))].filter((f) => f !== '@timestamp').sort();
        const example = cases[0].line.length > 140 ? `${cases[0].line.slice(0, 137)}...` : cases[0].line;
        return `| ${cell(family)} (${cases.length} lines) | \`${cell(example).replace(/`/g, "'")}\` | ${fields.map((f) => `\`${f}\``).join(', ')} |`;
      }),
    ].join('\n');
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const section = /<!-- formats-table:start -->\n([\s\S]*?)\n<!-- formats-table:end -->/.exec(readme)?.[1];
    if (section !== table) process.stdout.write(`\nREADME formats table should read:\n${table}\n`);
    expect(section).toBe(table);
  });
});
