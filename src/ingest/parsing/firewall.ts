import { classify, type Action } from './actions.js';
import { setDestination, setSource, setUser, transportName } from './fields.js';
import { scanPairs } from './kv-scan.js';
import type { NormalizedEvent } from '../../shared/event-schema.js';
import { isoOrUndefined, parseTimeValue } from './time.js';

/**
 * Firewalls: Linux netfilter LOG lines (iptables, nftables, UFW) and the key=value logs that
 * appliances send (FortiGate, Hillstone, Sangfor and most domestic vendors write some dialect of
 * it). Also the generic key=value fallback, which shares the field aliases.
 */

// the LOG target's prefix is free text ("[UFW BLOCK] ", "DROP-IN: ", ""); the fields start at IN=
const NETFILTER_START_RE = /(?:^|\s)IN=\S* OUT=/;
const KERNEL_UPTIME_RE = /^\[\s*\d+\.\d+\]\s*/;
const DENY_WORDS_RE = /block|drop|deny|denied|reject|阻断|拒绝|丢弃/i;
// FortiGate logs allowed sessions by how they ended: close, timeout, client-rst, server-rst
const ALLOW_WORDS_RE = /allow|accept|permit|pass|close|timeout|-rst|允许|放行/i;

/** True when the text carries netfilter's field list; cheap enough to run on every kernel line. */
export function looksLikeNetfilter(text: string): boolean {
  return text.includes(' SRC=') && NETFILTER_START_RE.test(text);
}

export function parseNetfilter(text: string, event: NormalizedEvent): boolean {
  const start = NETFILTER_START_RE.exec(text);
  if (!start) return false;
  const fieldsAt = start.index + (start[0][0] === 'I' ? 0 : 1);
  const prefix = text.slice(0, fieldsAt).replace(KERNEL_UPTIME_RE, '').trim();
  // ICMP errors quote the offending packet in brackets ("[SRC=… DST=… PROTO=UDP SPT=… ]"); the
  // line's own fields are those before it
  const inner = text.indexOf(' [SRC=', fieldsAt);
  const scanned = scanPairs(inner < 0 ? text : text.slice(0, inner), fieldsAt);
  const f = scanned.pairs;
  if (f.SRC === undefined) return false;

  const action = flowAction(prefix);
  classify(event, action, outcomeOf(action));
  setSource(event, f.SRC, f.SPT);
  setDestination(event, f.DST, f.DPT);
  const transport = transportName(f.PROTO);
  if (transport) event.network = { transport };
  if (f.IN && !f.OUT) (event.network ??= {}).direction = 'ingress';
  else if (f.OUT && !f.IN) (event.network ??= {}).direction = 'egress';
  event.observer = { type: 'firewall', vendor: 'Linux', product: 'netfilter', ...(event.host?.name ? { name: event.host.name } : {}) };
  if (f.IN) event.observer.ingress = { interface: { name: f.IN } };
  if (f.OUT) event.observer.egress = { interface: { name: f.OUT } };

  // TCP flags and DF are bare words after the pairs; keep them with the fields
  const vendor: Record<string, unknown> = { ...f };
  if (prefix) vendor.prefix = prefix;
  const flags = text.slice(fieldsAt).split(' ').filter((t) => /^[A-Z]{2,3}$/.test(t));
  if (flags.length > 0) vendor.flags = flags;
  event.vendor = { ...event.vendor, ...vendor };
  return true;
}

/** Allowed flows succeeded, denied ones failed; an undecided flow has no outcome. */
function outcomeOf(action: Action): 'success' | 'failure' | undefined {
  return action === 'network_flow_allowed' ? 'success' : action === 'network_flow_denied' ? 'failure' : undefined;
}

function flowAction(disposition: string | undefined): Action {
  if (!disposition) return 'network_flow';
  if (DENY_WORDS_RE.test(disposition)) return 'network_flow_denied';
  if (ALLOW_WORDS_RE.test(disposition)) return 'network_flow_allowed';
  return 'network_flow';
}

/** Field aliases of key=value (and flat JSON) logs, first match wins; compared case-insensitively. */
const ALIASES = {
  sourceIp: ['srcip', 'src_ip', 'src', 'sip', 'source_ip', 'sourceip', 'client_ip', 'clientip', 'src_addr', 'remote_addr'],
  sourcePort: ['srcport', 'src_port', 'spt', 'sport', 'source_port', 'sourceport', 'client_port'],
  destinationIp: ['dstip', 'dst_ip', 'dst', 'dip', 'destination_ip', 'destinationip', 'dest_ip', 'dst_addr'],
  destinationPort: ['dstport', 'dst_port', 'dpt', 'dport', 'destination_port', 'destinationport', 'dest_port'],
  user: ['user', 'username', 'user_name', 'usr', 'srcuser', 'account', 'login'],
  transport: ['proto', 'protocol', 'transport'],
  disposition: ['action', 'act', 'policy_action', 'result', 'disposition'],
  device: ['devname', 'device_name', 'devicename', 'dev_name', 'hostname', 'host', 'device'],
  message: ['msg', 'message', 'description'],
  time: ['@timestamp', 'timestamp', 'datetime', 'eventtime', 'event_time', 'log_time', 'logtime', 'ts', 'time'],
} as const;

