import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/database/embedded-postgres.js';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';
import { startService, stopService, type Service } from '../support/service-process.js';

/**
 * The syslog listeners under abuse and bursts, on the service as it runs (its own process): one
 * sender cannot take every connection, a UDP burst is received or its loss is visible, and TCP
 * senders wait while ingest is saturated instead of losing lines.
 */
const [embedded] = testDatabaseTargets();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Setup {
  service: Service;
  databaseUrl: string;
  port: number;
  db: pg.Client;
  metric(pattern: RegExp): Promise<number | undefined>;
  stored(marker: string): Promise<number>;
  stop(): Promise<void>;
}

async function start(env: Record<string, string> = {}): Promise<Setup> {
  const databaseUrl = await createTestDatabase(embedded.adminUrl);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'taishi-syslog-'));
  const port = await freePort();
  const service = await startService({
    DATABASE_URL: databaseUrl, TAISHI_DATA_DIR: dataDir, TAISHI_ADMIN_PASSWORD: 'syslog-exposure-pw', TAISHI_METRICS_PUBLIC: 'true',
    TAISHI_SYSLOG_HOST: '127.0.0.1', TAISHI_SYSLOG_UDP_PORT: String(port), TAISHI_SYSLOG_TCP_PORT: String(port), ...env,
  });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  return {
    service, databaseUrl, port, db,
    metric: async (pattern) => {
      const match = pattern.exec(await (await fetch(`${service.baseUrl}/metrics`)).text());
      return match ? Number(match[1]) : undefined;
    },
    stored: async (marker) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE message LIKE $1`, [`%${marker}%`])).rows[0].n),
    stop: async () => {
      await db.end();
      await stopService(service);
      await dropTestDatabase(embedded.adminUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function open(port: number, localAddress: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

describe('syslog exposure', () => {
  it('one source holding 1,000 idle TCP connections does not lock out other senders', async () => {
    const setup = await start();
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < 1000; i++) {
        const socket = await open(setup.port, '127.0.0.1');
        if (socket) {
          socket.on('error', () => undefined);
          idle.push(socket);
        }
      }
      await sleep(500); // refused ones are closed by the server
      const stillOpen = idle.filter((s) => !s.destroyed && s.readyState === 'open').length;
      expect(stillOpen).toBeLessThan(1000);

      const marker = `lockout-${randomBytes(4).toString('hex')}`;
      const sender = await open(setup.port, '127.0.0.2');
      expect(sender).toBeDefined();
      sender!.end(`<38>Nov 29 10:00:00 gw01 sshd[411]: Accepted password for ops from 10.0.0.9 port 50022 ssh2 ${marker}\n`);
      for (const deadline = Date.now() + 15_000; (await setup.stored(marker)) === 0 && Date.now() < deadline; ) await sleep(200);
      expect(await setup.stored(marker)).toBe(1);
      expect(await setup.metric(/^taishi_syslog_connections_rejected_total\{transport="tcp"\} (\d+)/m)).toBeGreaterThan(0);
    } finally {
      for (const s of idle) s.destroy();
      await setup.stop();
    }
  }, 120_000);

  /** Sends 500 lines as fast as `logger` can, waits until each is stored or counted as dropped by the kernel. */
  async function burst(env: Record<string, string>): Promise<{ stored: number; drops: number | undefined }> {
    const setup = await start(env);
    const marker = `burst-${randomBytes(4).toString('hex')}`;
    const file = path.join(tmpdir(), `${marker}.log`);
    try {
      await writeFile(file, Array.from({ length: 500 }, (_, i) => `${marker} line ${i} ${'x'.repeat(150)}`).join('\n') + '\n');
      const sent = spawnSync('logger', ['--udp', '--server', '127.0.0.1', '--port', String(setup.port), '--rfc3164', '--tag', 'burst', '--file', file], { encoding: 'utf8' });
      expect(sent.status).toBe(0);
      let stored = 0;
      let drops: number | undefined;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(250)) {
        stored = await setup.stored(marker);
        drops = await setup.metric(/^taishi_syslog_udp_kernel_drops_total (\d+)/m);
        if (stored + (drops ?? 0) >= 500) break;
      }
      process.stdout.write(`UDP burst of 500 lines (${JSON.stringify(env)}): ${stored} stored, kernel drops ${drops}\n`);
      return { stored, drops };
    } finally {
      await rm(file, { force: true });
      await setup.stop();
    }
  }

  it('a 500-line UDP burst from logger is received whole with the default receive buffer', async () => {
    expect(await burst({})).toEqual({ stored: 500, drops: 0 });
  }, 60_000);

  it('what a small UDP receive buffer loses in a burst is counted in /metrics', async () => {
    // 104 KiB, doubled by Linux: the kernel's usual default (net.core.rmem_default = 212992).
    const { stored, drops } = await burst({ TAISHI_SYSLOG_UDP_BUFFER: '104kb' });
    expect(stored + drops!).toBe(500);
  }, 60_000);

  it('TCP senders are paused, not dropped, while ingest is saturated', async () => {
    const setup = await start({ TAISHI_INGEST_QUEUE_EVENTS: '1000' });
    const marker = `paused-${randomBytes(4).toString('hex')}`;
    const lock = new pg.Client({ connectionString: setup.databaseUrl });
    try {
      // The store blocks on this lock, so the writer's queue fills and stays full.
      await lock.connect();
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const total = 60_000;
      const senders = await Promise.all([open(setup.port, '127.0.0.1'), open(setup.port, '127.0.0.1')]);
      const written = senders.map((socket, s) => {
        const lines: string[] = [];
        for (let i = s; i < total; i += senders.length) lines.push(`<14>Nov 29 10:00:00 gw01 app: ${marker} ${i} ${'y'.repeat(100)}\n`);
        return new Promise<void>((resolve, reject) => socket!.end(lines.join(''), () => resolve()).once('error', reject));
      });
      await sleep(4000);
      // Nothing is read while saturated: the bytes wait in the senders' buffers.
      expect(senders.reduce((n, s) => n + s!.writableLength, 0)).toBeGreaterThan(0);
      expect(await setup.metric(/^taishi_ingest_queue_events (\d+)/m)).toBeLessThanOrEqual(1000);
      await lock.query('COMMIT');
      await Promise.all(written);
      for (const deadline = Date.now() + 120_000; (await setup.stored(marker)) < total && Date.now() < deadline; ) await sleep(500);
      expect(await setup.stored(marker)).toBe(total);
      expect(await setup.metric(/^taishi_ingest_dropped_total\{collector="syslog_tcp"\} (\d+)/m) ?? 0).toBe(0);
    } finally {
      await lock.end().catch(() => undefined);
      await setup.stop();
    }
  }, 240_000);
});
