import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import iconv from 'iconv-lite';
import { SyslogServer, type SyslogMessage, type SyslogServerOptions, type SyslogSink } from './index.js';
import { sourceOf } from './server.js';

const HOST = '127.0.0.1';

/** Records every batch; saturation is switched by the test. */
class TestSink implements SyslogSink {
  readonly messages: SyslogMessage[] = [];
  batches = 0;
  full = false;
  private readonly drainListeners: Array<() => void> = [];

  deliver(messages: SyslogMessage[]): void {
    this.batches++;
    for (const message of messages) this.messages.push(message);
  }

  saturated(): boolean {
    return this.full;
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  drain(): void {
    this.full = false;
    for (const listener of this.drainListeners) listener();
  }

  texts(): string[] {
    return this.messages.map((m) => m.bytes.toString('latin1'));
  }
}

const running: SyslogServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function startServer(sink: SyslogSink, options: SyslogServerOptions = {}) {
  const server = new SyslogServer(sink, { host: HOST, udpPort: 0, tcpPort: 0, ...options });
  running.push(server);
  const ports = await server.start();
  return { server, ports };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

/** Connects, writes, half-closes, and waits for the server to close its side too. */
async function sendTcp(port: number, ...writes: Array<string | Buffer>): Promise<void> {
  const socket = await connect(port);
  socket.on('error', () => undefined);
  for (const data of writes) socket.write(data);
  socket.end();
  await closed(socket);
}

async function sendUdp(port: number, datagrams: Array<string | Buffer>): Promise<number> {
  const client = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => client.bind(0, HOST, resolve));
  // in small paced groups: the receiver shares this event loop and the kernel buffer is finite
  for (let i = 0; i < datagrams.length; i += 50) {
    await Promise.all(
      datagrams.slice(i, i + 50).map((d) => new Promise((resolve) => client.send(d, port, HOST, resolve))),
    );
    await sleep(1);
  }
  const clientPort = client.address().port;
  client.close();
  return clientPort;
}

/**
 * Writes until the socket stays blocked: no 'drain' for 300 ms means the kernel buffers on both
 * ends are full and nothing is being read. Returns how many messages were written.
 */
async function writeUntilBlocked(socket: net.Socket, from: number): Promise<number> {
  let next = from;
  while (next < from + 2_000_000) {
    const ok = socket.write(numbered(500, next).join('\n') + '\n');
    next += 500;
    if (!ok) {
      const drained = await Promise.race([
        new Promise((resolve) => socket.once('drain', () => resolve(true))),
        sleep(300).then(() => false),
      ]);
      if (!drained) return next;
    }
  }
  throw new Error('the receiver never stopped reading');
}

/** A throwaway self-signed certificate for 127.0.0.1, made with the openssl command line. */
function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}

const numbered = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `<13>seq ${from + i} ${'x'.repeat(60)}`);

describe('SyslogServer over UDP', () => {
  it('delivers one datagram as one message, with its origin', async () => {
    const sink = new TestSink();
    const { ports } = await startServer(sink, { tcpPort: false });
    const clientPort = await sendUdp(ports.udp!, ['<13>Jan  5 10:00:00 host app: hello\n']);
    await waitFor('message', () => sink.messages.length === 1);
    const [message] = sink.messages;
    expect(message!.bytes.toString()).toBe('<13>Jan  5 10:00:00 host app: hello');
    expect(message).toMatchObject({ peer: HOST, peerPort: clientPort, transport: 'udp', truncated: false, listener: `udp:${ports.udp}` });
    expect(message!.receivedAt).toBeInstanceOf(Date);
    expect(ports.tcp).toBeUndefined();
  });

  it('delivers many datagrams in batches', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { tcpPort: false });
    const lines = numbered(2000);
    // group by group, so a busy test machine cannot overflow the kernel's receive buffer
    for (let i = 0; i < lines.length; i += 100) {
      await sendUdp(ports.udp!, lines.slice(i, i + 100));
      await waitFor(`${i + 100} messages`, () => sink.messages.length === i + 100);
    }
    expect(sink.texts()).toEqual(lines);
    expect(sink.batches).toBeLessThan(2000);
    expect(server.counters.udp).toMatchObject({ received: 2000, bytes: lines.join('').length, dropped: 0 });
  });

  it('strips one trailer, cuts oversize datagrams and flags them, and counts empty ones', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { tcpPort: false, maxMessageBytes: 100 });
    await sendUdp(ports.udp!, ['<1>crlf\r\n', '<2>nul\0', '<3>two\n\n', 'A'.repeat(300) + '\n', '', '\n']);
    await waitFor('4 messages', () => sink.messages.length === 4);
    await waitFor('2 framing errors', () => server.counters.udp.framingErrors === 2);
    expect(sink.texts()).toEqual(['<1>crlf', '<2>nul', '<3>two\n', 'A'.repeat(100)]);
    expect(sink.messages.map((m) => m.truncated)).toEqual([false, false, false, true]);
    expect(server.counters.udp.truncated).toBe(1);
  });

  it('drops and counts datagrams while the sink is saturated, and delivers again after drain', async () => {
    const sink = new TestSink();
    sink.full = true;
    const { server, ports } = await startServer(sink, { tcpPort: false });
    await sendUdp(ports.udp!, numbered(20));
    await waitFor('20 drops', () => server.counters.udp.dropped === 20);
    expect(sink.messages).toEqual([]);
    sink.drain();
    await sendUdp(ports.udp!, ['<13>after']);
    await waitFor('message after drain', () => sink.messages.length === 1);
    expect(sink.texts()).toEqual(['<13>after']);
  });
});

