import { isIP } from 'node:net';
import { classify } from './actions.js';
import { setDestination, setSource, setUrl, setUser, setVendor, toInt } from './fields.js';
import type { NormalizedEvent } from '../../shared/event-schema.js';
import { fractionToMs, isoOrUndefined, localToUtc, monthIndex } from './time.js';

/**
 * What sits in front of and beside the web servers of a county network: HAProxy (HTTP and TCP log
 * formats), Squid's native access log, and BIND's query and security logs. Each function returns
 * false when the text is not its format, leaving the event untouched.
 */

// "05/Dec/2026:07:00:00.123", HAProxy's accept date in the host's local time
const HAPROXY_DATE_RE = /^(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/;
// client:port [date] frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes cookie cookie flags conns queues [{headers}] "request"
const HAPROXY_HTTP_RE =
  /^(\S+):(\d+) \[([^\]]+)\] (\S+) ([^\s/]+)\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/\+?(-?\d+) (-?\d+) \+?(\d+) \S+ \S+ (\S{4}) (\d+)\/(\d+)\/(\d+)\/(\d+)\/\+?(\d+) (\d+)\/(\d+)(?: \{[^}]*\})*(?: "((?:[^"\\]|\\.)*)")?$/;
// client:port [date] frontend backend/server Tw/Tc/Tt bytes flags conns queues
const HAPROXY_TCP_RE = /^(\S+):(\d+) \[([^\]]+)\] (\S+) ([^\s/]+)\/(\S+) (-?\d+)\/(-?\d+)\/\+?(-?\d+) \+?(\d+) (\S{2}) (\d+)\/(\d+)\/(\d+)\/(\d+)\/\+?(\d+) (\d+)\/(\d+)$/;
const REQUEST_RE = /^([A-Za-z_-]+) (\S+)(?: HTTP\/(\d(?:\.\d)?))?$/;

