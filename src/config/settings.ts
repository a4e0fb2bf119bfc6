import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { cronProblem, parseCidr } from '../shared/index.js';

/**
 * Every setting Taishi reads, in one table. The README's settings table and docker-compose.yml are
 * checked against this list by tests, so a setting cannot exist without being documented.
 */
export class ConfigError extends Error {
  constructor(readonly variable: string, readonly accepted: string, readonly got: string | undefined) {
    super(`Invalid setting ${variable}=${JSON.stringify(got ?? '')}: expected ${accepted}`);
  }
}

interface Setting<T> {
  doc: string;
  accepted: string;
  default?: string;
  parse(raw: string): T | undefined;
  secret?: boolean;
}

const integer = (min: number, max: number) => (raw: string) => {
  if (!/^-?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
};
const boolean = (raw: string) =>
  ({ true: true, '1': true, yes: true, false: false, '0': false, no: false })[raw.toLowerCase()] as boolean | undefined;
const text = (raw: string) => raw;
const nonEmpty = (raw: string) => (raw.trim() ? raw : undefined);
const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string) =>
    values.includes(raw as T) ? (raw as T) : undefined;
const url =
  (...protocols: string[]) =>
  (raw: string) => {
    try {
      const u = new URL(raw);
      return protocols.includes(u.protocol) ? raw : undefined;
    } catch {
      return undefined;
    }
  };
const byteSize = (raw: string) => {
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!m) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Number(m[1]) * unit;
};

const portOrOff = (raw: string) => (raw.toLowerCase() === 'off' ? false : integer(1, 65535)(raw));
const timeZone = (raw: string) => {
  if (/^[+-]\d{2}:\d{2}$/.test(raw)) return raw;
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw });
    return raw;
  } catch {
    return undefined;
  }
};
const cidrList = (raw: string) => {
  const blocks = raw.split(',').map((b) => b.trim()).filter(Boolean);
  try {
    blocks.forEach(parseCidr);
    return blocks;
  } catch {
    return undefined;
  }
};

// Keeps each entry's literal type, so `default` presence and the parsed type are visible to Settings.
function setting<T, S extends Setting<T>>(s: S & Setting<T>): S {
  return s;
}

