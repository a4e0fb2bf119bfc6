import { classify, type Action } from '../actions.js';
import { setDestination, setSource, setUser, toPort, transportName } from '../fields.js';
import type { Endpoint, NormalizedEvent } from '../../../shared/event-schema.js';

/** Helpers shared by the network-gear parsers (one file per vendor in this folder). */

export interface Gear {
  module: string;
  dataset: string;
  vendor?: string;
  product?: string;
  type?: string;
}

/** Marks the event as coming from a device: module/dataset, observer, and event.code. */
export function markGear(event: NormalizedEvent, gear: Gear, code?: string): void {
  event.event.module = gear.module;
  event.event.dataset = gear.dataset;
  const observer: NonNullable<NormalizedEvent['observer']> = { ...event.observer };
  if (gear.type) observer.type = gear.type;
  if (gear.vendor) observer.vendor = gear.vendor;
  if (gear.product) observer.product = gear.product;
  if (event.host?.name && !observer.name) observer.name = event.host.name;
  event.observer = observer;
  if (code) event.event.code = code;
}

/** A flow the device allowed (or ended after allowing) or denied; outcome follows. */
export function flow(event: NormalizedEvent, allowed: boolean | undefined): void {
  if (allowed === undefined) classify(event, 'network_flow');
  else classify(event, allowed ? 'network_flow_allowed' : 'network_flow_denied', allowed ? 'success' : 'failure');
}

/** A login at the device: SSH logins share sshd's action so the same correlations see them. */
export function login(event: NormalizedEvent, ok: boolean | undefined, channel?: string): void {
  const action: Action = channel && /ssh|stelnet/i.test(channel) ? 'ssh_login' : 'user_login';
  classify(event, action, ok === undefined ? undefined : ok ? 'success' : 'failure');
  if (channel) (event.network ??= {}).protocol = channel.toLowerCase();
}

export function endpoints(event: NormalizedEvent, src?: string, sport?: unknown, dst?: string, dport?: unknown): void {
  if (src) setSource(event, src, sport);
  if (dst) setDestination(event, dst, dport);
}

export function transport(event: NormalizedEvent, value: unknown): void {
  const t = transportName(value);
  if (t) (event.network ??= {}).transport = t;
}

export function user(event: NormalizedEvent, name: string | undefined): void {
  setUser(event, name?.replace(/^['"<]|['">]$/g, ''));
}

export function rule(event: NormalizedEvent, name?: string, id?: string): void {
  if (!name && !id) return;
  event.rule = { ...(name ? { name } : {}), ...(id ? { id } : {}) };
}

export function nat(target: Endpoint | undefined, ip: string | undefined, port?: unknown): void {
  if (!target || !ip || (ip === target.ip && toPort(port) === target.port)) return;
  target.nat = { ip, ...(toPort(port) !== undefined ? { port: toPort(port) } : {}) };
}

/**
 * "(Key=Value, Key="quoted, value", …)" as Huawei and H3C write parameters, also without the
 * parentheses ("vsys=public, protocol=6, …").
 */
export function paramList(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const re = /([A-Za-z][\w.-]*)=("(?:[^"\\]|\\.)*"|[^,]*?)\s*(?=,\s*[A-Za-z][\w.-]*=|\)?\.?\s*$)/gy;
  let body = text.trim();
  if (body.startsWith('(')) body = body.slice(1);
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) break;
    let value = m[2];
    if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') value = value.slice(1, -1);
    out[m[1]] = value;
    pos = re.lastIndex;
    while (pos < body.length && (body[pos] === ',' || body[pos] === ' ')) pos++;
  }
  return out;
}

/** Link or interface up/down. */
export function interfaceState(event: NormalizedEvent, name: string | undefined, state: string | undefined): void {
  classify(event, 'interface_state_changed');
  if (name) (event.observer ??= {}).ingress = { interface: { name } };
  if (state) event.event.reason = state.toLowerCase();
}
