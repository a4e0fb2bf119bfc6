import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import iconv from 'iconv-lite';
import { freePort } from '../../src/database/embedded-postgres.js';
import { testDatabaseTargets } from '../support/databases.js';
import { listDepartments, seedUsers, startTestApp, type TestApp } from '../support/app.js';

const [embedded] = testDatabaseTargets();

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('syslog collector end to end', () => {
  let app: TestApp;
  let admin: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    app = await startTestApp(embedded.adminUrl, { TAISHI_SYSLOG_HOST: '127.0.0.1', TAISHI_SYSLOG_UDP_PORT: String(port), TAISHI_SYSLOG_TCP_PORT: String(port) });
    admin = (await seedUsers(app)).admin;
    await listDepartments(app, admin, '信息中心');
    await app.call('POST', '/api/assets', { token: admin, body: { name: '边界防火墙', type: 'network_device', department: '信息中心', addresses: ['fw01', '10.0.0.1'] } });
  });
  afterAll(() => app.stop());

  const find = (q: string, expected: number) =>
    eventually(async () => {
      const events = (await app.call('GET', `/api/events?limit=100&q=${encodeURIComponent(q)}`, { token: admin })).body.events;
      return events.length === expected ? events : undefined;
    });

  it('receives RFC 3164 over UDP, including GBK, and attributes it to the asset the line names', async () => {
    const socket = createSocket('udp4');
    const send = (payload: Buffer) => new Promise<void>((resolve, reject) => socket.send(payload, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    await send(Buffer.from('<38>Nov 29 10:00:00 fw01 sshd[411]: Failed password for root from 203.0.113.7 port 50022 ssh2'));
    await send(iconv.encode('<14>Nov 29 10:00:01 fw01 app[1]: 用户 李四 越权访问 udp-gbk', 'gbk'));
    socket.close();
    const [failed] = await find('203.0.113.7', 1);
    expect(failed).toMatchObject({ event: { action: 'ssh_login', outcome: 'failure' }, source: { ip: '203.0.113.7' }, host: { name: 'fw01' }, taishi: { department: '信息中心' } });
    const [gbk] = await find('越权访问 udp-gbk', 1);
    expect(gbk.tags).toContain('gb18030');
  });

  it('receives RFC 5424 over TCP with newline framing and octet counting on one connection', async () => {
    const line = '<165>1 2026-11-29T10:00:02+08:00 portal01 nginx 77 - - tcp-newline-framed';
    const counted = '<165>1 2026-11-29T10:00:03+08:00 portal01 nginx 77 - - tcp-octet-counted with\nnewline inside';
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`${line}\n${Buffer.byteLength(counted)} ${counted}`);
    socket.write(Buffer.concat([iconv.encode('<14>Nov 29 10:00:04 portal01 app: 身份证查询 tcp-gbk', 'gbk'), Buffer.from('\n')]));
    socket.end();
    await find('tcp-newline-framed', 1);
    const [octet] = await find('tcp-octet-counted', 1);
    expect(octet.message).toContain('newline inside');
    await find('tcp-gbk', 1);
    const metrics = (await app.call('GET', '/metrics', { token: admin })).body as string;
    expect(metrics).toMatch(/taishi_ingest_received_total\{collector="syslog_udp"\} 2/);
    expect(metrics).toMatch(/taishi_ingest_received_total\{collector="syslog_tcp"\} 3/);
  });
});
