import { classify } from './actions.js';
import { looksLikeAudit, parseAudit } from './auditd.js';
import { looksLikeDatabase, parseDatabase, parseMysqlSyslog, parsePostgres } from './database.js';
import { decodeLine } from './decode.js';
import { acceptEcs, looksLikeEcs } from './ecs.js';
import { setVendor, isJsonObject, type Json } from './fields.js';
import { applyCommonFields, looksLikeNetfilter, parseKeyValue, parseNetfilter } from './firewall.js';
import { parseAccounts } from './programs/accounts.js';
import { parseCron, parseSu, parseSudo } from './programs/local-auth.js';
import {
  parseChage, parseFtpd, parseKlogind, parseLogin, parseLogind, parseProftpd, parseSystemd, parseUnixChkpwd, parseVsftpd, parseXinetd,
} from './programs/linux-services.js';
import { parseGearText, refineGearPairs } from './network-gear/index.js';
import { legacyPamTag, parseLegacyPam, parsePam } from './programs/pam.js';
import { parseSshd } from './programs/sshd.js';
import type { FormatHint, NormalizedEvent, ParseContext } from '../../shared/event-schema.js';
import { applyEnvelope, parseSyslogEnvelope } from './syslog.js';
import { parseTelemetry } from './telemetry.js';
import { DEFAULT_TIME_ZONE, isoOrUndefined, parseTimeValue, toIso } from './time.js';
import { looksLikeNamedFile, looksLikeSquid, parseHaproxy, parseNamed, parseNamedFile, parseSquid } from './proxy-dns.js';
import { parseAccessLog, parseApacheError, parseNginxError, parseSslRequestLog } from './web.js';
import { isWindowsRecord, parseWindows } from './windows.js';

/**
 * Entry points: one line of text, one line of bytes, or one JSON record in; exactly one event
 * out. Nothing here throws on bad input and nothing is dropped: what no parser recognises
 * becomes a raw event (`event.action` 'unknown', `message` = the text).
 */

export const DEFAULT_MAX_LINE_LENGTH = 65_536;

interface Run {
  zone: string;
  now: number;
  context: ParseContext;
  /** Parsing the line a shipper wrapped: a line inside it is not unwrapped again (see shippedLine). */
  unwrapped: boolean;
}

function runOf(context: ParseContext): Run {
  return {
    zone: context.timeZone ?? DEFAULT_TIME_ZONE,
    now: (context.now ?? context.receivedAt).getTime(),
    context,
    unwrapped: false,
  };
}

function baseEvent(context: ParseContext, original: string): NormalizedEvent {
  const received = toIso(context.receivedAt.getTime());
  return {
    '@timestamp': received,
    event: {
      kind: 'event', category: [], type: ['info'], action: 'unknown',
      dataset: 'generic.raw', module: 'generic', original, created: received,
    },
    message: original,
  };
}

function addTag(event: NormalizedEvent, tag: string): void {
  (event.tags ??= []).push(tag);
}

/** Decodes (UTF-8 or GB18030) and parses one line; notes the encoding and any loss in `tags`. */
export function parseBytes(bytes: Buffer, context: ParseContext): NormalizedEvent {
  const decoded = decodeLine(bytes);
  const event = parseLine(decoded.text, context);
  if (decoded.encoding === 'gb18030') addTag(event, 'gb18030');
  if (decoded.lossy) addTag(event, 'lossy_decode');
  return event;
}

export function parseLine(line: string, context: ParseContext): NormalizedEvent {
  let text = line;
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  if (end < text.length) text = text.slice(0, end);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const max = context.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const truncated = text.length > max;
  if (truncated) text = text.slice(0, max);

  const run = runOf(context);
  const event = parseText(text, run);
  if (truncated) addTag(event, 'truncated');
  return event;
}

function parseText(text: string, run: Run): NormalizedEvent {
  const hint: FormatHint = run.context.format ?? 'auto';
  if (hint === 'raw') return baseEvent(run.context, text);
  if (hint !== 'auto') {
    const hinted = byHint(text, hint, run);
    if (hinted) return hinted;
    const event = autoDetect(text, run);
    addTag(event, 'hint_mismatch');
    return event;
  }
  return autoDetect(text, run);
}