export function parseHaproxy(text: string, event: NormalizedEvent, zone: string): boolean {
  const http = HAPROXY_HTTP_RE.exec(text);
  const tcp = http ? null : HAPROXY_TCP_RE.exec(text);
  const m = http ?? tcp;
  if (!m) return false;
  event.event.module = 'haproxy';
  event.event.dataset = 'haproxy.log';
  const at = haproxyDate(m[3], zone);
  if (at !== undefined) event['@timestamp'] = isoOrUndefined(at) ?? event['@timestamp'];
  setSource(event, m[1], m[2]);
  setVendor(event, 'frontend_name', m[4]);
  setVendor(event, 'backend_name', m[5]);
  setVendor(event, 'server_name', m[6]);
  event.network = { transport: 'tcp' };
  if (http) {
    const status = toInt(http[12]);
    setVendor(event, 'termination_state', http[14]);
    event.network.protocol = 'http';
    event.http = {};
    if (status !== undefined && status >= 100) event.http.response = { status_code: status };
    ((event.http.response ??= {}).body = { bytes: Number(http[13]) });
    const request = http[22] === undefined ? undefined : REQUEST_RE.exec(http[22].replace(/\\(["\\])/g, '$1'));
    if (request) {
      event.http.request = { method: request[1].toUpperCase() };
      if (request[3]) event.http.version = request[3];
      setUrl(event, request[2]);
    }
    classify(event, 'http_request', status === undefined || status < 100 ? 'failure' : status < 400 ? 'success' : 'failure');
  } else {
    setVendor(event, 'termination_state', tcp![11]);
    setVendor(event, 'bytes_read', Number(tcp![10]));
    // A session cut by a client or server error or a timeout shows a letter other than '-' first.
    const outcome = tcp![11][0] === '-' ? 'success' : 'failure';
    classify(event, 'network_flow', outcome);
  }
  return true;
}

function haproxyDate(text: string, zone: string): number | undefined {
  const d = HAPROXY_DATE_RE.exec(text);
  const month = d ? monthIndex(d[2]) : undefined;
  if (!d || month === undefined) return undefined;
  return localToUtc(zone, Number(d[3]), month, Number(d[1]), Number(d[4]), Number(d[5]), Number(d[6]), fractionToMs(d[7]));
}

// time.ms elapsed client code/status bytes method URL user hierarchy/peer type
const SQUID_RE = /^(\d{9,11})\.(\d{3}) +(\d+) (\S+) ([A-Z_]+)\/(\d{3}) (\d+) (\S+) (\S+) (\S+) ([A-Z_]+)\/(\S+) (\S+)$/;

export function looksLikeSquid(text: string): boolean {
  return SQUID_RE.test(text);
}

export function parseSquid(text: string, event: NormalizedEvent): boolean {
  const m = SQUID_RE.exec(text);
  if (!m) return false;
  event.event.module = 'squid';
  event.event.dataset = 'squid.access';
  event['@timestamp'] = isoOrUndefined(Number(m[1]) * 1000 + Number(m[2])) ?? event['@timestamp'];
  setVendor(event, 'elapsed_ms', Number(m[3]));
  setSource(event, m[4]);
  setVendor(event, 'result_code', m[5]);
  const status = Number(m[6]);
  event.http = { request: { method: m[8].toUpperCase() } };
  if (status > 0) event.http.response = { status_code: status };
  (event.http.response ??= {}).body = { bytes: Number(m[7]) };
  squidUrl(event, m[8], m[9]);
  setUser(event, m[10]);
  setVendor(event, 'hierarchy_code', m[11]);
  if (isIP(m[12])) setDestination(event, m[12]);
  if (m[13] !== '-') setVendor(event, 'content_type', m[13]);
  event.network = { transport: 'tcp', protocol: 'http' };
  if (m[5].includes('DENIED')) classify(event, 'proxy_request_denied', 'failure');
  else classify(event, 'http_request', status > 0 && status < 400 ? 'success' : 'failure');
  return true;
}

/** Squid logs the absolute URL, or host:port for CONNECT. */
function squidUrl(event: NormalizedEvent, method: string, target: string): void {
  if (method.toUpperCase() === 'CONNECT') {
    const hostPort = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (hostPort) setDestination(event, hostPort[1], hostPort[2]);
    event.url = { original: target, ...(hostPort ? { domain: hostPort[1], port: Number(hostPort[2]) } : {}) };
    return;
  }
  const absolute = /^(\w+):\/\/([^/:?#]+|\[[^\]]+\])(?::(\d+))?([^?#]*)(?:\?([^#]*))?/.exec(target);
  if (!absolute) {
    setUrl(event, target);
    return;
  }
  const domain = absolute[2].replace(/^\[|\]$/g, '');
  event.url = { original: target, scheme: absolute[1].toLowerCase(), domain, path: absolute[4] || '/' };
  if (absolute[3]) event.url.port = Number(absolute[3]);
  if (absolute[5] !== undefined) event.url.query = absolute[5];
  if (isIP(domain)) setDestination(event, domain, absolute[3]);
  else (event.destination ??= {}).domain = domain;
}

// BIND 9: "client @0x7f.. 203.0.113.5#53211 (example.com): [view internal: ]query: example.com IN A +E(0)K (192.0.2.1)"
const CLIENT = String.raw`client (?:@0x[0-9a-f]+ )?(\S+?)#(\d+)(?: \(([^)]*)\))?: (?:view ([^:\s]+): )?`;
const NAMED_QUERY_RE = new RegExp(`${CLIENT}query: (\\S+) (\\S+) (\\S+) (\\S*) \\(([^)]+)\\)`);
// "client … (x.com): query (cache) 'x.com/A/IN' denied", "… zone transfer 'example.gov.cn/AXFR/IN' denied"
const NAMED_DENIED_RE = new RegExp(`${CLIENT}(query(?: \\(cache\\))?|zone transfer|update|notify) '([^/']+)/([^/']+)/([^']+)' denied`);

export function parseNamed(message: string, event: NormalizedEvent): boolean {
  const query = NAMED_QUERY_RE.exec(message);
  if (query) {
    named(event, query[1], query[2], query[4]);
    event.dns = { question: { name: query[5], class: query[6], type: query[7] } };
    // +/- recursion; T: over TCP; E: EDNS; S: signed; D: DO bit; C: CD bit
    const flags = query[8];
    event.network = { transport: flags.includes('T') ? 'tcp' : 'udp', protocol: 'dns' };
    setVendor(event, 'query_flags', flags);
    setDestination(event, query[9]);
    classify(event, 'dns_query', 'success');
    return true;
  }
  const denied = NAMED_DENIED_RE.exec(message);
  if (!denied) return false;
  named(event, denied[1], denied[2], denied[4]);
  const zoneTransfer = denied[5] === 'zone transfer';
  event.dns = { question: { name: denied[6], type: denied[7], class: denied[8] } };
  event.network = { transport: zoneTransfer ? 'tcp' : 'udp', protocol: 'dns' };
  setVendor(event, 'request', denied[5]);
  classify(event, zoneTransfer ? 'dns_zone_transfer_denied' : 'dns_query_denied', 'failure');
  return true;
}

function named(event: NormalizedEvent, client: string, port: string, view: string | undefined): void {
  event.event.module = 'bind';
  event.event.dataset = 'bind.log';
  setSource(event, client, port);
  if (view) setVendor(event, 'view', view);
}

// named's own log file: "05-Dec-2026 07:00:00.123 queries: info: client …" in the server's local time
const NAMED_FILE_RE = /^(\d\d)-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (.*)$/;

export function looksLikeNamedFile(text: string): boolean {
  return NAMED_FILE_RE.test(text) && text.includes(' client ');
}

export function parseNamedFile(text: string, event: NormalizedEvent, zone: string): boolean {
  const m = NAMED_FILE_RE.exec(text);
  const month = m ? monthIndex(m[2]) : undefined;
  if (!m || month === undefined || !parseNamed(m[8], event)) return false;
  event['@timestamp'] = isoOrUndefined(localToUtc(zone, Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), fractionToMs(m[7]))) ?? event['@timestamp'];
  return true;
}
