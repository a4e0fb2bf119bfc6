/**
 * The normalized event: a documented subset of the Elastic Common Schema (ECS), nested the way ECS
 * nests it, plus three documented extensions (`vendor`, `metrics`, `taishi`). It lives in the shared
 * kernel because the parsers write it and the event store, enrichment and detection read it;
 * src/ingest/parsing/PARSERS.md lists which parser fills which field.
 *
 * Everything downstream (enrichment, classification, Sigma rules, the stores) reads these names,
 * so adding a field here is cheap but renaming one is not.
 */
export interface NormalizedEvent {
  /** When the event happened, ISO 8601 in UTC; the receive time when the line carries none. */
  '@timestamp': string;
  event: EventFields;
  message?: string;
  source?: Endpoint;
  destination?: Endpoint;
  user?: UserFields;
  group?: { name?: string; id?: string };
  host?: { name?: string; ip?: string[] };
  process?: ProcessFields;
  /** auditd PATH records. */
  file?: { path?: string };
  url?: { original?: string; path?: string; query?: string; domain?: string; scheme?: string; port?: number };
  http?: {
    request?: { method?: string; referrer?: string };
    response?: { status_code?: number; body?: { bytes?: number } };
    version?: string;
  };
  user_agent?: { original?: string };
  /** TLS of a served request (Apache mod_ssl request log). */
  tls?: { version?: string; cipher?: string };
  /** DNS servers' query and security logs (BIND named). */
  dns?: { question?: { name?: string; type?: string; class?: string } };
  network?: { transport?: string; protocol?: string; direction?: NetworkDirection };
  observer?: {
    name?: string;
    type?: string;
    vendor?: string;
    product?: string;
    ingress?: { interface?: { name?: string } };
    egress?: { interface?: { name?: string } };
  };
  log?: LogFields;
  /** The firewall policy or ACL that decided (network gear). */
  rule?: { name?: string; id?: string };
  /** ECS `device.*`, used for IoT telemetry. */
  device?: { id?: string; model?: { name?: string } };
  /** Windows event fields in the winlogbeat layout; `event_data` is the EventData subtree as-is. */
  winlog?: WinlogFields;
  labels?: Record<string, string>;
  /** Pipeline notes: 'truncated', 'lossy_decode', 'gb18030', 'hint_mismatch'. */
  tags?: string[];
  /**
   * Taishi extension: the producer's own fields that have no ECS home, kept under their original
   * names (key=value pairs, JSON objects, sshd auth method, sudo tty, netfilter flags …).
   */
  vendor?: Record<string, unknown>;
  /** Taishi extension: numeric readings of IoT telemetry, by the device's own metric name. */
  metrics?: Record<string, number>;
  /** Filled by enrichment, never by parsers (and stripped from client-supplied events). */
  taishi?: { asset_id?: string; department?: string; zone?: string; pii?: string[] };
}

export interface EventFields {
  /** Client-supplied id of an already-normalized event; see eventId(). */
  id?: string;
  kind: 'event' | 'metric' | 'alert' | 'state';
  category: string[];
  type: string[];
  /** One of the names in actions.ts, or 'unknown'. */
  action: string;
  outcome?: 'success' | 'failure' | 'unknown';
  /** The producer's numeric severity (syslog severity code, Windows level). */
  severity?: number;
  /** `<module>.<dataset>`, e.g. 'system.auth', 'nginx.access', 'iptables.log'. */
  dataset: string;
  module: string;
  /** The line (or JSON record) exactly as received, after decoding. */
  original?: string;
  /** When Taishi received it (ISO 8601). */
  created?: string;
  /** Vendor event code, e.g. the Windows EventID. */
  code?: string;
  provider?: string;
  reason?: string;
}

export interface Endpoint {
  ip?: string;
  port?: number;
  domain?: string;
  /** Address translation as the device logged it (firewalls). */
  nat?: { ip?: string; port?: number };
}

export interface UserFields {
  name?: string;
  id?: string;
  domain?: string;
  /** The account acted upon: sudo/su target, created or deleted account, group member added. */
  target?: { name?: string; id?: string; domain?: string };
  /** auditd: the login (audit) user id and, in enriched logs, its name. */
  audit?: { id?: string; name?: string };
  /** auditd: the effective user, when it differs from the real one. */
  effective?: { id?: string; name?: string };
}

export interface ProcessFields {
  name?: string;
  pid?: number;
  executable?: string;
  command_line?: string;
  working_directory?: string;
  /** auditd EXECVE arguments. */
  args?: string[];
  parent?: { pid?: number };
  /** auditd: the syscall's result (exit code). */
  exit_code?: number;
}

export type NetworkDirection = 'ingress' | 'egress' | 'inbound' | 'outbound' | 'internal' | 'external' | 'unknown';

export interface LogFields {
  level?: string;
  logger?: string;
  syslog?: {
    priority?: number;
    facility?: { code: number; name: string };
    severity?: { code: number; name: string };
    hostname?: string;
    appname?: string;
    procid?: string;
    msgid?: string;
    version?: string;
    structured_data?: Record<string, Record<string, string>>;
  };
}

export interface WinlogFields {
  event_id?: string;
  channel?: string;
  computer_name?: string;
  provider_name?: string;
  record_id?: string;
  event_data?: Record<string, unknown>;
  logon?: { type?: string };
  /** The rest of an evtx record's System section under winlogbeat's names (and EventSourceName), numbers as numbers; a winlogbeat record's as sent. */
  provider_guid?: string;
  event_source_name?: string;
  version?: string | number;
  task?: string | number;
  opcode?: string | number;
  /** The keyword mask as written (`0x8020000000000000`); winlogbeat's own records give names. */
  keywords?: string | string[];
  activity_id?: string;
  related_activity_id?: string;
  process?: { pid?: string | number; thread?: { id?: string | number } };
  user?: { identifier?: string };
  /** A winlogbeat record's other `winlog` fields (api, opcode names …), kept as sent. */
  [other: string]: unknown;
}

export type Transport = 'syslog' | 'http' | 'mqtt' | 'file';

export type FormatHint =
  | 'auto'
  | 'syslog'
  | 'nginx'
  | 'apache'
  | 'iptables'
  | 'json'
  | 'kv'
  | 'windows'
  | 'telemetry'
  | 'raw';

export interface ParseContext {
  /** Name of the configured source (collector, file, device); also feeds eventId(). */
  source: string;
  transport: Transport;
  receivedAt: Date;
  /** Reference instant for inferring the missing year of RFC 3164 dates; defaults to receivedAt. */
  now?: Date;
  /** Zone for timestamps written without one: an IANA name or ±hh:mm. Default Asia/Shanghai. */
  timeZone?: string;
  /** A preference, not a promise: when the hinted parser fails, auto-detection runs. */
  format?: FormatHint;
  /** Longer lines are cut to this many characters and tagged 'truncated'. Default 65 536. */
  maxLineLength?: number;
}