describe('SyslogServer over TCP', () => {
  it('frames LF, CRLF, NUL and octet-counted messages mixed on one connection', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false });
    const socket = await connect(ports.tcp!);
    const clientPort = socket.localPort;
    const octet = (text: string) => `${Buffer.byteLength(text)} ${text}`;
    socket.end(`<1>lf\n<2>crlf\r\n${octet('<3>octet\nwith LF')}<4>nul\x00\n\n${octet('<5>counted')}<6>last\n`);
    await closed(socket);
    await waitFor('6 messages', () => sink.messages.length === 6);
    expect(sink.texts()).toEqual(['<1>lf', '<2>crlf', '<3>octet\nwith LF', '<4>nul', '<5>counted', '<6>last']);
    expect(sink.messages[0]).toMatchObject({ peer: HOST, peerPort: clientPort, transport: 'tcp', truncated: false, listener: `tcp:${ports.tcp}` });
    await waitFor('connection closed', () => server.counters.tcp.connectionsOpen === 0);
    expect(server.counters.tcp).toMatchObject({ received: 6, truncated: 0, framingErrors: 0 });
  });

  it('reassembles messages split across writes at every byte boundary', async () => {
    const sink = new TestSink();
    const { ports } = await startServer(sink, { udpPort: false });
    const sample = Buffer.from('8 <1>octet<2>line\r\n<3>end\n');
    const socket = await connect(ports.tcp!);
    for (let cut = 1; cut < sample.length; cut++) {
      socket.write(sample.subarray(0, cut));
      // lets the first part arrive on its own, so the server sees the split
      await sleep(2);
      socket.write(sample.subarray(cut));
    }
    socket.end();
    await closed(socket);
    const expected = Array.from({ length: sample.length - 1 }, () => ['<1>octet', '<2>line', '<3>end']).flat();
    await waitFor('all messages', () => sink.messages.length === expected.length);
    expect(sink.texts()).toEqual(expected);
  });

  it('delivers batches, not one call per message', async () => {
    const sink = new TestSink();
    const { ports } = await startServer(sink, { udpPort: false, batchSize: 500 });
    const lines = numbered(5000);
    await sendTcp(ports.tcp!, lines.join('\n') + '\n');
    await waitFor('5000 messages', () => sink.messages.length === 5000);
    expect(sink.texts()).toEqual(lines);
    expect(sink.batches).toBeLessThanOrEqual(50);
  });

  it('cuts frames longer than maxMessageBytes and keeps the following messages intact', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, maxMessageBytes: 1000 });
    const big = 'B'.repeat(5000);
    await sendTcp(ports.tcp!, `<1>before\n5000 ${big}<2>after octet\n<3>${big}\n<4>after line\n`);
    await waitFor('5 messages', () => sink.messages.length === 5);
    expect(sink.texts()).toEqual(['<1>before', 'B'.repeat(1000), '<2>after octet', `<3>${'B'.repeat(997)}`, '<4>after line']);
    expect(sink.messages.map((m) => m.truncated)).toEqual([false, true, false, true, false]);
    expect(server.counters.tcp.truncated).toBe(2);
  });

  it('holds no more than about maxMessageBytes for a huge line without a newline', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, maxMessageBytes: 1024 });
    const socket = await connect(ports.tcp!);
    const chunk = Buffer.alloc(64 * 1024, 'h');
    let mostBuffered = 0;
    for (let i = 0; i < 512; i++) {
      // 32 MiB in all, written as fast as the server reads
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
      mostBuffered = Math.max(mostBuffered, server.counters.tcp.bufferedBytes);
    }
    socket.end('\n<2>next\n');
    await closed(socket);
    await waitFor('2 messages', () => sink.messages.length === 2);
    expect(mostBuffered).toBeLessThanOrEqual(1025);
    expect(sink.texts()).toEqual(['h'.repeat(1024), '<2>next']);
    expect(sink.messages[0]!.truncated).toBe(true);
  });

  it('delivers a final unterminated line when the sender closes', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false });
    await sendTcp(ports.tcp!, '<1>first\n<2>unterminated');
    await waitFor('2 messages', () => sink.messages.length === 2);
    expect(sink.texts()).toEqual(['<1>first', '<2>unterminated']);
    await sendTcp(ports.tcp!, '30 <3>cut short');
    await waitFor('3 messages', () => sink.messages.length === 3);
    expect(sink.messages[2]).toMatchObject({ truncated: true });
    expect(server.counters.tcp.framingErrors).toBe(1);
  });

  it('closes idle connections, delivering what they sent', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, idleTimeoutMs: 150 });
    const socket = await connect(ports.tcp!);
    socket.write('<1>no newline yet');
    await closed(socket);
    await waitFor('message', () => sink.messages.length === 1);
    expect(sink.texts()).toEqual(['<1>no newline yet']);
    await waitFor('connection count', () => server.counters.tcp.connectionsOpen === 0);
  });

  it('refuses connections beyond maxConnections and counts them', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, maxConnections: 2 });
    const first = await connect(ports.tcp!);
    const second = await connect(ports.tcp!);
    await waitFor('2 open', () => server.counters.tcp.connectionsOpen === 2);
    const third = await connect(ports.tcp!);
    third.on('error', () => undefined);
    third.write('<1>refused\n');
    await closed(third);
    await waitFor('rejection counted', () => server.counters.tcp.rejected === 1);
    first.end('<2>first\n');
    second.end('<3>second\n');
    await Promise.all([closed(first), closed(second)]);
    await waitFor('2 messages', () => sink.messages.length === 2);
    expect(sink.texts().sort()).toEqual(['<2>first', '<3>second']);
    await waitFor('0 open', () => server.counters.tcp.connectionsOpen === 0);
    await sendTcp(ports.tcp!, '<4>room again\n');
    await waitFor('3 messages', () => sink.messages.length === 3);
  });

  it('caps connections per source, so one sender cannot take every slot', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, maxConnections: 10, maxConnectionsPerSource: 2 });
    const from = (localAddress: string) =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect({ host: HOST, port: ports.tcp!, localAddress }, () => resolve(socket));
        socket.once('error', reject);
      });
    const held = [await from('127.0.0.1'), await from('127.0.0.1')];
    await waitFor('2 open', () => server.counters.tcp.connectionsOpen === 2);
    const third = await from('127.0.0.1');
    third.on('error', () => undefined);
    await closed(third);
    expect(server.counters.tcp.rejected).toBe(1);
    const other = await from('127.0.0.2');
    other.end('<5>another sender\n');
    await waitFor('message', () => sink.messages.length === 1);
    expect(sink.messages[0]).toMatchObject({ peer: '127.0.0.2' });
    for (const socket of held) socket.destroy();
    await waitFor('0 open', () => server.counters.tcp.connectionsOpen === 0);
  });

  it('counts an IPv6 /64 as one source and IPv4 addresses one by one', () => {
    expect(sourceOf('2001:db8:1:2::10')).toBe(sourceOf('2001:db8:1:2:ffff::1'));
    expect(sourceOf('2001:db8:1:3::10')).not.toBe(sourceOf('2001:db8:1:2::10'));
    expect(sourceOf('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(sourceOf('10.0.0.2')).not.toBe(sourceOf('10.0.0.1'));
  });

  it('survives garbage and resets and keeps serving', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { maxMessageBytes: 256 });
    let seed = 1;
    const garbage = Buffer.alloc(200_000);
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      garbage[i] = seed >> 16;
    }
    await sendTcp(ports.tcp!, garbage);
    await sendUdp(ports.udp!, [garbage.subarray(0, 60_000), garbage.subarray(0, 1), Buffer.alloc(3)]);
    const reset = await connect(ports.tcp!);
    reset.write('5000 partial frame');
    await sleep(20);
    reset.resetAndDestroy();
    await waitFor('reset seen', () => server.counters.tcp.connectionsOpen === 0);
    sink.messages.length = 0;
    await sendTcp(ports.tcp!, '<1>still fine\n');
    await sendUdp(ports.udp!, ['<2>still fine']);
    // A garbage datagram may still be on its way when the sink is cleared, so wait for the two
    // messages by their text rather than by a count.
    const fine = () => sink.texts().filter((t) => t.endsWith('still fine')).sort();
    await waitFor('2 messages', () => fine().length === 2);
    expect(fine()).toEqual(['<1>still fine', '<2>still fine']);
    expect(Math.max(...sink.messages.map((m) => m.bytes.length))).toBeLessThanOrEqual(256);
  });
});

