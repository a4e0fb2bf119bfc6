import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { SETTINGS } from '../../src/config/index.js';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('documentation and deployment files agree with the code', () => {
  it('the README settings table lists exactly the settings the service reads, with their defaults', async () => {
    const readme = await read('README.md');
    const rows = [...readme.matchAll(/^\| `([A-Z0-9_]+)` \| (`[^`]*`|—) \|/gm)].map((m) => [m[1], m[2] === '—' ? undefined : m[2].slice(1, -1)]);
    const expected = Object.entries(SETTINGS).map(([name, spec]) => [name, (spec as { default?: string }).default]);
    expect(rows).toEqual(expected);
  });

  it('the README opens with the start and test commands', async () => {
    const firstLines = (await read('README.md')).split('\n').slice(0, 6).join('\n');
    expect(firstLines).toMatch(/npm ci && npm start/);
    expect(firstLines).toMatch(/npm ci && npm test/);
  });

  it('docker-compose.yml parses, has the production services, and sets only settings that exist', async () => {
    const compose = parse(await read('docker-compose.yml')) as { services: Record<string, { environment?: Record<string, string> }> };
    expect(Object.keys(compose.services).sort()).toEqual(['elasticsearch', 'mailcatcher', 'postgres', 'taishi']);
    const taishiEnv = Object.keys(compose.services.taishi.environment ?? {});
    expect(taishiEnv.length).toBeGreaterThan(0);
    for (const name of taishiEnv) expect(Object.keys(SETTINGS)).toContain(name);
    expect(compose.services.taishi.environment!.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(compose.services.taishi.environment!.TAISHI_ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');
  });
});
