import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SETTINGS_TOKEN, type Settings } from '../../../config/index.js';
import { MetricsRegistry } from '../../../shared/metrics.js';
import { IngestService } from '../../ingest.service.js';
import { OverloadedError } from '../../store/event-writer.js';
import { SyslogServer } from './server.js';
import type { SyslogMessage, SyslogPorts, SyslogSink, SyslogTransport } from './types.js';
import { kernelUdpDrops } from './udp-drops.js';

/**
 * Binds the syslog listeners to the ingest pipeline. TCP and TLS senders are paused while the
 * writer is saturated, and what was already read from them waits for room, so no line of theirs
 * is dropped; UDP cannot be paused, so what arrives then is dropped and counted.
 */
@Injectable()
export class SyslogCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Syslog');
  private server: SyslogServer | undefined;

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly ingest: IngestService,
    private readonly metrics: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const s = this.settings;
    if (s.TAISHI_SYSLOG_UDP_PORT === false && s.TAISHI_SYSLOG_TCP_PORT === false && s.TAISHI_SYSLOG_TLS_PORT === false) return;
    if (s.TAISHI_SYSLOG_TLS_PORT !== false && !(s.TAISHI_SYSLOG_TLS_CERT && s.TAISHI_SYSLOG_TLS_KEY)) {
      throw new Error('TAISHI_SYSLOG_TLS_PORT needs TAISHI_SYSLOG_TLS_CERT and TAISHI_SYSLOG_TLS_KEY');
    }
    const sink: SyslogSink = {
      deliver: (messages) => this.deliver(messages),
      saturated: () => this.ingest.writer.saturated(),
      onDrain: (listener) => this.ingest.writer.onDrain(listener),
    };
    this.server = new SyslogServer(sink, {
      host: s.TAISHI_SYSLOG_HOST,
      udpPort: s.TAISHI_SYSLOG_UDP_PORT,
      tcpPort: s.TAISHI_SYSLOG_TCP_PORT,
      tlsPort: s.TAISHI_SYSLOG_TLS_PORT,
      certFile: s.TAISHI_SYSLOG_TLS_CERT,
      keyFile: s.TAISHI_SYSLOG_TLS_KEY,
      allow: s.TAISHI_SYSLOG_ALLOW,
      maxConnections: s.TAISHI_SYSLOG_MAX_CONNECTIONS,
      maxConnectionsPerSource: s.TAISHI_SYSLOG_MAX_CONNECTIONS_PER_SOURCE,
      idleTimeoutMs: s.TAISHI_SYSLOG_IDLE_SECONDS * 1000,
      udpReceiveBufferBytes: s.TAISHI_SYSLOG_UDP_BUFFER,
      onError: (error) => this.logger.warn(error.message),
    });
    const ports = await this.server.start();
    this.logger.log(`Listening for syslog on ${s.TAISHI_SYSLOG_HOST} ${Object.entries(ports).map(([t, p]) => `${t} ${p}`).join(', ')}`);
    this.warnAboutExposure();
    this.exportCounters(ports);
  }

  /** Says at start what an operator would otherwise only learn from lost or unwanted logs. */
  private warnAboutExposure(): void {
    const s = this.settings;
    const loopback = s.TAISHI_SYSLOG_HOST === '::1' || s.TAISHI_SYSLOG_HOST.startsWith('127.');
    if (!s.TAISHI_SYSLOG_ALLOW?.length && !loopback) {
      this.logger.warn(
        `syslog 接收任何地址发来的日志：请用 TAISHI_SYSLOG_ALLOW 限定设备网段 / Syslog on ${s.TAISHI_SYSLOG_HOST} accepts messages from any address: set TAISHI_SYSLOG_ALLOW to the devices' networks`,
      );
    }
    const buffer = this.server!.udpReceiveBufferBytes;
    if (buffer !== undefined && buffer < s.TAISHI_SYSLOG_UDP_BUFFER) {
      this.logger.warn(
        `内核将 syslog UDP 接收缓冲区限制为 ${buffer} 字节，突发日志可能丢失 / The kernel capped the syslog UDP receive buffer at ${buffer} bytes ` +
          `(asked for ${s.TAISHI_SYSLOG_UDP_BUFFER}); bursts beyond it are lost (taishi_syslog_udp_kernel_drops_total). Raise it with sysctl -w net.core.rmem_max=${s.TAISHI_SYSLOG_UDP_BUFFER}`,
      );
    }
  }

  /** Counters kept by the listeners and the kernel, read at scrape time. */
  private exportCounters(ports: SyslogPorts): void {
    const counters = () => this.server!.counters;
    const transports: SyslogTransport[] = ['udp', 'tcp', 'tls'];
    const gauge = (name: string, help: string, key: 'refused' | 'rejected' | 'truncated' | 'framingErrors' | 'connectionsOpen' | 'dropped') => {
      const g = key === 'connectionsOpen' ? this.metrics.gauge(name, help) : this.metrics.observedCounter(name, help);
      for (const t of transports) g.track({ transport: t }, () => counters()[t][key]);
    };
    gauge('taishi_syslog_refused_total', 'Syslog messages or connections refused by the sender allow-list', 'refused');
    gauge('taishi_syslog_truncated_total', 'Syslog messages cut to the maximum size', 'truncated');
    gauge('taishi_syslog_framing_errors_total', 'Syslog framing errors', 'framingErrors');
    gauge('taishi_syslog_connections', 'Open syslog TCP/TLS connections', 'connectionsOpen');
    gauge('taishi_syslog_connections_rejected_total', 'Syslog TCP/TLS connections refused by the connection limits (overall and per source)', 'rejected');
    gauge('taishi_syslog_dropped_total', 'Syslog UDP datagrams dropped while ingest was saturated', 'dropped');
    const udpPort = ports.udp;
    if (udpPort === undefined || kernelUdpDrops(udpPort) === undefined) return;
    this.metrics
      .observedCounter('taishi_syslog_udp_kernel_drops_total', 'Syslog UDP datagrams the kernel dropped because the socket receive buffer was full (never seen by the service)')
      .track({}, () => kernelUdpDrops(udpPort) ?? 0);
    this.metrics.gauge('taishi_syslog_udp_receive_buffer_bytes', 'Receive buffer of the syslog UDP socket as the kernel set it').track({}, () => this.server?.udpReceiveBufferBytes ?? 0);
  }

  /** Deliveries are grouped per transport so each collector's counters stay separate. */
  private deliver(messages: SyslogMessage[]): void {
    const byTransport = new Map<SyslogTransport, SyslogMessage[]>();
    for (const m of messages) {
      const list = byTransport.get(m.transport);
      if (list) list.push(m);
      else byTransport.set(m.transport, [m]);
    }
    for (const [transport, list] of byTransport) {
      const records = list.map((m) => ({ bytes: m.bytes, peer: m.peer }));
      const context = { source: `syslog:${transport}`, transport: 'syslog' as const, receivedAt: list[0].receivedAt, timeZone: this.settings.TAISHI_TIME_ZONE };
      // The count, not the records, goes into the handler: the records are garbage once parsed.
      const count = records.length;
      // Stream senders are paused while saturated; what was already read from them waits for room.
      this.ingest
        .ingest(records, context, `syslog_${transport}`, { waitForRoom: transport !== 'udp' })
        .catch((error: Error) => {
          // Overload is already counted as dropped by the ingest service.
          if (!(error instanceof OverloadedError)) this.logger.error(`Storing ${count} syslog messages failed: ${error.message}`);
        });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.stop();
  }
}
