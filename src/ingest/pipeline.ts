import { createHash } from 'node:crypto';
import type { StoredEvent } from '../events/index.js';
import { eventId, parseBytes, parseJsonRecord, parseLine, type FormatHint, type NormalizedEvent, type Transport } from './parsing/index.js';
import type { AssetIndex, AssetRef } from '../assets/index.js';
import type { PiiSighting, PrivacyHook } from '../classification/index.js';
import { recognitionOf, type LineRecognition } from './recognition/index.js';

/** One record as a collector received it; `peer` is the sending host where it varies within a batch (syslog). */
export type RawRecord = { bytes: Buffer; peer?: string } | { text: string } | { json: unknown; original?: string };

export interface BatchContext {
  /** The configured source: collector name, API key name, MQTT topic, file name. */
  source: string;
  transport: Transport;
  receivedAt: Date;
  format?: FormatHint;
  timeZone?: string;
  /** The sending host as the transport saw it (syslog peer); identifies the asset when the line does not. */
  peer?: string;
}

export interface UnmatchedHost {
  address: string;
  kind: 'ip' | 'hostname';
  dataset: string;
  eventId: string;
  at: Date;
}

/** All ingest keeps of one batch, as plain data: a worker thread sends it back as it is. */
export interface ProcessedBatch {
  events: StoredEvent[];
  unmatched: UnmatchedHost[];
  pii: PiiSighting[];
  /** One per event, in order, taken before masking. */
  recognition: LineRecognition[];
}

/**
 * Parse → normalize → stable id → enrich, for one batch. Pure CPU work with no I/O, so collectors
 * call it inline; the writer does the I/O.
 */
export class IngestPipeline {
  constructor(
    private readonly assets: () => AssetIndex,
    private readonly privacy: () => PrivacyHook | undefined = () => undefined,
  ) {}

  run(records: RawRecord[], context: BatchContext): ProcessedBatch {
    const unmatched: UnmatchedHost[] = [];
    const pii: PiiSighting[] = [];
    const recognition: LineRecognition[] = [];
    const events = this.process(records, context, unmatched, pii, (e) => recognition.push(recognitionOf(e)));
    return { events, unmatched, pii, recognition };
  }

  /** `parsed` sees each event before personal data is masked (the recognition tally shapes it with typed placeholders). */
  process(records: RawRecord[], context: BatchContext, unmatched: UnmatchedHost[], pii?: PiiSighting[], parsed?: (event: StoredEvent) => void): StoredEvent[] {
    const privacy = this.privacy();
    const parseContext = { source: context.source, transport: context.transport, receivedAt: context.receivedAt, format: context.format, timeZone: context.timeZone };
    const index = this.assets();
    const occurrences = new Map<string, number>();
    const events: StoredEvent[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const event =
        'bytes' in record ? parseBytes(record.bytes, parseContext) : 'text' in record ? parseLine(record.text, parseContext) : parseJson(record.json, parseContext, record.original);
      const peer = ('peer' in record && record.peer) || context.peer;
      if (peer && !event.host?.ip?.length && !event.host?.name) event.host = { ...event.host, ip: [peer] };
      // With a privacy key the id is keyed too (the key leads the hashed input), so it cannot be
      // brute-forced back into the personal data of its line.
      const stored = event as StoredEvent;
      stored.event.id = uniqueId(eventId(event, privacy ? `${privacy.key}\u0000${context.source}` : context.source), occurrences);
      const asset = enrich(stored, index, unmatched, context.receivedAt);
      parsed?.(stored);
      if (!privacy) {
        events[i] = stored;
        continue;
      }
      const { event: masked, findings } = privacy.mask(stored);
      if (findings.length) {
        masked.taishi = { ...masked.taishi, pii: [...new Set(findings.map((f) => f.type))] };
        pii?.push({ assetId: asset?.id, department: asset?.department, declared: asset?.personalData, findings, eventId: masked.event.id, at: context.receivedAt });
      }
      events[i] = masked;
    }
    return events;
  }
}