function byHint(text: string, hint: Exclude<FormatHint, 'auto' | 'raw'>, run: Run): NormalizedEvent | undefined {
  switch (hint) {
    case 'syslog':
      return trySyslog(text, run);
    case 'iptables': {
      const viaSyslog = trySyslog(text, run);
      if (viaSyslog?.event.module === 'iptables') return viaSyslog;
      return tryNetfilter(text, run);
    }
    case 'nginx':
    case 'apache':
      return tryWeb(text, run, hint);
    case 'kv': {
      const event = baseEvent(run.context, text);
      return keyValueInto(text, event, run.zone) ? event : undefined;
    }
    case 'json':
    case 'windows':
    case 'telemetry':
      return tryJsonText(text, run, hint);
  }
}

const SYSLOG_START_RE = /^(?:<\d{1,3}>|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d |\d{4}-\d\d-\d\dT\d\d:)/;
const NGINX_ERROR_START_RE = /^\d{4}\/\d\d\/\d\d /;

/** Cheap tests on the first characters pick the one or two parsers worth trying. */
function autoDetect(text: string, run: Run): NormalizedEvent {
  const first = text.charCodeAt(0);
  let event: NormalizedEvent | undefined;
  if (first >= 48 && first <= 57 && looksLikeDatabase(text)) event = tryDatabase(text, run);
  if (event) return event;
  if (first >= 48 && first <= 57 && looksLikeSquid(text)) event = trySquid(text, run);
  else if (first >= 48 && first <= 57 && looksLikeNamedFile(text)) event = tryNamedFile(text, run);
  if (event) return event;
  if (first === 123 /* { */) event = tryJsonText(text, run, 'json');
  else if (SYSLOG_START_RE.test(text)) event = trySyslog(text, run);
  else if (first === 91 /* [ */) event = tryWeb(text, run, 'apache');
  else if (NGINX_ERROR_START_RE.test(text)) event = tryWeb(text, run, 'nginx');
  else if (text.includes('] "')) event = tryWeb(text, run, undefined);
  if (event) return event;
  if (looksLikeAudit(text)) event = tryAudit(text, run);
  if (event) return event;
  if (looksLikeNetfilter(text)) event = tryNetfilter(text, run);
  if (event) return event;
  const kv = baseEvent(run.context, text);
  if (keyValueInto(text, kv, run.zone)) return kv;
  const gear = baseEvent(run.context, text);
  if (parseGearText(text, text, undefined, gear)) return gear;
  return baseEvent(run.context, text);
}

/** A fresh event filled by one whole-line parser, or undefined when the line is not its format. */
function tryWhole(text: string, run: Run, parse: (text: string, event: NormalizedEvent, zone: string) => boolean): NormalizedEvent | undefined {
  const event = baseEvent(run.context, text);
  return parse(text, event, run.zone) ? event : undefined;
}

const tryAudit = (text: string, run: Run) => tryWhole(text, run, parseAudit);
const tryDatabase = (text: string, run: Run) => tryWhole(text, run, parseDatabase);
const trySquid = (text: string, run: Run) => tryWhole(text, run, parseSquid);
const tryNamedFile = (text: string, run: Run) => tryWhole(text, run, parseNamedFile);

function tryNetfilter(text: string, run: Run): NormalizedEvent | undefined {
  const event = baseEvent(run.context, text);
  if (!parseNetfilter(text, event)) return undefined;
  event.event.module = 'iptables';
  event.event.dataset = 'iptables.log';
  return event;
}

/** Access log first (the common case), then the server's own error-log format. */
function tryWeb(text: string, run: Run, server: 'nginx' | 'apache' | undefined): NormalizedEvent | undefined {
  const event = baseEvent(run.context, text);
  if (webInto(text, event, run, server)) return event;
  return undefined;
}

function webInto(text: string, event: NormalizedEvent, run: Run, server: 'nginx' | 'apache' | undefined): boolean {
  if (parseAccessLog(text, event)) {
    event.event.module = server ?? 'http';
    event.event.dataset = `${event.event.module}.access`;
    return true;
  }
  if (server !== 'nginx' && parseSslRequestLog(text, event)) {
    event.event.module = 'apache';
    event.event.dataset = 'apache.ssl_request';
    return true;
  }
  if (server !== 'nginx' && parseApacheError(text, event, run.zone)) {
    event.event.module = 'apache';
    event.event.dataset = 'apache.error';
    return true;
  }
  if (server !== 'apache' && parseNginxError(text, event, run.zone)) {
    event.event.module = 'nginx';
    event.event.dataset = 'nginx.error';
    return true;
  }
  return false;
}