describe('SyslogServer backpressure', () => {
  it('stops reading a TCP sender while the sink is saturated and loses nothing', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false });
    const socket = await connect(ports.tcp!);
    const head = numbered(10);
    socket.write(head.join('\n') + '\n');
    await waitFor('first messages', () => sink.messages.length === 10);

    sink.full = true;
    let next = await writeUntilBlocked(socket, 10);
    const stuck = socket.writableLength;
    expect(stuck).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) socket.write(numbered(500, next + i * 500).join('\n') + '\n');
    next += 2500;
    await sleep(100);
    expect(socket.writableLength).toBeGreaterThan(stuck);
    expect(sink.messages.length).toBe(10);

    sink.drain();
    socket.end();
    await waitFor(`${next} messages`, () => sink.messages.length === next, 30_000);
    const seqs = sink.texts().map((t) => Number(t.split(' ')[1]));
    expect(seqs).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(server.counters.tcp.dropped).toBe(0);
  });

  it('pauses and resumes repeatedly against a queue with water marks, in order and without loss', async () => {
    // a sink like the real pipeline's: a queue with water marks, drained by a consumer slower than the network
    const queue: SyslogMessage[] = [];
    const consumed: string[] = [];
    const drainListeners: Array<() => void> = [];
    let saturations = 0;
    let above = false;
    const sink: SyslogSink = {
      deliver: (messages) => {
        queue.push(...messages);
        if (queue.length > 5000 && !above) {
          above = true;
          saturations++;
        }
      },
      saturated: () => above,
      onDrain: (listener) => drainListeners.push(listener),
    };
    const consumer = setInterval(() => {
      for (const m of queue.splice(0, 2000)) consumed.push(m.bytes.toString('latin1'));
      if (above && queue.length < 1000) {
        above = false;
        for (const listener of drainListeners) listener();
      }
    }, 5);
    try {
      const { ports } = await startServer(sink, { udpPort: false });
      const socket = await connect(ports.tcp!);
      const total = 200_000;
      for (let i = 0; i < total; i += 1000) {
        if (!socket.write(numbered(1000, i).join('\n') + '\n')) await new Promise((resolve) => socket.once('drain', resolve));
      }
      socket.end();
      await waitFor('everything consumed', () => consumed.length === total, 60_000);
      const seqs = consumed.map((t) => Number(t.split(' ')[1]));
      expect(seqs.every((seq, i) => seq === i)).toBe(true);
      expect(saturations).toBeGreaterThan(0);
    } finally {
      clearInterval(consumer);
    }
  });
});