/** What log shippers (Filebeat, Fluent Bit, Vector) add around a raw line; nothing of the event itself. */
const ENVELOPE_KEYS = new Set(['@timestamp', 'message', 'host', 'hostname', 'agent', 'ecs', 'input', 'log', 'fields', 'tags', 'source_type', 'stream', 'file']);

/**
 * A shipper's envelope is unwrapped and its `message` parsed as the log line it is, so an sshd
 * line forwarded by Fluent Bit is understood like the same line sent over syslog.
 */
function parseJson(json: unknown, context: Parameters<typeof parseLine>[1], original?: string): NormalizedEvent {
  const record = json as Record<string, unknown>;
  if (!record || typeof record !== 'object' || Array.isArray(record) || typeof record.message !== 'string' || !Object.keys(record).every((k) => ENVELOPE_KEYS.has(k))) {
    return parseJsonRecord(json, context, original);
  }
  // The envelope was the JSON; the line inside is whatever the device wrote.
  const event = parseLine(record.message, context.format === 'json' ? { ...context, format: 'auto' } : context);
  // A line without a time of its own was stamped with the receive time; the shipper knows better.
  const shipped = typeof record['@timestamp'] === 'string' ? Date.parse(record['@timestamp']) : NaN;
  if (event['@timestamp'] === event.event.created && Number.isFinite(shipped)) event['@timestamp'] = new Date(shipped).toISOString();
  const host = record.host as { name?: unknown; hostname?: unknown; ip?: unknown } | string | undefined;
  const hostName = typeof host === 'string' ? host : typeof host?.name === 'string' ? host.name : typeof host?.hostname === 'string' ? host.hostname : typeof record.hostname === 'string' ? record.hostname : undefined;
  if (hostName && !event.host?.name) event.host = { ...event.host, name: hostName };
  const hostIps = typeof host === 'object' ? (Array.isArray(host.ip) ? host.ip : typeof host.ip === 'string' ? [host.ip] : []) : [];
  if (hostIps.length && !event.host?.ip?.length) event.host = { ...event.host, ip: hostIps.filter((ip): ip is string => typeof ip === 'string') };
  return event;
}

/**
 * Two byte-identical lines in one batch (the same sshd message twice in one second) are two
 * events: the second and later copies get the occurrence number mixed into their id. A retried
 * batch repeats the same occurrences, so it still lands on the same ids.
 */
function uniqueId(base: string, occurrences: Map<string, number>): string {
  const seen = occurrences.get(base) ?? 0;
  occurrences.set(base, seen + 1);
  if (seen === 0) return base;
  return createHash('sha256').update(base).update('#').update(String(seen)).digest().subarray(0, 16).toString('base64url');
}

/** Attaches the emitting asset (and returns it); notes hosts that match none so they can be registered. */
function enrich(event: StoredEvent, index: AssetIndex, unmatched: UnmatchedHost[], at: Date): AssetRef | undefined {
  // Client-supplied events must not claim an asset: enrichment alone decides. (Assigned, not
  // deleted: `delete` turns the object into a slow dictionary for everything downstream.)
  if (event.taishi !== undefined) (event as NormalizedEvent).taishi = undefined;
  const names = [event.device?.id, event.host?.name, event.observer?.name].filter((n): n is string => !!n);
  const ips = event.host?.ip ?? [];
  for (const name of names) {
    const asset = index.byName(name);
    if (asset) return attach(event, asset);
  }
  for (const ip of ips) {
    const asset = index.byIp(ip);
    if (asset) return attach(event, asset);
  }
  const host = event.host?.name ? { address: event.host.name.toLowerCase(), kind: 'hostname' as const } : ips[0] ? { address: ips[0], kind: 'ip' as const } : undefined;
  if (host) unmatched.push({ ...host, dataset: event.event.dataset, eventId: event.event.id, at });
  return undefined;
}

function attach(event: StoredEvent, asset: AssetRef): AssetRef {
  event.taishi = { asset_id: asset.id, department: asset.department, ...(asset.zone ? { zone: asset.zone } : {}) };
  return asset;
}