export const SETTINGS = {
  TAISHI_CONFIG_FILE: setting({
    doc: 'Optional file of KEY=VALUE lines read before the environment; the environment wins.',
    accepted: 'a readable file path',
    parse: nonEmpty,
  }),
  TAISHI_PORT: setting({ doc: 'HTTP port of the API and console.', accepted: 'an integer 1-65535', default: '3000', parse: integer(1, 65535) }),
  TAISHI_HOST: setting({ doc: 'Address the HTTP server binds to.', accepted: 'an IP address or host name', default: '0.0.0.0', parse: nonEmpty }),
  TAISHI_DATA_DIR: setting({
    doc: 'Folder for the embedded database and other local state.',
    accepted: 'a folder path',
    default: './data',
    parse: nonEmpty,
  }),
  DATABASE_URL: setting({
    doc: 'PostgreSQL server to use instead of the embedded database.',
    accepted: 'a postgres:// or postgresql:// URL',
    parse: url('postgres:', 'postgresql:'),
    secret: true,
  }),
  TAISHI_RUNTIME_DATABASE_URL: setting({
    doc: 'With DATABASE_URL: the role the service works as, owning no table of the audit trail. Unset, Taishi creates one itself when the DATABASE_URL role may create roles, and otherwise works as that role (warned about at every start).',
    accepted: 'a postgres:// or postgresql:// URL of the same database',
    parse: url('postgres:', 'postgresql:'),
    secret: true,
  }),
  TAISHI_EMBEDDED_DB_PORT: setting({
    doc: 'Loopback port of the embedded database; 0 picks a free one.',
    accepted: 'an integer 0-65535',
    default: '0',
    parse: integer(0, 65535),
  }),
  TAISHI_EMBEDDED_DB_DIR: setting({
    doc: 'Where the embedded database goes when Taishi runs as root and the postgres OS user cannot reach TAISHI_DATA_DIR (its binaries too, when it cannot reach node_modules); TAISHI_DATA_DIR/postgres then links to it.',
    accepted: 'an absolute folder path',
    default: '/var/lib/taishi/embedded-db',
    parse: (raw: string) => (raw.startsWith('/') ? raw : undefined),
  }),
  TAISHI_ADMIN_PASSWORD: setting({
    doc: 'Password of the `admin` user created on first start; when unset one is generated and printed once.',
    accepted: 'at least 12 characters',
    parse: (raw: string) => (raw.length >= 12 ? raw : undefined),
    secret: true,
  }),
  TAISHI_SESSION_TTL_MINUTES: setting({
    doc: 'Lifetime of a login session token.',
    accepted: 'an integer 5-10080',
    default: '480',
    parse: integer(5, 10080),
  }),
  TAISHI_LOCKOUT_THRESHOLD: setting({
    doc: 'Failed logins in a row that lock an account (MLPS login-failure handling).',
    accepted: 'an integer 1-100',
    default: '5',
    parse: integer(1, 100),
  }),
  TAISHI_LOCKOUT_MINUTES: setting({ doc: 'How long a locked account stays locked.', accepted: 'an integer 1-1440', default: '15', parse: integer(1, 1440) }),
  TAISHI_BODY_LIMIT: setting({
    doc: 'Largest accepted request body; larger bodies get 413.',
    accepted: 'a size such as 512kb, 10mb',
    default: '10mb',
    parse: byteSize,
  }),
  TAISHI_TRUST_PROXY: setting({
    doc: 'Take the client address from X-Forwarded-For (only behind a reverse proxy you run).',
    accepted: 'true or false',
    default: 'false',
    parse: boolean,
  }),
  TAISHI_LOG_LEVEL: setting({
    doc: 'Least severe log level written.',
    accepted: 'error, warn, log, debug or verbose',
    default: 'log',
    parse: oneOf('error', 'warn', 'log', 'debug', 'verbose'),
  }),
  TAISHI_TIME_ZONE: setting({
    doc: 'Zone for log timestamps that carry none (RFC 3164 syslog).',
    accepted: 'an IANA zone name such as Asia/Shanghai, or ±hh:mm',
    default: 'Asia/Shanghai',
    parse: timeZone,
  }),
  TAISHI_RETENTION_DAYS: setting({
    doc: 'Days events are kept. The Cybersecurity Law requires six months of network logs; six calendar months last up to 184 days.',
    accepted: 'an integer 1-3650 (below 184 only with TAISHI_RETENTION_OVERRIDE=true)',
    default: '184',
    parse: integer(1, 3650),
  }),
  TAISHI_RETENTION_OVERRIDE: setting({
    doc: 'Allow a retention below 184 days (warned about at every start).',
    accepted: 'true or false',
    default: 'false',
    parse: boolean,
  }),
  TAISHI_EXPECTED_INTERVAL_MINUTES: setting({
    doc: 'How long a running asset without an expected reporting interval of its own may send no event before the situation page lists it as unknown / no data (未知 / 无数据). An asset’s own interval (1 minute to 31 days) takes its place.',
    accepted: 'an integer 1-44640',
    default: '1440',
    parse: integer(1, 44640),
  }),
  TAISHI_ELASTICSEARCH_URL: setting({
    doc: 'Elasticsearch 8 cluster for events; when unset, events are stored in PostgreSQL.',
    accepted: 'an http:// or https:// URL (credentials may be embedded)',
    parse: url('http:', 'https:'),
    secret: true,
  }),
  TAISHI_ELASTICSEARCH_INDEX_PREFIX: setting({
    doc: 'Prefix of the daily event indices and the index template.',
    accepted: 'lower-case letters, digits and - (1-40 characters)',
    default: 'taishi-events',
    parse: (raw: string) => (/^[a-z0-9][a-z0-9-]{0,39}$/.test(raw) ? raw : undefined),
  }),
  TAISHI_INGEST_ACK: setting({
    doc: 'When HTTP ingest answers 202 and an MQTT message is acknowledged. stored: once the events are parsed and stored (or spooled), so they can be searched as soon as the sender hears back. journal: once the batch or message as received is fsynced to the ingest journal (TAISHI_DATA_DIR/journal); it is parsed, stored and run through detection right after, and again after a crash until stored. journal answers senders sooner and absorbs bursts; its backlog shares the TAISHI_INGEST_QUEUE_EVENTS limit and the TAISHI_SPOOL_MAX_BYTES disk allowance.',
    accepted: 'stored or journal',
    default: 'stored',
    parse: oneOf('stored', 'journal'),
  }),
  TAISHI_INGEST_QUEUE_EVENTS: setting({
    doc: 'Accepted events held in memory before collectors are pushed back (HTTP 503, TCP pause, UDP drops).',
    accepted: 'an integer 1000-10000000',
    default: '200000',
    parse: integer(1000, 10_000_000),
  }),
  TAISHI_INGEST_WORKERS: setting({
    doc: 'Worker threads that parse, enrich and mask ingest batches of 100 records or more, so the main thread keeps the network and the store; auto starts one per CPU core beyond two (one core for the network and the store client, one for the database beside them: on two cores the threads cost more CPU than they save), 0 processes every batch on the main thread.',
    accepted: 'auto, or an integer 0-64',
    default: 'auto',
    parse: (raw: string) => (raw.toLowerCase() === 'auto' ? Math.max(0, availableParallelism() - 2) : integer(0, 64)(raw)),
  }),
  TAISHI_INGEST_BATCH: setting({ doc: 'Events per store write.', accepted: 'an integer 100-100000', default: '5000', parse: integer(100, 100_000) }),
  TAISHI_SPOOL_MAX_BYTES: setting({
    doc: 'Disk the spool may use for events while the store is unreachable; beyond it ingest is refused.',
    accepted: 'a size such as 500mb, 2gb',
    default: '2gb',
    parse: byteSize,
  }),
  TAISHI_SYSLOG_HOST: setting({ doc: 'Address the syslog listeners bind to; bind to the interface facing the devices rather than all of them.', accepted: 'an IP address', default: '0.0.0.0', parse: (raw: string) => (isIP(raw) ? raw : undefined) }),
  TAISHI_SYSLOG_UDP_PORT: setting({ doc: 'Syslog UDP port; off disables it.', accepted: 'an integer 1-65535, or off', default: '5514', parse: portOrOff }),
  TAISHI_SYSLOG_TCP_PORT: setting({ doc: 'Syslog TCP port (newline framing or RFC 6587 octet counting); off disables it.', accepted: 'an integer 1-65535, or off', default: '5514', parse: portOrOff }),
  TAISHI_SYSLOG_TLS_PORT: setting({ doc: 'Syslog over TLS port (RFC 5425); off unless set, needs the certificate and key.', accepted: 'an integer 1-65535, or off', default: 'off', parse: portOrOff }),
  TAISHI_SYSLOG_TLS_CERT: setting({ doc: 'PEM certificate file of the syslog TLS listener.', accepted: 'a file path', parse: nonEmpty }),
  TAISHI_SYSLOG_TLS_KEY: setting({ doc: 'PEM private key file of the syslog TLS listener.', accepted: 'a file path', parse: nonEmpty }),
  TAISHI_SYSLOG_ALLOW: setting({
    doc: 'Only accept syslog from these senders; empty accepts all (warned about at start unless the listeners are on loopback).',
    accepted: 'comma-separated CIDR blocks, e.g. 10.0.0.0/8,192.168.1.0/24',
    parse: cidrList,
  }),
  TAISHI_SYSLOG_MAX_CONNECTIONS: setting({ doc: 'Open syslog TCP and TLS connections allowed at once; more are refused and counted.', accepted: 'an integer 1-100000', default: '1000', parse: integer(1, 100_000) }),
  TAISHI_SYSLOG_MAX_CONNECTIONS_PER_SOURCE: setting({
    doc: 'Open syslog TCP and TLS connections allowed from one sender (IPv4 address or IPv6 /64), so one sender cannot take them all.',
    accepted: 'an integer 1-100000',
    default: '20',
    parse: integer(1, 100_000),
  }),
  TAISHI_SYSLOG_IDLE_SECONDS: setting({ doc: 'A syslog TCP or TLS connection that sends nothing for this long is closed (senders reconnect when they next log).', accepted: 'an integer 10-86400', default: '300', parse: integer(10, 86_400) }),
  TAISHI_SYSLOG_UDP_BUFFER: setting({
    doc: 'Receive buffer (SO_RCVBUF) of the syslog UDP socket, which rides out bursts; the kernel caps it at net.core.rmem_max (warned about at start).',
    accepted: 'a size such as 512kb, 8mb',
    default: '8mb',
    parse: byteSize,
  }),
  TAISHI_MQTT_URL: setting({ doc: 'MQTT broker to subscribe to for IoT telemetry; unset disables MQTT.', accepted: 'an mqtt://, mqtts://, ws:// or wss:// URL', parse: url('mqtt:', 'mqtts:', 'ws:', 'wss:'), secret: true }),
  TAISHI_MQTT_TOPICS: setting({ doc: 'Topics (filters) to subscribe to.', accepted: 'comma-separated MQTT topic filters', default: 'taishi/#', parse: (raw: string) => { const topics = raw.split(',').map((t) => t.trim()).filter(Boolean); return topics.length ? topics : undefined; } }),
  TAISHI_MQTT_CLIENT_ID: setting({ doc: 'MQTT client id (a persistent session keeps QoS 1 messages across restarts).', accepted: '1-64 characters', default: 'taishi', parse: (raw: string) => (raw.length <= 64 && raw ? raw : undefined) }),
  TAISHI_CONSOLE_DIR: setting({
    doc: 'Folder of the built web console served at /; unset serves the one built with the service, off serves none (an API-only instance).',
    accepted: 'a folder path, or off',
    parse: nonEmpty,
  }),
  TAISHI_METRICS_PUBLIC: setting({ doc: 'Serve /metrics without authentication (for a Prometheus on a trusted network).', accepted: 'true or false', default: 'false', parse: boolean }),
  TAISHI_ALERT_GROUP_MINUTES: setting({
    doc: 'Repeats of a rule on the same group key within this many minutes update one open alert.',
    accepted: 'an integer 1-10080',
    default: '60',
    parse: integer(1, 10080),
  }),
  TAISHI_RULES_DIR: setting({ doc: 'Folder of Sigma detection rules, reloaded when its files change.', accepted: 'a folder path', default: './rules/detection', parse: nonEmpty }),
  TAISHI_RULE_PLACEHOLDERS: setting({ doc: 'YAML file of values for Sigma `expand` placeholders (%name%).', accepted: 'a file path', default: './rules/placeholders.yml', parse: nonEmpty }),
  TAISHI_RULE_CACHE: setting({
    doc: 'Folder that keeps the parsed YAML of rule files between loads, found by each file\'s hash (an edited file is parsed afresh; cache files unused for 30 days are removed, at most 100 kept); unset uses a folder of the OS user in the system\'s temporary folder, off keeps none.',
    accepted: 'a folder path, or off',
    parse: nonEmpty,
  }),
  TAISHI_LOGSOURCES: setting({ doc: 'YAML mapping of Sigma logsources and field names to normalized events.', accepted: 'a file path', default: './rules/logsources.yml', parse: nonEmpty }),
  TAISHI_ORGANISATION_NAME: setting({ doc: 'Name of the organisation running Taishi, as it appears in incident reports and audit reports.', accepted: 'any text', default: '本单位', parse: nonEmpty }),
  TAISHI_ORGANISATION_TYPE: setting({
    doc: 'Which reporting deadline applies to incidents that touch no CII asset: other_operator (4 h, provincial CAC) or central_organ (2 h, central and state organs). CII assets always use 1 h.',
    accepted: 'other_operator or central_organ',
    default: 'other_operator',
    parse: oneOf('other_operator', 'central_organ'),
  }),
  TAISHI_INCIDENT_RULES_DIR: setting({ doc: 'Folder of the incident policy (policy.yml: grouping, SLAs, recovery quiet period) and grading table (grading.yml).', accepted: 'a folder path', default: './rules/incidents', parse: nonEmpty }),
  TAISHI_PLAYBOOKS_DIR: setting({ doc: 'Folder of incident playbooks, one YAML file per playbook.', accepted: 'a folder path', default: './rules/playbooks', parse: nonEmpty }),
  TAISHI_INCIDENT_TICK_SECONDS: setting({ doc: 'How often SLA timers and reporting clocks are checked.', accepted: 'an integer 1-3600', default: '30', parse: integer(1, 3600) }),
  TAISHI_PII_MASKING: setting({
    doc: 'What happens to personal data found in events before they are stored: mask (110105********002X), hash (keyed hash only) or keep.',
    accepted: 'mask, hash or keep',
    default: 'mask',
    parse: oneOf('mask', 'hash', 'keep'),
  }),
  TAISHI_PII_KEY: setting({
    doc: 'Key of the keyed hashes kept for correlating masked personal data; generated and stored in the database when unset.',
    accepted: 'at least 16 characters',
    parse: (raw: string) => (raw.length >= 16 ? raw : undefined),
    secret: true,
  }),
  TAISHI_AUDIT_KEY: setting({
    doc: 'Key of the audit trail\'s HMAC chain. Unset, one is generated in audit.key in TAISHI_DATA_DIR (mode 0600). Every Taishi instance writing to one database needs the same key; keep a copy apart from the database backups.',
    accepted: 'at least 32 characters',
    parse: (raw: string) => (raw.trim().length >= 32 ? raw.trim() : undefined),
    secret: true,
  }),
  TAISHI_AUDIT_ANCHOR_SECONDS: setting({
    doc: 'How often the head of the audit trail is anchored outside the database (audit-anchor.json in TAISHI_DATA_DIR, and the service log), so that deleting the newest records is detected.',
    accepted: 'an integer 1-86400',
    default: '300',
    parse: integer(1, 86400),
  }),
  TAISHI_SMTP_HOST: setting({
    doc: 'SMTP server for notification e-mail; when unset, notifications are kept in the outbox as `held` and not sent.',
    accepted: 'a host name or IP address',
    parse: nonEmpty,
  }),
  TAISHI_SMTP_PORT: setting({ doc: 'SMTP server port.', accepted: 'an integer 1-65535', default: '587', parse: integer(1, 65535) }),
  TAISHI_SMTP_TLS: setting({
    doc: 'Encryption to the SMTP server: starttls (upgrade required, usually port 587), tls (implicit, usually 465) or off (a local relay only).',
    accepted: 'off, starttls or tls',
    default: 'starttls',
    parse: oneOf('off', 'starttls', 'tls'),
  }),
  TAISHI_SMTP_USER: setting({ doc: 'SMTP login name; unset sends without authentication.', accepted: 'any text', parse: nonEmpty }),
  TAISHI_SMTP_PASSWORD: setting({ doc: 'SMTP login password.', accepted: 'any text', parse: nonEmpty, secret: true }),
  TAISHI_SMTP_FROM: setting({
    doc: 'Sender of notification e-mail.',
    accepted: 'an address such as taishi@example.cn, or a name followed by the address in angle brackets',
    default: 'Taishi 态势 <taishi@localhost>',
    parse: (raw: string) => (/^(?:[^<>\p{Cc}]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/u.test(raw.trim()) ? raw.trim() : undefined),
  }),
  TAISHI_PUBLIC_URL: setting({
    doc: 'Address people open Taishi at; e-mail links point there. Unset leaves links out.',
    accepted: 'an http:// or https:// URL',
    parse: url('http:', 'https:'),
  }),
  TAISHI_DIGEST_CRON: setting({
    doc: 'When the daily notification digest is sent (cron expression, Asia/Shanghai time); off disables it.',
    accepted: 'a cron expression such as 0 8 * * *, or off',
    default: '0 8 * * *',
    parse: (raw: string) => (raw.toLowerCase() === 'off' ? false : cronProblem(raw) === undefined ? raw : undefined),
  }),
  TAISHI_COMPLIANCE_DIR: setting({ doc: 'Folder of the compliance control catalogue (one YAML file per law or standard).', accepted: 'a folder path', default: './rules/compliance', parse: nonEmpty }),
  TAISHI_GEO_COUNTRY_DB: setting({
    doc: 'Where the IP-to-country ranges come from: the bundled package @ip-location-db/geo-whois-asn-country (refreshed by updating it), or a folder holding newer geo-whois-asn-country-ipv4.csv and -ipv6.csv files of the same format. Audits count data sent to addresses outside mainland China as connections abroad.',
    accepted: 'the package name or a folder path',
    default: '@ip-location-db/geo-whois-asn-country',
    parse: nonEmpty,
  }),
  TAISHI_COMPLIANCE_LOOKBACK_DAYS: setting({
    doc: 'Days of stored events an audit searches for connections abroad.',
    accepted: 'an integer 1-400',
    default: '30',
    parse: integer(1, 400),
  }),
  TAISHI_EVIDENCE_MAX_BYTES: setting({
    doc: 'Largest evidence file a compliance officer may attach to an attestation; larger uploads get 413.',
    accepted: 'a size such as 20mb',
    default: '20mb',
    parse: byteSize,
  }),
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;
type Parsed<K extends SettingName> = Exclude<ReturnType<(typeof SETTINGS)[K]['parse']>, undefined>;
export type Settings = { [K in SettingName]: (typeof SETTINGS)[K] extends { default: string } ? Parsed<K> : Parsed<K> | undefined };

function readConfigFile(file: string): Record<string, string> {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('TAISHI_CONFIG_FILE', 'a readable file path', `${file} (${(error as Error).message})`);
  }
  const values: Record<string, string> = {};
  for (const [index, line] of content.split(/\r?\n/).entries()) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) throw new ConfigError('TAISHI_CONFIG_FILE', `KEY=VALUE lines (line ${index + 1} is not)`, file);
    values[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/**
 * Whether the organisation was given its name. Reports carry it, and the placeholder default
 * (本单位, "this organisation") is not a name: a report bearing it asks the admin to set one.
 */
export function organisationNamed(settings: Pick<Settings, 'TAISHI_ORGANISATION_NAME'>): boolean {
  return settings.TAISHI_ORGANISATION_NAME.trim() !== SETTINGS.TAISHI_ORGANISATION_NAME.default;
}

/** Parses and validates all settings; throws ConfigError naming the first bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const fromFile = env.TAISHI_CONFIG_FILE ? readConfigFile(env.TAISHI_CONFIG_FILE) : {};
  for (const key of Object.keys(fromFile)) {
    if (!(key in SETTINGS)) throw new ConfigError(key, `a known setting (see README); found in ${env.TAISHI_CONFIG_FILE}`, fromFile[key]);
  }
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const raw = env[name] ?? fromFile[name] ?? spec.default;
    if (raw === undefined || raw === '') {
      result[name] = undefined;
      continue;
    }
    const value = spec.parse(raw);
    if (value === undefined) throw new ConfigError(name, spec.accepted, spec.secret ? '(hidden)' : raw);
    result[name] = value;
  }
  const settings = result as Settings;
  if (settings.TAISHI_RETENTION_DAYS < 184 && !settings.TAISHI_RETENTION_OVERRIDE) {
    throw new ConfigError('TAISHI_RETENTION_DAYS', 'at least 184 (the Cybersecurity Law asks six months of network logs; six calendar months last up to 184 days), or set TAISHI_RETENTION_OVERRIDE=true', String(settings.TAISHI_RETENTION_DAYS));
  }
  return settings;
}