describe('SyslogServer with an allow-list', () => {
  it('refuses TCP connections and UDP datagrams from outside the list and counts them', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { allow: ['10.0.0.0/8'] });
    const socket = await connect(ports.tcp!);
    socket.on('error', () => undefined);
    socket.write('<1>should not pass\n');
    await closed(socket);
    await sendUdp(ports.udp!, ['<2>should not pass']);
    await waitFor('refusals counted', () => server.counters.tcp.refused === 1 && server.counters.udp.refused === 1);
    await sleep(20);
    expect(sink.messages).toEqual([]);
    expect(server.counters.tcp.connectionsOpen).toBe(0);
  });

  it('accepts senders inside the list', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { allow: ['10.0.0.0/8', '127.0.0.0/8'] });
    await sendTcp(ports.tcp!, '<1>tcp ok\n');
    await sendUdp(ports.udp!, ['<2>udp ok']);
    await waitFor('2 messages', () => sink.messages.length === 2);
    expect(sink.texts().sort()).toEqual(['<1>tcp ok', '<2>udp ok']);
    expect(server.counters.tcp.refused + server.counters.udp.refused).toBe(0);
  });
});

describe('SyslogServer over TLS', () => {
  let dir: string;
  let certFile: string;
  let keyFile: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'taishi-syslog-tls-'));
    ({ certFile, keyFile } = makeCertificate(dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function connectTls(port: number): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: HOST, port, ca: readFileSync(certFile) }, () => resolve(socket));
      socket.once('error', reject);
    });
  }

  it('frames octet-counted and newline messages over a verified TLS connection', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, tcpPort: false, tlsPort: 0, certFile, keyFile });
    const socket = await connectTls(ports.tls!);
    const clientPort = socket.localPort;
    socket.write('14 <1>octet\n\0byte');
    socket.end('<2>newline\r\n<3>tail');
    await closed(socket);
    await waitFor('3 messages', () => sink.messages.length === 3);
    expect(sink.texts()).toEqual(['<1>octet\n\0byte', '<2>newline', '<3>tail']);
    expect(sink.messages[0]).toMatchObject({ peer: HOST, peerPort: clientPort, transport: 'tls', listener: `tls:${ports.tls}` });
    await waitFor('closed', () => server.counters.tls.connectionsOpen === 0);
    expect(server.counters.tls.received).toBe(3);
  });

  it('survives plaintext clients and resets, counting them, and keeps serving', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, tcpPort: false, tlsPort: 0, certFile, keyFile });
    await sendTcp(ports.tls!, '<1>not encrypted\n');
    await waitFor('error counted', () => server.counters.tls.socketErrors === 1);
    const midHandshake = await connect(ports.tls!);
    midHandshake.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    await sleep(20);
    midHandshake.resetAndDestroy();
    const raw = await connect(ports.tls!);
    const established = tls.connect({ socket: raw, ca: readFileSync(certFile) });
    established.on('error', () => undefined);
    established.write('40 <1>cut by a reset');
    await waitFor('partial frame read', () => server.counters.tls.bufferedBytes > 0);
    raw.resetAndDestroy();
    await waitFor('all closed', () => server.counters.tls.connectionsOpen === 0);
    const socket = await connectTls(ports.tls!);
    socket.end('<2>encrypted\n');
    await waitFor('messages', () => sink.messages.length === 2);
    expect(sink.texts()).toEqual(['<1>cut by a reset', '<2>encrypted']);
    expect(sink.messages.map((m) => m.truncated)).toEqual([true, false]);
    expect(server.counters.tls).toMatchObject({ framingErrors: 1, received: 2 });
    expect(server.counters.tls.socketErrors).toBeGreaterThanOrEqual(2);
  });

  it('refuses TLS connections from outside the allow-list before the handshake', async () => {
    const sink = new TestSink();
    const { server, ports } = await startServer(sink, { udpPort: false, tcpPort: false, tlsPort: 0, certFile, keyFile, allow: ['10.0.0.0/8'] });
    await expect(connectTls(ports.tls!)).rejects.toThrow();
    expect(server.counters.tls.refused).toBe(1);
  });

  it('applies backpressure to a TLS sender too', async () => {
    const sink = new TestSink();
    sink.full = true;
    const { ports } = await startServer(sink, { udpPort: false, tcpPort: false, tlsPort: 0, certFile, keyFile });
    const socket = await connectTls(ports.tls!);
    const next = await writeUntilBlocked(socket, 0);
    await sleep(100);
    expect(socket.writableLength).toBeGreaterThan(0);
    expect(sink.messages).toEqual([]);
    sink.drain();
    socket.end();
    await waitFor(`${next} messages`, () => sink.messages.length === next, 30_000);
    expect(sink.texts().map((t) => Number(t.split(' ')[1]))).toEqual(Array.from({ length: next }, (_, i) => i));
  });
});

