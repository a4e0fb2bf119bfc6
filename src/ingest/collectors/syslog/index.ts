/** Syslog network collector: UDP, TCP and TLS listeners that frame messages for a sink. Parsing is elsewhere. */
export { SyslogServer } from './server.js';
export type {
  SyslogCounters, SyslogMessage, SyslogPorts, SyslogServerOptions, SyslogSink, SyslogTransport, SyslogTransportCounters,
} from './types.js';
