import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SETTINGS_TOKEN, type Settings } from '../../../config/index.js';
import { MetricsRegistry } from '../../../metrics/metrics.js';
import { IngestService } from '../../ingest.service.js';
import { OverloadedError } from '../../store/event-writer.js';
import { SyslogServer } from './server.js';
import type { SyslogMessage, SyslogSink, SyslogTransport } from './types.js';

/**
 * Binds the syslog listeners to the ingest pipeline. TCP and TLS senders are paused while the
 * writer is saturated; UDP cannot be paused, so what arrives then is dropped and counted.
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
      onError: (error) => this.logger.warn(error.message),
    });
    const ports = await this.server.start();
    this.logger.log(`Listening for syslog on ${Object.entries(ports).map(([t, p]) => `${t} ${p}`).join(', ')}`);
    this.exportCounters();
  }

  /** Counters kept by the listeners, read at scrape time. */
  private exportCounters(): void {
    const counters = () => this.server!.counters;
    const transports: SyslogTransport[] = ['udp', 'tcp', 'tls'];
    const gauge = (name: string, help: string, key: 'refused' | 'truncated' | 'framingErrors' | 'connectionsOpen' | 'dropped') => {
      const g = key === 'connectionsOpen' ? this.metrics.gauge(name, help) : this.metrics.observedCounter(name, help);
      for (const t of transports) g.track({ transport: t }, () => counters()[t][key]);
    };
    gauge('taishi_syslog_refused_total', 'Syslog messages or connections refused by the sender allow-list', 'refused');
    gauge('taishi_syslog_truncated_total', 'Syslog messages cut to the maximum size', 'truncated');
    gauge('taishi_syslog_framing_errors_total', 'Syslog framing errors', 'framingErrors');
    gauge('taishi_syslog_connections', 'Open syslog TCP/TLS connections', 'connectionsOpen');
    gauge('taishi_syslog_dropped_total', 'Syslog UDP datagrams dropped while ingest was saturated', 'dropped');
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
      this.ingest
        .ingest(records, { source: `syslog:${transport}`, transport: 'syslog', receivedAt: list[0].receivedAt, timeZone: this.settings.TAISHI_TIME_ZONE }, `syslog_${transport}`)
        .catch((error: Error) => {
          // Overload is already counted as dropped by the ingest service.
          if (!(error instanceof OverloadedError)) this.logger.error(`Storing ${records.length} syslog messages failed: ${error.message}`);
        });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.stop();
  }
}
