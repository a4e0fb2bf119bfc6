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
    // Compose reads YAML merge keys (the second instance repeats the first's settings through one).
    const compose = parse(await read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
      configs: Record<string, { content: string }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['balancer', 'elasticsearch', 'mailcatcher', 'postgres', 'taishi', 'taishi-2']);
    for (const instance of ['taishi', 'taishi-2']) {
      const env = compose.services[instance].environment ?? {};
      expect(Object.keys(env).length).toBeGreaterThan(0);
      for (const name of Object.keys(env)) expect(Object.keys(SETTINGS)).toContain(name);
      expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(env.TAISHI_ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');
      expect(env.TAISHI_AUDIT_KEY).toMatch(/TAISHI_AUDIT_KEY/);
    }
    // Each instance keeps its own spool.
    expect(compose.services.taishi.volumes).not.toEqual(compose.services['taishi-2'].volumes);
    // The balancer spreads HTTP and keeps each device's syslog on one instance.
    const balancer = compose.configs.balancer.content;
    for (const upstream of ['taishi:3000', 'taishi-2:3000', 'taishi:5514', 'taishi-2:5514']) expect(balancer).toContain(`server ${upstream};`);
    expect(balancer).toMatch(/hash \$\$remote_addr consistent/);
  });
});