type FlatRecord = Record<string, unknown>;

/** Case-insensitive lookup of the first alias present with a non-empty value. */
export function pick(record: FlatRecord, names: readonly string[], lowerKeys: Map<string, string>): unknown {
  for (const name of names) {
    const key = lowerKeys.get(name);
    if (key === undefined) continue;
    const value = record[key];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

export function lowerKeyMap(record: FlatRecord): Map<string, string> {
  const map = new Map<string, string>();
  for (const key of Object.keys(record)) {
    const lower = key.toLowerCase();
    if (!map.has(lower)) map.set(lower, key);
  }
  return map;
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * Maps the common fields of a flat record (kv pairs or a JSON object) onto the event. Returns
 * whether it describes a network flow (has both ends), which makes it a firewall/flow log.
 */
export function applyCommonFields(record: FlatRecord, event: NormalizedEvent, zone: string): boolean {
  const keys = lowerKeyMap(record);
  const srcIp = str(pick(record, ALIASES.sourceIp, keys));
  const dstIp = str(pick(record, ALIASES.destinationIp, keys));
  if (srcIp !== undefined) setSource(event, srcIp, pick(record, ALIASES.sourcePort, keys));
  if (dstIp !== undefined) setDestination(event, dstIp, pick(record, ALIASES.destinationPort, keys));
  setUser(event, str(pick(record, ALIASES.user, keys)));
  const transport = transportName(pick(record, ALIASES.transport, keys));
  if (transport) event.network = { transport };
  const message = str(pick(record, ALIASES.message, keys));
  if (message !== undefined) event.message = message;

  const at = recordTime(record, keys, zone);
  if (at !== undefined) event['@timestamp'] = at;

  const isFlow = event.source?.ip !== undefined && event.destination?.ip !== undefined;
  if (isFlow) {
    const disposition = str(pick(record, ALIASES.disposition, keys));
    const action = flowAction(disposition);
    classify(event, action, outcomeOf(action));
    if (disposition) event.event.reason = disposition;
    const device = str(pick(record, ALIASES.device, keys));
    event.observer = { type: 'firewall', ...(device ? { name: device } : {}) };
    // FortiGate serial numbers start with FG; it is the most common appliance in county networks
    const devid = str(pick(record, ['devid'], keys));
    if (devid?.startsWith('FG')) Object.assign(event.observer, { vendor: 'Fortinet', product: 'FortiGate' });
  }
  return isFlow;
}

/** Time from a flat record: one time field, or FortiGate-style separate date= and time=. */
function recordTime(record: FlatRecord, keys: Map<string, string>, zone: string): string | undefined {
  const dateKey = keys.get('date');
  const timeKey = keys.get('time');
  if (dateKey && timeKey && typeof record[dateKey] === 'string' && typeof record[timeKey] === 'string') {
    const tz = str(pick(record, ['tz'], keys));
    const combined = `${record[dateKey]}T${record[timeKey]}${tz && /^[+-]\d{4}$/.test(tz) ? tz : ''}`;
    const at = isoOrUndefined(parseTimeValue(combined, zone));
    if (at) return at;
  }
  return isoOrUndefined(parseTimeValue(pick(record, ALIASES.time, keys), zone));
}

/**
 * A line of key=value pairs. Demands at least two pairs and that the line opens with one (or
 * three pairs anywhere), so prose that happens to contain "a=b" is not mistaken for it.
 */
export function parseKeyValue(text: string, event: NormalizedEvent, zone: string): boolean {
  const scanned = scanPairs(text);
  if (!(scanned.pairCount >= 3 || (scanned.pairCount >= 2 && scanned.startsWithPair))) return false;
  const pairs = scanned.pairs;
  const isFlow = applyCommonFields(pairs, event, zone);
  event.event.module = isFlow ? 'firewall' : 'generic';
  event.event.dataset = isFlow ? 'firewall.log' : 'generic.kv';
  event.vendor = { ...event.vendor, ...pairs };
  if (!isFlow) event.message ??= text;
  return true;
}
