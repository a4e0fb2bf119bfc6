export type SyslogTransport = 'udp' | 'tcp' | 'tls';

/** One framed message, still undecoded: city devices send UTF-8 or GBK and the parser decides. */
export interface SyslogMessage {
  bytes: Buffer;
  /** Remote address; IPv4-mapped IPv6 (::ffff:10.0.0.1) is reported as plain IPv4. */
  peer: string;
  peerPort: number;
  transport: SyslogTransport;
  receivedAt: Date;
  /** The message was longer than maxMessageBytes (or, over TCP/TLS, its frame was cut by the connection closing). */
  truncated: boolean;
  /** Which listener took it, e.g. `udp:5514`. */
  listener: string;
}

export interface SyslogSink {
  /** Synchronous hand-off of a batch; the sink queues it. */
  deliver(messages: SyslogMessage[]): void;
  /** True while the sink's queue is above its high-water mark. */
  saturated(): boolean;
  /**
   * Registers a callback for when the sink drops back below its low-water mark. The server
   * registers once, in its constructor, and expects to be called at every drain.
   */
  onDrain(listener: () => void): void;
}

export interface SyslogServerOptions {
  /** Default `0.0.0.0`. An IPv6 host (e.g. `::`) makes the UDP socket udp6, dual-stack. */
  host?: string;
  /** Default 5514; 0 picks a free port; `false` disables. */
  udpPort?: number | false;
  /** Default 5514; 0 picks a free port; `false` disables. */
  tcpPort?: number | false;
  /** Off unless set; needs certFile and keyFile (PEM). */
  tlsPort?: number | false;
  certFile?: string;
  keyFile?: string;
  /** Sender allow-list of CIDR blocks (IPv4 and IPv6); everyone when absent. */
  allow?: readonly string[];
  /** Default 64 KiB. Longer messages are delivered cut to this size and flagged truncated. */
  maxMessageBytes?: number;
  /** A TCP/TLS connection that sends nothing for this long is closed. Default 10 minutes. */
  idleTimeoutMs?: number;
  /** Open TCP plus TLS connections allowed at once; more are refused. Default 1000. */
  maxConnections?: number;
  /** Open TCP plus TLS connections allowed from one source (an IPv4 address or an IPv6 /64); more are refused. Default 20. */
  maxConnectionsPerSource?: number;
  /** Longest a message waits before its batch is delivered. Default 2 ms. */
  flushIntervalMs?: number;
  /** A batch is delivered as soon as it holds this many messages. Default 500. */
  batchSize?: number;
  /** SO_RCVBUF for the UDP socket, to ride out bursts; the kernel may cap it (net.core.rmem_max). */
  udpReceiveBufferBytes?: number;
  /** Told about listener failures after start and about exceptions thrown by the sink. */
  onError?: (error: Error) => void;
}

/** The ports actually bound, for the listeners that are enabled. */
export interface SyslogPorts {
  udp?: number;
  tcp?: number;
  tls?: number;
}

export interface SyslogTransportCounters {
  /** Messages accepted for the sink, and their bytes (after truncation, without framing). */
  received: number;
  bytes: number;
  truncated: number;
  /** UDP datagrams dropped because the sink was saturated. */
  dropped: number;
  /** Datagrams or connections from senders outside the allow-list. */
  refused: number;
  /** Connections refused because maxConnections, or maxConnectionsPerSource from that source, were already open. */
  rejected: number;
  connectionsOpen: number;
  /** Empty datagrams, and TCP/TLS frames cut short by the connection closing. */
  framingErrors: number;
  /** Resets, TLS handshake failures and other socket errors. */
  socketErrors: number;
  /** Bytes held for incomplete frames across open connections (at most ~maxMessageBytes each). */
  bufferedBytes: number;
}

export interface SyslogCounters {
  udp: SyslogTransportCounters;
  tcp: SyslogTransportCounters;
  tls: SyslogTransportCounters;
  /** Batches whose deliver() threw; their messages are lost. */
  sinkErrors: number;
}
