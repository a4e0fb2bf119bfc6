import { isIP } from 'node:net';
import type { Endpoint, NormalizedEvent } from '../../shared/event-schema.js';

/** Small setters shared by the parsers, so every parser fills a field the same way. */

/** A JSON object as a parser reads it. */
export type Json = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Port number from text, or undefined when it is not one. */
export function toPort(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

export function toInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Strips the brackets sshd and Apache put around IPv6 addresses. */
function unbracket(address: string): string {
  return address.length > 2 && address[0] === '[' && address[address.length - 1] === ']' ? address.slice(1, -1) : address;
}

/**
 * An address as it appears in a log: an IP goes to `ip`, anything else non-empty (sshd and PAM
 * print resolved host names) to `domain`.
 */
function endpoint(target: Endpoint, address: string | undefined, port?: unknown): Endpoint {
  if (address !== undefined && address !== '' && address !== '-') {
    const bare = unbracket(address);
    if (isIP(bare)) target.ip = bare;
    else target.domain = address;
  }
  const p = toPort(port);
  if (p !== undefined) target.port = p;
  return target;
}

export function setSource(event: NormalizedEvent, address: string | undefined, port?: unknown): void {
  event.source = endpoint(event.source ?? {}, address, port);
}

export function setDestination(event: NormalizedEvent, address: string | undefined, port?: unknown): void {
  event.destination = endpoint(event.destination ?? {}, address, port);
}

/** Leaves the field alone for the empty or placeholder names logs print ('', '-', '(unknown)'). */
export function setUser(event: NormalizedEvent, name: string | undefined): void {
  if (!isMeaningful(name)) return;
  (event.user ??= {}).name = name;
}

export function setTargetUser(event: NormalizedEvent, name: string | undefined): void {
  if (!isMeaningful(name)) return;
  ((event.user ??= {}).target ??= {}).name = name;
}

function isMeaningful(name: string | undefined): name is string {
  return name !== undefined && name !== '' && name !== '-' && name !== '(unknown)';
}

export function setVendor(event: NormalizedEvent, key: string, value: unknown): void {
  (event.vendor ??= {})[key] = value;
}

/** url.original plus its path and query parts. */
export function setUrl(event: NormalizedEvent, target: string): void {
  const q = target.indexOf('?');
  event.url = q < 0 ? { original: target, path: target } : { original: target, path: target.slice(0, q), query: target.slice(q + 1) };
}

const TRANSPORT_BY_NUMBER: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '47': 'gre', '50': 'esp' };

/** ECS wants IANA protocol names in lower case; devices write numbers or upper case. */
export function transportName(value: unknown): string | undefined {
  if (typeof value === 'number') return TRANSPORT_BY_NUMBER[String(value)];
  if (typeof value !== 'string' || value === '') return undefined;
  return TRANSPORT_BY_NUMBER[value] ?? value.toLowerCase();
}
