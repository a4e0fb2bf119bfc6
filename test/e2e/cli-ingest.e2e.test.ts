import { spawnSync } from 'node:child_process';
import path from 'node:path';
import iconv from 'iconv-lite';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

const root = path.resolve(import.meta.dirname, '../..');
const [embedded] = testDatabaseTargets();

describe('taishi ingest FILE (file collector)', () => {
  let databaseUrl: string;
  let scratch: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase(embedded.adminUrl);
    scratch = await mkdtemp(path.join(tmpdir(), 'taishi-cli-ingest-'));
  });
  afterAll(async () => {
    await dropTestDatabase(embedded.adminUrl, databaseUrl);
    await rm(scratch, { recursive: true, force: true });
  });

  const taishi = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: scratch }, encoding: 'utf8' });
  const count = async (where = 'TRUE') => {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const n = Number((await db.query(`SELECT count(*) FROM events WHERE ${where}`)).rows[0].count);
    await db.end();
    return n;
  };

  it('backfills the loghub OpenSSH file with progress, and a replay adds nothing', async () => {
    const first = taishi('ingest', 'fixtures/loghub/OpenSSH_2k.log');
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/OpenSSH_2k\.log .*100%/);
    expect(first.stdout).toMatch(/2000 行 lines stored/);
    expect(await count()).toBe(2000);
    expect(await count(`action = 'ssh_login' AND outcome = 'failure'`)).toBeGreaterThan(100);
    expect(taishi('ingest', 'fixtures/loghub/OpenSSH_2k.log').status).toBe(0);
    expect(await count()).toBe(2000);
  });

  it('reads GBK lines, keeps garbage as raw events, and names the source', async () => {
    const file = path.join(scratch, 'mixed.log');
    await writeFile(file, Buffer.concat([iconv.encode('Nov 29 10:00:00 gw-01 sshd[1]: Failed password for root from 10.0.0.9 port 2222 ssh2\n中文告警 温度过高\n', 'gbk'), Buffer.from([0xff, 0xfe, 0x0a])]));
    const r = taishi('ingest', file, '--source', 'county-gw');
    expect(r.status).toBe(0);
    expect(await count(`doc->'event'->>'original' = '中文告警 温度过高'`)).toBe(1);
    expect(await count(`action = 'ssh_login' AND source_ip = '10.0.0.9'`)).toBe(1);
    expect(await count(`action = 'unknown' AND doc::jsonb->'tags' ? 'lossy_decode'`)).toBe(1);
  });

  it('answers a missing file or bad format with usage and exit 2', () => {
    expect(taishi('ingest', '/no/such/file.log').status).toBe(2);
    const bad = taishi('ingest', 'fixtures/loghub/OpenSSH_2k.log', '--format', 'pdf');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of/);
  });
});