type ProgramParser = (message: string, event: NormalizedEvent, run: Run) => boolean;

const authProgram = (parse: (m: string, e: NormalizedEvent) => boolean): ProgramParser => (message, event) => {
  event.event.module = 'system';
  event.event.dataset = 'system.auth';
  return parse(message, event);
};

const webProgram = (server: 'nginx' | 'apache'): ProgramParser => (message, event, run) => {
  if (webInto(message, event, run, server)) return true;
  // error lines sent over syslog lose their own header; the message is all there is
  event.event.module = server;
  event.event.dataset = `${server}.error`;
  classify(event, 'web_server_message');
  return true;
};

const accounts = authProgram(parseAccounts);
const ftpd = authProgram(parseFtpd);
const systemProgram = (parse: (m: string, e: NormalizedEvent) => boolean): ProgramParser => (message, event) => parse(message, event);
const postgres: ProgramParser = (message, event, run) => parsePostgres(message.replace(/^\[\d+-\d+\] /, ''), event, run.zone);
const mysql: ProgramParser = (message, event, run) => parseMysqlSyslog(message, event, run.zone);
const audit = systemProgram(parseAudit);

/** Programs by syslog tag (lower case, path and OpenSSH's -session/-auth helpers stripped). */
const PROGRAMS: Record<string, ProgramParser> = {
  sshd: authProgram(parseSshd),
  sudo: authProgram(parseSudo),
  su: authProgram(parseSu),
  cron: authProgram(parseCron),
  crond: authProgram(parseCron),
  useradd: accounts, usermod: accounts, userdel: accounts, groupadd: accounts, groupdel: accounts,
  groupmod: accounts, gpasswd: accounts, passwd: accounts, chpasswd: accounts,
  login: authProgram(parseLogin), klogind: authProgram(parseKlogind), eklogind: authProgram(parseKlogind),
  kshd: authProgram(parseKlogind), xinetd: authProgram(parseXinetd), ftpd: ftpd, 'in.ftpd': ftpd, 'wu-ftpd': ftpd,
  vsftpd: authProgram(parseVsftpd), proftpd: authProgram(parseProftpd), unix_chkpwd: authProgram(parseUnixChkpwd),
  chage: authProgram(parseChage), systemd: systemProgram(parseSystemd), 'systemd-logind': authProgram(parseLogind),
  postgres, postgresql: postgres, postmaster: postgres, mysqld: mysql, mariadbd: mysql,
  audit, audispd: audit, 'audisp-syslog': audit,
  nginx: webProgram('nginx'),
  httpd: webProgram('apache'),
  apache2: webProgram('apache'),
  haproxy: (message, event, run) => parseHaproxy(message, event, run.zone),
  squid: (message, event) => parseSquid(message, event),
  named: (message, event) => parseNamed(message.replace(/^(?:[\w-]+: )?(?:info|notice|warning|error): /, ''), event),
};

function programKey(appName: string): string {
  const base = appName.slice(appName.lastIndexOf('/') + 1).toLowerCase();
  return base === 'sshd-session' || base === 'sshd-auth' ? 'sshd' : base;
}

function programFor(appName: string): ProgramParser | undefined {
  const known = PROGRAMS[programKey(appName)];
  if (known) return known;
  const legacy = legacyPamTag(appName);
  return legacy && authProgram((message, event) => parseLegacyPam(legacy, message, event));
}

// rsyslog collapses duplicates into "message repeated 5 times: [ original ]"
const REPEATED_RE = /^message repeated (\d+) times: \[ ?(.*?)\]$/;

