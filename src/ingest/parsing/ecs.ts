import { isIP } from 'node:net';
import { toPort, isJsonObject, type Json } from './fields.js';
import type { Endpoint, EventFields, NormalizedEvent } from '../../shared/event-schema.js';
import { isoOrUndefined, parseTimeValue } from './time.js';

/**
 * Events that arrive already normalized (from another Taishi, a Beat, or a vendor's ECS export).
 * They pass through, but only after the fields Taishi relies on are checked and coerced: a
 * client must not be able to store a string port, a bogus time, or its own `taishi.*` enrichment.
 * Fields outside this schema are kept under `vendor`.
 */

const OBJECT_FIELDS = [
  'user', 'group', 'host', 'process', 'file', 'url', 'http', 'user_agent', 'network', 'observer', 'log', 'device', 'winlog',
] as const;
const KINDS = new Set(['event', 'metric', 'alert', 'state']);
const OUTCOMES = new Set(['success', 'failure', 'unknown']);

/** ECS-shaped: a timestamp and at least one of the nested ECS objects (event, host, source, …). */
export function looksLikeEcs(record: Json): boolean {
  return typeof record['@timestamp'] === 'string' && (isJsonObject(record.event) || OBJECT_FIELDS.some((key) => isJsonObject(record[key])));
}

export function acceptEcs(record: Json, base: NormalizedEvent, zone: string): NormalizedEvent | undefined {
  const at = isoOrUndefined(parseTimeValue(record['@timestamp'], zone));
  if (!at) return undefined;
  const out: NormalizedEvent = { ...base, '@timestamp': at, event: isJsonObject(record.event) ? validEventFields(record.event, base.event) : { ...base.event, dataset: 'generic.ecs' } };

  for (const key of OBJECT_FIELDS) if (isJsonObject(record[key])) (out as unknown as Json)[key] = record[key];
  if (typeof record.message === 'string') out.message = record.message;
  const source = validEndpoint(record.source);
  if (source) out.source = source;
  const destination = validEndpoint(record.destination);
  if (destination) out.destination = destination;
  if (out.host && typeof out.host.ip === 'string') out.host = { ...out.host, ip: [out.host.ip] };
  if (isJsonObject(record.labels)) out.labels = Object.fromEntries(Object.entries(record.labels).map(([k, v]) => [k, String(v)]));
  if (Array.isArray(record.tags)) out.tags = [...(base.tags ?? []), ...record.tags.filter((t): t is string => typeof t === 'string')];
  if (isJsonObject(record.metrics)) {
    out.metrics = Object.fromEntries(Object.entries(record.metrics).filter((e): e is [string, number] => typeof e[1] === 'number'));
  }

  const known = new Set<string>(['@timestamp', 'event', 'message', 'source', 'destination', 'labels', 'tags', 'metrics', 'taishi', ...OBJECT_FIELDS]);
  const rest = Object.entries(record).filter(([k]) => !known.has(k));
  const vendor = isJsonObject(record.vendor) ? record.vendor : undefined;
  if (rest.length > 0 || vendor) out.vendor = { ...Object.fromEntries(rest.filter(([k]) => k !== 'vendor')), ...vendor };
  return out;
}

function validEventFields(given: Json, base: EventFields): EventFields {
  const strings = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const event: EventFields = {
    ...base,
    kind: typeof given.kind === 'string' && KINDS.has(given.kind) ? (given.kind as EventFields['kind']) : 'event',
    category: strings(given.category),
    type: strings(given.type),
    action: typeof given.action === 'string' && given.action !== '' ? given.action : 'unknown',
    dataset: typeof given.dataset === 'string' ? given.dataset : 'generic.ecs',
    module: typeof given.module === 'string' ? given.module : 'generic',
  };
  if (event.type.length === 0) event.type = ['info'];
  if (typeof given.outcome === 'string' && OUTCOMES.has(given.outcome)) event.outcome = given.outcome as EventFields['outcome'];
  if (typeof given.severity === 'number' && Number.isFinite(given.severity)) event.severity = given.severity;
  for (const key of ['id', 'code', 'provider', 'reason', 'original'] as const) {
    const v = given[key];
    if (typeof v === 'string' || typeof v === 'number') event[key] = String(v);
  }
  return event;
}

function validEndpoint(value: unknown): Endpoint | undefined {
  if (!isJsonObject(value)) return undefined;
  const out: Endpoint = {};
  if (typeof value.ip === 'string' && isIP(value.ip)) out.ip = value.ip;
  const port = toPort(value.port);
  if (port !== undefined) out.port = port;
  if (typeof value.domain === 'string') out.domain = value.domain;
  return Object.keys(out).length > 0 ? out : undefined;
}
