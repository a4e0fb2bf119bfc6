import type { NormalizedEvent } from '../../shared/event-schema.js';
import { fractionToMs, inferYearAndConvert, isoOrUndefined, localToUtc, monthIndex, parseDateTime } from './time.js';
import { toInt } from './fields.js';

/**
 * The syslog envelope: RFC 5424, RFC 3164 with or without the <PRI> (files such as auth.log drop
 * it), the ISO-dated variant rsyslog writes to files, and bare "<PRI>message" from devices that
 * skip the header altogether.
 */
export interface SyslogEnvelope {
  priority?: number;
  /** Epoch ms; undefined when the line has no timestamp. */
  timestamp?: number;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  version?: string;
  structuredData?: Record<string, Record<string, string>>;
  message: string;
}

const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5',
  'local6', 'local7',
];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

// "Dec 10 06:55:46", "Dec  1 06:55:46.123", Cisco's "Dec 10 2024 06:55:46", and a year after the time
const BSD_TIME_RE =
  /(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?: (\d{4}))?(?: |$)/y;
const ISO_TIME_RE = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)?)(?: |$)/y;
// "host tag[pid]: ", "tag[pid]: " without host, "host message" without tag. A host never ends in
// ":", or "sshd[1]: error: …" would read as host "sshd[1]:" and tag "error".
const HOST_TAG_RE = /(\S*[^\s:]) ([^\s:[\]]+)(?:\[(\d+)\])?:(?: |$)/y;
const TAG_RE = /([^\s:[\]]+)(?:\[(\d+)\])?:(?: |$)/y;
const HOST_RE = /(\S+)(?: |$)/y;

export function parseSyslogEnvelope(text: string, zone: string, now: number): SyslogEnvelope | undefined {
  let pos = 0;
  let priority: number | undefined;
  if (text.charCodeAt(0) === 60 /* < */) {
    const close = text.indexOf('>');
    if (close < 2 || close > 4) return undefined;
    priority = toInt(text.slice(1, close));
    if (priority === undefined || priority > 191) return undefined;
    pos = close + 1;
    if (text.startsWith('1 ', pos)) return parse5424(text, pos + 2, priority, zone);
  }

  let timestamp: number | undefined;
  BSD_TIME_RE.lastIndex = pos;
  const bsd = BSD_TIME_RE.exec(text);
  if (bsd) {
    const month = monthIndex(bsd[1])!;
    const [day, hour, minute, second] = [bsd[2], bsd[4], bsd[5], bsd[6]].map(Number);
    const ms = fractionToMs(bsd[7]);
    const year = bsd[3] ?? bsd[8];
    timestamp = year
      ? localToUtc(zone, Number(year), month, day, hour, minute, second, ms)
      : inferYearAndConvert(zone, now, month, day, hour, minute, second, ms);
    pos = BSD_TIME_RE.lastIndex;
  } else {
    ISO_TIME_RE.lastIndex = pos;
    const iso = ISO_TIME_RE.exec(text);
    if (iso) {
      timestamp = parseDateTime(iso[1], zone);
      pos = ISO_TIME_RE.lastIndex;
    } else if (priority === undefined) {
      return undefined;
    } else {
      // "<189>date=2024-01-01 time=… devname=…": a PRI and then straight into the message
      return { priority, message: text.slice(pos) };
    }
  }

  const envelope: SyslogEnvelope = { priority, timestamp, message: '' };
  HOST_TAG_RE.lastIndex = pos;
  let m = HOST_TAG_RE.exec(text);
  if (m) {
    envelope.hostname = m[1];
    envelope.appName = m[2];
    envelope.procId = m[3];
    envelope.message = text.slice(HOST_TAG_RE.lastIndex);
    return envelope;
  }
  TAG_RE.lastIndex = pos;
  m = TAG_RE.exec(text);
  if (m) {
    envelope.appName = m[1];
    envelope.procId = m[2];
    envelope.message = text.slice(TAG_RE.lastIndex);
    return envelope;
  }
  HOST_RE.lastIndex = pos;
  m = HOST_RE.exec(text);
  if (m) {
    envelope.hostname = m[1];
    envelope.message = text.slice(HOST_RE.lastIndex);
  }
  return envelope;
}

/** RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]. */
function parse5424(text: string, start: number, priority: number, zone: string): SyslogEnvelope | undefined {
  const fields: string[] = [];
  let pos = start;
  for (let i = 0; i < 5; i++) {
    const space = text.indexOf(' ', pos);
    if (space < 0) return undefined;
    fields.push(text.slice(pos, space));
    pos = space + 1;
  }
  const nil = (v: string) => (v === '-' ? undefined : v);
  const envelope: SyslogEnvelope = {
    priority,
    version: '1',
    timestamp: fields[0] === '-' ? undefined : parseDateTime(fields[0], zone),
    hostname: nil(fields[1]),
    appName: nil(fields[2]),
    procId: nil(fields[3]),
    msgId: nil(fields[4]),
    message: '',
  };
  if (envelope.timestamp !== undefined && Number.isNaN(envelope.timestamp)) envelope.timestamp = undefined;

  if (text[pos] === '-') pos++;
  else if (text[pos] === '[') {
    const sd = parseStructuredData(text, pos);
    if (!sd) return undefined;
    envelope.structuredData = sd.data;
    pos = sd.end;
  } else return undefined;

  if (text[pos] === ' ') pos++;
  let message = text.slice(pos);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  envelope.message = message;
  return envelope;
}

/** One or more [SD-ID name="value" …] elements; values escape '"', '\' and ']' with '\'. */
function parseStructuredData(text: string, start: number): { data: Record<string, Record<string, string>>; end: number } | undefined {
  const data: Record<string, Record<string, string>> = {};
  let pos = start;
  while (text[pos] === '[') {
    pos++;
    const idEnd = findAny(text, pos, ' ]');
    if (idEnd < 0) return undefined;
    const params: Record<string, string> = {};
    data[text.slice(pos, idEnd)] = params;
    pos = idEnd;
    while (text[pos] === ' ') {
      pos++;
      const eq = text.indexOf('=', pos);
      if (eq < 0 || text[eq + 1] !== '"') return undefined;
      const name = text.slice(pos, eq);
      let value = '';
      pos = eq + 2;
      for (;;) {
        const ch = text[pos];
        if (ch === undefined) return undefined;
        if (ch === '\\' && pos + 1 < text.length && '"\\]'.includes(text[pos + 1])) {
          value += text[pos + 1];
          pos += 2;
        } else if (ch === '"') {
          pos++;
          break;
        } else {
          value += ch;
          pos++;
        }
      }
      params[name] = value;
    }
    if (text[pos] !== ']') return undefined;
    pos++;
  }
  return { data, end: pos };
}

function findAny(text: string, from: number, chars: string): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text[i])) return i;
  return -1;
}

/** Copies the envelope onto the event: time, host, program, PRI-derived facility and severity. */
export function applyEnvelope(event: NormalizedEvent, envelope: SyslogEnvelope): void {
  const at = envelope.timestamp === undefined ? undefined : isoOrUndefined(envelope.timestamp);
  if (at) event['@timestamp'] = at;
  if (envelope.hostname) event.host = { name: envelope.hostname };
  if (envelope.appName) {
    event.process = { name: envelope.appName };
    const pid = toInt(envelope.procId);
    if (pid !== undefined) event.process.pid = pid;
  }
  if (envelope.priority === undefined && !envelope.version) {
    event.message = envelope.message;
    return;
  }
  const syslog: NonNullable<NonNullable<NormalizedEvent['log']>['syslog']> = {};
  if (envelope.priority !== undefined) {
    const severity = envelope.priority & 7;
    const facility = envelope.priority >> 3;
    syslog.priority = envelope.priority;
    syslog.facility = { code: facility, name: FACILITIES[facility] };
    syslog.severity = { code: severity, name: SEVERITIES[severity] };
    event.event.severity = severity;
    event.log = { level: SEVERITIES[severity] };
  }
  if (envelope.version) {
    syslog.version = envelope.version;
    if (envelope.hostname) syslog.hostname = envelope.hostname;
    if (envelope.appName) syslog.appname = envelope.appName;
    if (envelope.procId) syslog.procid = envelope.procId;
    if (envelope.msgId) syslog.msgid = envelope.msgId;
    if (envelope.structuredData) syslog.structured_data = envelope.structuredData;
  }
  (event.log ??= {}).syslog = syslog;
  event.message = envelope.message;
}