function trySyslog(text: string, run: Run): NormalizedEvent | undefined {
  const envelope = parseSyslogEnvelope(text, run.zone, run.now);
  if (!envelope) return undefined;
  let event = baseEvent(run.context, text);
  event.event.module = 'system';
  event.event.dataset = 'system.syslog';
  applyEnvelope(event, envelope);

  let message = envelope.message;
  const repeated = REPEATED_RE.exec(message);
  if (repeated) {
    setVendor(event, 'repeat_count', Number(repeated[1]));
    message = repeated[2];
  }
  const program = envelope.appName ? programFor(envelope.appName) : undefined;
  if (program) {
    program(message, event, run);
    return event;
  }
  // unknown or missing program: recognise the message by its content
  if (parseGearText(text, message, envelope.appName, event)) return event;
  if (message.startsWith('pam_')) authProgram(parsePam)(message, event, run);
  else if (looksLikeAudit(message)) parseAudit(message, event);
  else if (looksLikeNetfilter(message) && parseNetfilter(message, event)) {
    event.event.module = 'iptables';
    event.event.dataset = 'iptables.log';
  } else if (message.charCodeAt(0) === 123 /* { */) {
    const record = parseJsonObject(message);
    if (record) event = applyJson(record, event, run, 'json');
  } else keyValueInto(message, event, run.zone);
  return event;
}

/** The generic key=value reader, refined for appliances it recognises (FortiGate, SonicWall). */
function keyValueInto(text: string, event: NormalizedEvent, zone: string): boolean {
  if (!parseKeyValue(text, event, zone)) return false;
  refineGearPairs(event);
  return true;
}

function parseJsonObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

function tryJsonText(text: string, run: Run, hint: 'json' | 'windows' | 'telemetry'): NormalizedEvent | undefined {
  const record = parseJsonObject(text);
  if (!record) return undefined;
  const event = fromJson(record, text, run, hint);
  if (hint === 'windows' && event.event.module !== 'windows') return undefined;
  if (hint === 'telemetry' && event.event.kind !== 'metric') return undefined;
  return event;
}

/**
 * A record that HTTP NDJSON collectors have already parsed. Pass the raw line as `original` when
 * available; otherwise the record is serialised, which keeps eventId() stable across replays.
 */
export function parseJsonRecord(record: unknown, context: ParseContext, original?: string): NormalizedEvent {
  const run = runOf(context);
  const raw = original ?? safeStringify(record);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return baseEvent(context, raw);
  const hint = context.format === 'windows' || context.format === 'telemetry' ? context.format : 'json';
  return fromJson(record as Json, raw, run, hint);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A record received as JSON: the line a shipper wrapped (when it is one), else what applyJson makes of it. */
function fromJson(record: Json, original: string, run: Run, hint: 'json' | 'windows' | 'telemetry'): NormalizedEvent {
  const line = run.unwrapped || isWindowsRecord(record) ? undefined : shippedLine(record);
  const shipped = line === undefined ? undefined : parseShipped(line, record, run);
  return shipped ?? applyJson(record, baseEvent(run.context, original), run, hint);
}

/** Windows, then already-normalized ECS, then telemetry, then generic JSON. */
function applyJson(record: Json, event: NormalizedEvent, run: Run, hint: 'json' | 'windows' | 'telemetry'): NormalizedEvent {
  // the raw JSON is in event.original; as a message it would only duplicate it (left out rather
  // than deleted: a copy made without it measured 3-6% faster detection than the delete)
  const { message: _duplicate, ...jsonEvent }: NormalizedEvent = event;
  if (isWindowsRecord(record) && parseWindows(record, jsonEvent, run.zone)) return jsonEvent;
  if (looksLikeEcs(record)) {
    const ecs = acceptEcs(record, jsonEvent, run.zone);
    if (ecs) return ecs;
  }
  const requireDevice = run.context.transport !== 'mqtt' && hint !== 'telemetry';
  if (parseTelemetry(record, jsonEvent, run.zone, requireDevice)) return jsonEvent;
  const isFlow = applyCommonFields(record, jsonEvent, run.zone);
  jsonEvent.event.module = isFlow ? 'firewall' : 'generic';
  jsonEvent.event.dataset = isFlow ? 'firewall.log' : 'generic.json';
  jsonEvent.vendor = { ...jsonEvent.vendor, ...record };
  return jsonEvent;
}

/**
 * The line of text a log shipper wrapped in JSON, or undefined when the record is not such a
 * wrapper. Filebeat, Logstash and Vector put the line under `message`, Fluent Bit's tail input
 * and Docker's json-file driver under `log`; none of them says what the line is (a record whose
 * `event` names a dataset, module or action was normalized already, and passes as ECS).
 */
function shippedLine(record: Json): string | undefined {
  const event = record.event;
  if (isJsonObject(event) && (typeof event.dataset === 'string' || typeof event.module === 'string' || typeof event.action === 'string')) return undefined;
  const line = typeof record.message === 'string' ? record.message : typeof record.log === 'string' ? record.log : undefined;
  if (line === undefined) return undefined;
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 10 || line.charCodeAt(end - 1) === 13)) end--;
  return end > 0 ? line.slice(0, end) : undefined;
}

