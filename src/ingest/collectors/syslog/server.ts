import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { addressBytes, CidrMatcher, unmapIPv4 } from '../../../shared/index.js';
import { StreamFramer } from './framer.js';
import type {
  SyslogCounters, SyslogMessage, SyslogPorts, SyslogServerOptions, SyslogSink, SyslogTransport, SyslogTransportCounters,
} from './types.js';

const DEFAULT_PORT = 5514;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

type StreamTransport = 'tcp' | 'tls';

interface FramedStream {
  transport: StreamTransport;
  framer: StreamFramer;
}

function zeroCounters(): SyslogTransportCounters {
  return {
    received: 0, bytes: 0, truncated: 0, dropped: 0, refused: 0, rejected: 0,
    connectionsOpen: 0, framingErrors: 0, socketErrors: 0, bufferedBytes: 0,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`syslog: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Whose connection this is, for the per-source cap: the IPv4 address, or the IPv6 /64 (one host
 * usually holds a whole /64 and can pick any address in it).
 */
export function sourceOf(address: string): string {
  const plain = unmapIPv4(address);
  if (!plain.includes(':')) return plain;
  const bytes = addressBytes(plain);
  return bytes ? `${Buffer.from(bytes.subarray(0, 8)).toString('hex')}/64` : plain;
}

function port(name: string, value: number | false): number | false {
  if (value !== false && (!Number.isInteger(value) || value < 0 || value > 65535)) {
    throw new Error(`syslog: ${name} must be a port number or false, got ${value}`);
  }
  return value;
}

/**
 * Receives syslog over UDP, TCP and TLS and hands the framed, undecoded messages to a sink in
 * batches. While the sink is saturated, TCP and TLS connections stop being read (their senders
 * block once the kernel buffers fill) and UDP datagrams are dropped and counted.
 */
export class SyslogServer {
  private readonly host: string;
  private readonly ports: { udp: number | false; tcp: number | false; tls: number | false };
  private readonly maxBytes: number;
  private readonly idleTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly maxConnectionsPerSource: number;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly allow: CidrMatcher | undefined;

  private readonly counts: SyslogCounters = { udp: zeroCounters(), tcp: zeroCounters(), tls: zeroCounters(), sinkErrors: 0 };
  private readonly listenerNames: Record<SyslogTransport, string> = { udp: '', tcp: '', tls: '' };
  /** Admitted connections, TLS ones still in their handshake included. */
  private readonly connections = new Set<net.Socket>();
  /** Connections being framed: the plain socket, or the TLS socket once its handshake is done. */
  private readonly streams = new Map<net.Socket, FramedStream>();
  /** Connections not being read because the sink is saturated. */
  private readonly paused = new Set<net.Socket>();
  /** Open connections per source (sourceOf), for the per-source cap. */
  private readonly perSource = new Map<string, number>();
  private udp: dgram.Socket | undefined;
  private servers: net.Server[] = [];
  private running = false;

  private pending: SyslogMessage[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: SyslogSink,
    private readonly options: SyslogServerOptions = {},
  ) {
    this.host = options.host ?? '0.0.0.0';
    this.ports = {
      udp: port('udpPort', options.udpPort ?? DEFAULT_PORT),
      tcp: port('tcpPort', options.tcpPort ?? DEFAULT_PORT),
      tls: port('tlsPort', options.tlsPort ?? false),
    };
    if (this.ports.tls !== false && !(options.certFile && options.keyFile)) {
      throw new Error('syslog: tlsPort needs certFile and keyFile');
    }
    this.maxBytes = positiveInteger('maxMessageBytes', options.maxMessageBytes ?? 64 * 1024);
    this.idleTimeoutMs = positiveInteger('idleTimeoutMs', options.idleTimeoutMs ?? 10 * 60_000);
    this.maxConnections = positiveInteger('maxConnections', options.maxConnections ?? 1000);
    this.maxConnectionsPerSource = positiveInteger('maxConnectionsPerSource', options.maxConnectionsPerSource ?? 20);
    this.flushIntervalMs = positiveInteger('flushIntervalMs', options.flushIntervalMs ?? 2);
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? 500);
    this.allow = options.allow ? new CidrMatcher(options.allow) : undefined;
    sink.onDrain(() => this.drained());
  }

  /** A snapshot; connectionsOpen and bufferedBytes are gauges, the rest only grow. */
  get counters(): SyslogCounters {
    const snapshot = structuredClone(this.counts);
    for (const { transport, framer } of this.streams.values()) snapshot[transport].bufferedBytes += framer.bufferedBytes;
    return snapshot;
  }

  /** Binds the enabled listeners; resolves with the bound ports. On failure nothing stays bound. */
  async start(): Promise<SyslogPorts> {
    if (this.running) throw new Error('syslog: server already started');
    this.running = true;
    const bound: SyslogPorts = {};
    try {
      if (this.ports.udp !== false) bound.udp = await this.startUdp(this.ports.udp);
      if (this.ports.tcp !== false) bound.tcp = await this.startStream('tcp', this.ports.tcp, undefined);
      if (this.ports.tls !== false) {
        const [cert, key] = await Promise.all([readFile(this.options.certFile!), readFile(this.options.keyFile!)]);
        const context = tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
        bound.tls = await this.startStream('tls', this.ports.tls, context);
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    return bound;
  }

  /** Closes listeners and connections, frames what was already read, and delivers everything pending. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const closed: Array<Promise<unknown>> = [];
    const udp = this.udp;
    this.udp = undefined;
    // close() throws if the bind had failed; there is nothing to wait for then
    if (udp) closed.push(new Promise<void>((resolve) => udp.close(() => resolve())).catch(() => undefined));
    for (const server of this.servers) {
      closed.push(new Promise<void>((resolve) => server.close(() => resolve())));
    }
    this.servers = [];
    for (const socket of this.streams.keys()) {
      // read() hands chunks buffered while paused to the 'data' listener, so they are framed, not lost
      while (socket.read() !== null);
    }
    // awaited one by one: a server reports itself closed before its sockets' 'close' handlers have framed their last line
    for (const socket of [...this.streams.keys(), ...this.connections]) {
      closed.push(new Promise((resolve) => socket.once('close', resolve)));
      socket.destroy();
    }
    this.paused.clear();
    await Promise.all(closed);
    this.flush(true);
  }

  private report(error: unknown): void {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }

  private startUdp(requested: number): Promise<number> {
    const socket = dgram.createSocket({
      type: net.isIPv6(this.host) ? 'udp6' : 'udp4',
      recvBufferSize: this.options.udpReceiveBufferBytes,
    });
    this.udp = socket;
    socket.on('message', (datagram, remote) => this.datagram(datagram, remote));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(requested, this.host, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.report(error));
        const bound = socket.address().port;
        this.listenerNames.udp = `udp:${bound}`;
        resolve(bound);
      });
    });
  }

  private datagram(datagram: Buffer, remote: dgram.RemoteInfo): void {
    const counts = this.counts.udp;
    if (this.allow && !this.allow.matches(remote.address)) {
      counts.refused++;
      return;
    }
    if (this.sink.saturated()) {
      counts.dropped++;
      return;
    }
    let end = datagram.length;
    const last = datagram[end - 1];
    if (last === LF || last === NUL) end--;
    if (last === LF && datagram[end - 1] === CR) end--;
    if (end === 0) {
      counts.framingErrors++;
      return;
    }
    const truncated = end > this.maxBytes;
    // a cut copy, so the sink does not keep the whole oversize datagram alive
    const bytes = truncated ? Buffer.from(datagram.subarray(0, this.maxBytes)) : datagram.subarray(0, end);
    this.enqueue(bytes, unmapIPv4(remote.address), remote.port, 'udp', truncated);
  }

  private startStream(transport: StreamTransport, requested: number, context: tls.SecureContext | undefined): Promise<number> {
    // paused on connect, so a refused sender gets no byte read
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      if (!this.admit(socket, transport)) return;
      if (!context) {
        socket.on('error', () => this.counts.tcp.socketErrors++);
        this.closeWhenIdle(socket);
        this.attach(socket, transport);
        return;
      }
      // the TLS layer is added by hand so TLS connections pass the same admission as plain ones
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
      secure.on('error', () => this.counts.tls.socketErrors++);
      // started before the handshake, so it also ends handshakes that stall
      this.closeWhenIdle(secure);
      secure.once('secure', () => this.attach(secure, transport));
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(requested, this.host, () => {
        server.off('error', reject);
        server.on('error', (error) => this.report(error));
        const bound = (server.address() as net.AddressInfo).port;
        this.listenerNames[transport] = `${transport}:${bound}`;
        resolve(bound);
      });
    });
  }

  /** The UDP socket's SO_RCVBUF as the kernel set it (Linux doubles the request, capped by net.core.rmem_max). */
  get udpReceiveBufferBytes(): number | undefined {
    return this.udp?.getRecvBufferSize();
  }

  /**
   * Applies the allow-list and the connection limits, overall and per source (so one sender
   * holding idle connections cannot lock the others out); a refused connection is destroyed at once.
   */
  private admit(socket: net.Socket, transport: StreamTransport): boolean {
    const counts = this.counts[transport];
    // a socket can lose its remote address if the peer is already gone; with an allow-list that is a refusal
    const address = socket.remoteAddress;
    if (this.allow && !(address && this.allow.matches(address))) {
      counts.refused++;
      socket.destroy();
      return false;
    }
    const source = sourceOf(address ?? '');
    const fromSource = this.perSource.get(source) ?? 0;
    if (this.counts.tcp.connectionsOpen + this.counts.tls.connectionsOpen >= this.maxConnections || fromSource >= this.maxConnectionsPerSource) {
      counts.rejected++;
      socket.destroy();
      return false;
    }
    counts.connectionsOpen++;
    this.perSource.set(source, fromSource + 1);
    this.connections.add(socket);
    socket.once('close', () => {
      counts.connectionsOpen--;
      const left = this.perSource.get(source)! - 1;
      if (left === 0) this.perSource.delete(source);
      else this.perSource.set(source, left);
      this.connections.delete(socket);
    });
    return true;
  }

  private closeWhenIdle(socket: net.Socket): void {
    socket.setTimeout(this.idleTimeoutMs, () => socket.destroy());
  }

  private attach(socket: net.Socket, transport: StreamTransport): void {
    const counts = this.counts[transport];
    const peer = unmapIPv4(socket.remoteAddress ?? '');
    const peerPort = socket.remotePort ?? 0;
    const framer = new StreamFramer(this.maxBytes, {
      frame: (bytes, truncated) => this.enqueue(bytes, peer, peerPort, transport, truncated),
      framingError: () => counts.framingErrors++,
    });
    this.streams.set(socket, { transport, framer });
    // paused before the 'data' listener is added, which would otherwise start the flow
    if (this.sink.saturated()) this.pause(socket);
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      if (this.sink.saturated()) this.pause(socket);
    });
    socket.once('close', () => {
      framer.end();
      this.streams.delete(socket);
      this.paused.delete(socket);
    });
    if (!this.paused.has(socket)) socket.resume();
  }

  private pause(socket: net.Socket): void {
    socket.pause();
    // the sender is not idle, we are not reading; the timer would otherwise cut it off
    socket.setTimeout(0);
    this.paused.add(socket);
  }

  private drained(): void {
    if (!this.running) return;
    this.flush(false);
    if (this.sink.saturated()) return;
    for (const socket of this.paused) {
      socket.setTimeout(this.idleTimeoutMs);
      socket.resume();
    }
    this.paused.clear();
  }

  private enqueue(bytes: Buffer, peer: string, peerPort: number, transport: SyslogTransport, truncated: boolean): void {
    const counts = this.counts[transport];
    counts.received++;
    counts.bytes += bytes.length;
    if (truncated) counts.truncated++;
    this.pending.push({ bytes, peer, peerPort, transport, receivedAt: new Date(), truncated, listener: this.listenerNames[transport] });
    if (this.pending.length >= this.batchSize) this.flush(false);
    else this.flushTimer ??= setTimeout(() => this.flush(false), this.flushIntervalMs);
  }

  /**
   * Hands the pending batch to the sink. While the sink is saturated the batch is held (it stays
   * small: streams are paused and datagrams dropped) and goes out on drain, or on stop (`force`).
   */
  private flush(force: boolean): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0 || (!force && this.sink.saturated())) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.sink.deliver(batch);
    } catch (error) {
      this.counts.sinkErrors++;
      this.report(error);
    }
  }
}
