import { isIP } from 'node:net';
import { classify } from './actions.js';
import { setDestination, setSource, setUrl, setUser, setVendor, toInt } from './fields.js';
import type { NormalizedEvent } from '../../shared/event-schema.js';
import { fractionToMs, isoOrUndefined, localToUtc, monthIndex } from './time.js';

/**
 * nginx and Apache httpd logs: the shared access-log formats (NCSA common and combined) and each
 * server's own error-log format. Functions return false when the text is not that format.
 */

// host ident authuser [time] "request" status bytes ["referer" "user-agent"] [anything nginx appends]
const ACCESS_RE =
  /^(\S+) (\S+) (\S+) \[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;
const REQUEST_RE = /^([A-Za-z_-]+) (\S+)(?: HTTP\/(\d(?:\.\d)?))?$/;

// nginx "$host $remote_addr …" and Apache vhost_combined "%v:%p %h …": the virtual host first
const VHOST_RE = /^([^\s:]+|\[[^\]]+\])(?::(\d+))? (?=\S+ \S+ \S+ \[)/;

export function parseAccessLog(text: string, event: NormalizedEvent): boolean {
  if (parseNcsa(text, event)) return true;
  const vhost = VHOST_RE.exec(text);
  if (!vhost || !parseNcsa(text.slice(vhost[0].length), event)) return false;
  const domain = vhost[1].replace(/^\[|\]$/g, '');
  (event.url ??= {}).domain = domain;
  if (isIP(domain)) setDestination(event, domain, vhost[2]);
  else (event.destination ??= {}).domain = domain;
  if (vhost[2]) {
    event.url.port = Number(vhost[2]);
    (event.destination ??= {}).port = Number(vhost[2]);
  }
  return true;
}

function parseNcsa(text: string, event: NormalizedEvent): boolean {
  const m = ACCESS_RE.exec(text);
  if (!m) return false;
  const month = monthIndex(m[5]);
  if (month === undefined) return false;
  event['@timestamp'] = isoOrUndefined(clfTime(m[6], month, m[4], m[7], m[8], m[9], m[10])) ?? event['@timestamp'];

  const status = toInt(m[12]);
  classify(event, 'http_request', status === undefined ? undefined : status < 400 ? 'success' : 'failure');
  setSource(event, m[1]);
  setUser(event, m[3]);
  applyRequest(event, m[11]);
  if (status !== undefined) (event.http ??= {}).response = { status_code: status };
  const bytes = toInt(m[13]);
  if (bytes !== undefined) ((event.http ??= {}).response ??= {}).body = { bytes };
  if (m[14] !== undefined && m[14] !== '-' && m[14] !== '') ((event.http ??= {}).request ??= {}).referrer = unescapeQuoted(m[14]);
  if (m[15] !== undefined && m[15] !== '-' && m[15] !== '') event.user_agent = { original: unescapeQuoted(m[15]) };
  return true;
}

/** The common log format's "[05/Dec/2026:07:00:00 +0800]" as an instant. */
function clfTime(year: string, month: number, day: string, hour: string, minute: string, second: string, offset: string): number {
  const offsetMinutes = (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3)));
  return Date.UTC(Number(year), month, Number(day), Number(hour), Number(minute), Number(second)) - offsetMinutes * 60_000;
}

/** "GET /a?b=1 HTTP/1.1" into http.request, http.version and url.*; anything else kept as sent. */
function applyRequest(event: NormalizedEvent, quoted: string): void {
  const request = unescapeQuoted(quoted);
  const parts = REQUEST_RE.exec(request);
  if (parts) {
    event.http = { request: { method: parts[1].toUpperCase() } };
    if (parts[3]) event.http.version = parts[3];
    setUrl(event, parts[2]);
  } else {
    // scanners send TLS handshakes and junk to port 80; keep what they sent
    event.http = {};
    if (request !== '-' && request !== '') setVendor(event, 'request', request);
  }
}

// Apache mod_ssl's ssl_request_log: "[time] client protocol cipher \"request\" bytes"
const SSL_REQUEST_RE = /^\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] (\S+) (\S+) (\S+) "((?:[^"\\]|\\.)*)" (\d+|-)$/;

export function parseSslRequestLog(text: string, event: NormalizedEvent): boolean {
  const m = SSL_REQUEST_RE.exec(text);
  const month = m ? monthIndex(m[2]) : undefined;
  if (!m || month === undefined) return false;
  event['@timestamp'] = isoOrUndefined(clfTime(m[3], month, m[1], m[4], m[5], m[6], m[7])) ?? event['@timestamp'];
  setSource(event, m[8]);
  event.tls = {};
  if (m[9] !== '-') event.tls.version = m[9].replace(/^TLSv/, '').replace(/^SSLv/, '');
  if (m[10] !== '-') event.tls.cipher = m[10];
  if (m[9] !== '-') setVendor(event, 'tls_protocol', m[9]);
  applyRequest(event, m[11]);
  const bytes = toInt(m[12]);
  if (bytes !== undefined) ((event.http ??= {}).response ??= {}).body = { bytes };
  // the SSL request log carries no status: a served request, outcome unknown
  classify(event, 'http_request');
  return true;
}