describe('SyslogServer bytes and lifecycle', () => {
  it('passes GBK bytes through untouched over UDP and TCP', async () => {
    const sink = new TestSink();
    const { ports } = await startServer(sink);
    // GBK trail bytes are 0x40-0xFE, so a GBK message never contains LF or NUL
    const gbk = iconv.encode('<134>Jan  5 10:00:00 fw01 用户张三登录失败 源地址=10.0.0.5', 'gbk');
    await sendUdp(ports.udp!, [gbk]);
    await sendTcp(ports.tcp!, Buffer.concat([gbk, Buffer.from('\n'), Buffer.from(`${gbk.length} `), gbk]));
    await waitFor('3 messages', () => sink.messages.length === 3);
    for (const message of sink.messages) expect(message.bytes.equals(gbk)).toBe(true);
  });

  it('delivers held messages and closes connections on stop', async () => {
    const sink = new TestSink();
    const server = new SyslogServer(sink, { host: HOST, udpPort: false, tcpPort: 0, flushIntervalMs: 60_000, batchSize: 1000 });
    const ports = await server.start();
    const socket = await connect(ports.tcp!);
    socket.write('<1>held\n<2>partial');
    await waitFor('read', () => server.counters.tcp.received === 1);
    expect(sink.messages).toEqual([]);
    await server.stop();
    expect(sink.texts()).toEqual(['<1>held', '<2>partial']);
    await closed(socket);
    expect(server.counters.tcp.connectionsOpen).toBe(0);
  });

  it('stops promptly with paused and handshaking connections, delivering what was read in order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'taishi-syslog-stop-'));
    try {
      const { certFile, keyFile } = makeCertificate(dir);
      const sink = new TestSink();
      const server = new SyslogServer(sink, { host: HOST, udpPort: false, tcpPort: 0, tlsPort: 0, certFile, keyFile });
      const ports = await server.start();
      const writer = await connect(ports.tcp!);
      writer.on('error', () => undefined);
      writer.write(numbered(10).join('\n') + '\n');
      await waitFor('first messages', () => sink.messages.length === 10);
      sink.full = true;
      await writeUntilBlocked(writer, 10);
      const handshaking = await connect(ports.tls!);
      handshaking.on('error', () => undefined);
      await waitFor('both connections open', () => server.counters.tcp.connectionsOpen + server.counters.tls.connectionsOpen === 2);
      await server.stop();
      // the chunk read just before the pause was held while saturated, and stop delivered it
      const seqs = sink.texts().map((t) => Number(t.split(' ')[1]));
      expect(seqs.length).toBeGreaterThan(10);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
      await Promise.all([closed(writer), closed(handshaking)]);
      expect(server.counters.tcp.connectionsOpen + server.counters.tls.connectionsOpen).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a sink that throws and keeps delivering', async () => {
    const errors: Error[] = [];
    const delivered: string[] = [];
    let calls = 0;
    const sink: SyslogSink = {
      deliver: (messages) => {
        if (calls++ === 0) throw new Error('sink broke');
        for (const m of messages) delivered.push(m.bytes.toString());
      },
      saturated: () => false,
      onDrain: () => undefined,
    };
    const { server, ports } = await startServer(sink, { tcpPort: false, onError: (error) => errors.push(error) });
    await sendUdp(ports.udp!, ['<1>lost']);
    await waitFor('error', () => errors.length === 1);
    await sendUdp(ports.udp!, ['<2>kept']);
    await waitFor('delivery', () => delivered.length === 1);
    expect(delivered).toEqual(['<2>kept']);
    expect(errors[0]!.message).toBe('sink broke');
    expect(server.counters.sinkErrors).toBe(1);
  });

  it('rejects start when a port is taken and leaves nothing bound', async () => {
    const { ports } = await startServer(new TestSink(), { udpPort: false });
    const second = new SyslogServer(new TestSink(), { host: HOST, udpPort: 0, tcpPort: ports.tcp! });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    // the failed start already stopped it; stopping again is harmless
    await expect(second.stop()).resolves.toBeUndefined();
  });

  it('rejects bad options at construction', () => {
    const sink = new TestSink();
    expect(() => new SyslogServer(sink, { tlsPort: 6514 })).toThrow(/certFile/);
    expect(() => new SyslogServer(sink, { maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => new SyslogServer(sink, { tcpPort: 70000 })).toThrow(/tcpPort/);
    expect(() => new SyslogServer(sink, { allow: ['10.0.0.0/8', 'nonsense'] })).toThrow(/nonsense/);
  });
});