/** What shippers put around a line (Filebeat, Logstash, Vector, Fluent Bit, Docker): nothing of the event itself. */
const ENVELOPE_KEYS = new Set([
  '@timestamp', '@metadata', '@version', 'message', 'log', 'event', 'host', 'hostname', 'agent', 'ecs', 'input', 'fields', 'tags',
  'source_type', 'stream', 'file', 'path', 'time', 'timestamp', 'date',
]);

/** Times shippers stamp a line with when they read it: Filebeat and Logstash, Vector, Docker, Fluent Bit. */
const SHIPPER_TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'date'] as const;

/**
 * A shipped line parsed as if it had arrived alone, as the same line sent over syslog would be:
 * when some parser knows it, or when the record holds nothing but the line and the shipper's
 * fields (then an unknown line is a raw event like any other). The wrapper fills what the line
 * lacks (its time, its host); its other fields are kept under `vendor`. `event.original` is the
 * line, as ECS has it for shipped lines, so the event id is that of the line.
 */
function parseShipped(line: string, record: Json, run: Run): NormalizedEvent | undefined {
  run.unwrapped = true;
  let event: NormalizedEvent;
  try {
    event = autoDetect(line, run);
  } finally {
    run.unwrapped = false;
  }
  const known = event.event.dataset !== 'generic.raw' && event.event.dataset !== 'generic.kv';
  // for…in with an own-property test visits what Object.keys would, without building the array
  if (!known) for (const key in record) if (Object.hasOwn(record, key) && !ENVELOPE_KEYS.has(key)) return undefined;
  const lineKey = typeof record.message === 'string' ? 'message' : 'log';
  let timeKey: string | undefined;
  // a line without a time of its own was stamped on receipt; the shipper read it earlier than that
  if (event['@timestamp'] === event.event.created) {
    for (const key of SHIPPER_TIME_KEYS) {
      const at = isoOrUndefined(parseTimeValue(record[key], run.zone));
      if (!at) continue;
      event['@timestamp'] = at;
      timeKey = key;
      break;
    }
  }
  if (!event.host?.name && !event.host?.ip?.length) {
    const host = shipperHost(record);
    if (host) event.host = host;
  }
  // a host that only names the one the event already names says nothing more
  const host = record.host;
  const hostName = typeof host === 'string' ? host : isJsonObject(host) && Object.keys(host).length === 1 ? host.name : undefined;
  const named = event.host?.name;
  const hostTaken = typeof hostName === 'string' && named !== undefined && (hostName === named || hostName.toLowerCase() === named.toLowerCase());
  let rest: Json | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key) || key === lineKey || key === timeKey || (hostTaken && key === 'host')) continue;
    (rest ??= {})[key] = record[key];
  }
  if (rest) event.vendor = event.vendor ? { ...rest, ...event.vendor } : rest;
  return event;
}

/** The shipping host: `host` as a name or as ECS `host.name`/`host.ip` (Filebeat), else `hostname`. */
function shipperHost(record: Json): NormalizedEvent['host'] {
  const host = record.host;
  if (typeof host === 'string' && host) return { name: host };
  const named = isJsonObject(host) ? (host.name ?? host.hostname) : record.hostname;
  const ips = isJsonObject(host) ? (Array.isArray(host.ip) ? host.ip : [host.ip]).filter((ip): ip is string => typeof ip === 'string') : [];
  if (typeof named !== 'string' && !ips.length) return undefined;
  return { ...(typeof named === 'string' ? { name: named } : {}), ...(ips.length ? { ip: ips } : {}) };
}