/** nginx and Apache escape '"' and '\' as \" and \\ inside quoted fields. */
function unescapeQuoted(value: string): string {
  return value.includes('\\') ? value.replace(/\\(["\\])/g, '$1') : value;
}

// "[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] msg" (2.2) and
// "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328] [client 1.2.3.4:5678] AH00124: msg" (2.4)
const APACHE_ERROR_RE =
  /^\[\w{3} (\w{3}) ([ \d]?\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{4})\] \[(?:([\w-]+):)?(\w+)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client ([^\]]+)\])? ?(.*)$/;
const APACHE_CLIENT_PORT_RE = /^(.*):(\d+)$/;
const APACHE_REFERER = ', referer: ';

export function parseApacheError(text: string, event: NormalizedEvent, zone: string): boolean {
  const m = APACHE_ERROR_RE.exec(text);
  if (!m) return false;
  const month = monthIndex(m[1]);
  if (month === undefined) return false;
  const at = localToUtc(zone, Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), fractionToMs(m[6]));
  event['@timestamp'] = isoOrUndefined(at) ?? event['@timestamp'];
  event.log = { level: m[9] };
  if (m[8]) event.log.logger = m[8];
  const pid = toInt(m[10]);
  if (pid !== undefined) event.process = { pid };
  if (m[12]) {
    // 2.4 appends the client port, 2.2 does not; IPv6 addresses contain colons of their own
    const withPort = APACHE_CLIENT_PORT_RE.exec(m[12]);
    if (withPort && isIP(withPort[1])) setSource(event, withPort[1], withPort[2]);
    else setSource(event, m[12]);
  }
  let message = m[13];
  const referer = message.lastIndexOf(APACHE_REFERER);
  if (referer >= 0) {
    event.http = { request: { referrer: message.slice(referer + APACHE_REFERER.length) } };
    message = message.slice(0, referer);
  }
  event.message = message;
  classifyErrorMessage(message, event);
  return true;
}

// "2024/01/01 12:00:00 [error] 1234#5678: *99 open() "/x" failed (2: …), client: 1.2.3.4, server: …"
const NGINX_ERROR_RE = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$/;
const NGINX_CONTEXT = ', client: ';
const NGINX_CONTEXT_FIELD_RE = /(?:^|, )(client|server|request|upstream|host|referrer): ("(?:[^"\\]|\\.)*"|[^,]*)/g;
const NGINX_REQUEST_RE = /^(\S+) (\S+)(?: HTTP\/(\d(?:\.\d)?))?$/;

export function parseNginxError(text: string, event: NormalizedEvent, zone: string): boolean {
  const m = NGINX_ERROR_RE.exec(text);
  if (!m) return false;
  const at = localToUtc(zone, Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  event['@timestamp'] = isoOrUndefined(at) ?? event['@timestamp'];
  event.log = { level: m[7] };
  event.process = { pid: Number(m[8]) };
  setVendor(event, 'tid', Number(m[9]));
  if (m[10]) setVendor(event, 'connection_id', Number(m[10]));

  let message = m[11];
  const context = message.indexOf(NGINX_CONTEXT);
  if (context >= 0) {
    applyNginxContext(message.slice(context + 2), event);
    message = message.slice(0, context);
  }
  event.message = message;
  classifyErrorMessage(message, event);
  return true;
}

function applyNginxContext(context: string, event: NormalizedEvent): void {
  NGINX_CONTEXT_FIELD_RE.lastIndex = 0;
  for (let f = NGINX_CONTEXT_FIELD_RE.exec(context); f; f = NGINX_CONTEXT_FIELD_RE.exec(context)) {
    const raw = f[2];
    const value = raw[0] === '"' ? unescapeQuoted(raw.slice(1, -1)) : raw;
    switch (f[1]) {
      case 'client':
        setSource(event, value);
        break;
      case 'server':
        setVendor(event, 'server', value);
        break;
      case 'host':
        (event.url ??= {}).domain = value;
        break;
      case 'upstream':
        setVendor(event, 'upstream', value);
        break;
      case 'referrer':
        ((event.http ??= {}).request ??= {}).referrer = value;
        break;
      case 'request': {
        const r = NGINX_REQUEST_RE.exec(value);
        if (!r) break;
        const domain = event.url?.domain;
        setUrl(event, r[2]);
        if (domain) event.url!.domain = domain;
        ((event.http ??= {}).request ??= {}).method = r[1];
        if (r[3]) event.http.version = r[3];
        break;
      }
    }
  }
}

// Apache: "Directory index forbidden by rule", "client denied by server configuration" (AH01630);
// nginx: "access forbidden by rule"
const DENIED_RE = /forbidden by rule|denied by server configuration|AH01630|AH01797/;
// Apache: "File does not exist" (2.2), AH00128; nginx: 'open() "…" failed (2: No such file or directory)'
const NOT_FOUND_RE = /^File does not exist|AH00128|\(2: No such file or directory\)/;

function classifyErrorMessage(message: string, event: NormalizedEvent): void {
  if (DENIED_RE.test(message)) classify(event, 'web_access_denied', 'failure');
  else if (NOT_FOUND_RE.test(message)) classify(event, 'web_file_not_found', 'failure');
  else classify(event, 'web_server_message');
}
