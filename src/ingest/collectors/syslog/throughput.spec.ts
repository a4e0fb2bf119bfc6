import { Worker } from 'node:worker_threads';
import { SyslogServer, type SyslogSink } from './index.js';

/**
 * A rough loopback measurement, printed rather than asserted beyond completeness: the senders run
 * in a worker thread so they do not share the server's event loop.
 */
const COUNT = 100_000;
const LINE = '<134>Jan  5 10:00:00 fw01 sshd[4242]: Failed password for root from 10.0.0.5 port 52113 ssh2';

const TCP_SENDER = `
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');
const socket = net.connect(workerData.port, '127.0.0.1', async () => {
  for (let i = 0; i < workerData.count; i += 1000) {
    const lines = [];
    for (let j = i; j < i + 1000; j++) lines.push(workerData.line + ' #' + j + '\\n');
    if (!socket.write(lines.join(''))) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end(() => parentPort.postMessage('sent'));
});
`;

const UDP_SENDER = `
const dgram = require('node:dgram');
const { workerData, parentPort } = require('node:worker_threads');
const socket = dgram.createSocket('udp4');
(async () => {
  for (let i = 0; i < workerData.count; i += 100) {
    const sends = [];
    for (let j = i; j < i + 100; j++) {
      sends.push(new Promise((resolve) => socket.send(workerData.line + ' #' + j, workerData.port, '127.0.0.1', resolve)));
    }
    await Promise.all(sends);
  }
  socket.close(() => parentPort.postMessage('sent'));
})();
`;

function runSender(code: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { port, count: COUNT, line: LINE } });
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
}

class CountingSink implements SyslogSink {
  count = 0;
  last = 0;
  deliver(messages: unknown[]): void {
    this.count += messages.length;
    this.last = performance.now();
  }
  saturated(): boolean {
    return false;
  }
  onDrain(): void {}
}

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);

describe('SyslogServer throughput on loopback', () => {
  it(`receives ${COUNT} messages over one TCP connection`, async () => {
    const sink = new CountingSink();
    const server = new SyslogServer(sink, { host: '127.0.0.1', udpPort: false, tcpPort: 0 });
    const { tcp } = await server.start();
    try {
      const started = performance.now();
      await runSender(TCP_SENDER, tcp!);
      while (sink.count < COUNT && performance.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(sink.count).toBe(COUNT);
      console.log(`syslog TCP: ${COUNT} messages in ${Math.round(sink.last - started)} ms, ${rate(COUNT, sink.last - started)} msg/s`);
    } finally {
      await server.stop();
    }
  });

  it(`receives ${COUNT} datagrams over UDP`, async () => {
    const sink = new CountingSink();
    const server = new SyslogServer(sink, { host: '127.0.0.1', udpPort: 0, tcpPort: false, udpReceiveBufferBytes: 8 << 20 });
    const { udp } = await server.start();
    try {
      const started = performance.now();
      await runSender(UDP_SENDER, udp!);
      // what has not arrived shortly after the last send was dropped by the kernel
      let seen = -1;
      while (seen !== sink.count) {
        seen = sink.count;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sink.count).toBeGreaterThan(0);
      expect(server.counters.udp).toMatchObject({ received: sink.count, dropped: 0, refused: 0 });
      const loss = ((COUNT - sink.count) / COUNT) * 100;
      console.log(
        `syslog UDP: ${sink.count} of ${COUNT} datagrams (${loss.toFixed(1)}% lost in the kernel) in ` +
          `${Math.round(sink.last - started)} ms, ${rate(sink.count, sink.last - started)} msg/s`,
      );
    } finally {
      await server.stop();
    }
  });
});
