import type { StoredEvent } from '../events/index.js';
import { eventId, idHash, parseBytes, parseJsonRecord, parseLine, type FormatHint, type NormalizedEvent, type Transport } from './parsing/index.js';
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

  /** `occurrences`: shared by the slices of one batch processed in turns, so its ids are those of the whole batch processed at once. */
  run(records: RawRecord[], context: BatchContext, occurrences = new Occurrences()): ProcessedBatch {
    const unmatched: UnmatchedHost[] = [];
    const pii: PiiSighting[] = [];
    const recognition: LineRecognition[] = [];
    const events = this.process(records, context, unmatched, pii, (e) => recognition.push(recognitionOf(e)), occurrences);
    return { events, unmatched, pii, recognition };
  }

  /** `parsed` sees each event before personal data is masked (the recognition tally shapes it with typed placeholders). */
  process(records: RawRecord[], context: BatchContext, unmatched: UnmatchedHost[], pii?: PiiSighting[], parsed?: (event: StoredEvent) => void, occurrences = new Occurrences()): StoredEvent[] {
    const privacy = this.privacy();
    const parseContext = { source: context.source, transport: context.transport, receivedAt: context.receivedAt, format: context.format, timeZone: context.timeZone };
    const index = this.assets();
    // With a privacy key the id is keyed too (the key leads the hashed input), so it cannot be
    // brute-forced back into the personal data of its line.
    const idSource = privacy ? `${privacy.key}\u0000${context.source}` : context.source;
    const events: StoredEvent[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const event =
        'bytes' in record ? parseBytes(record.bytes, parseContext) : 'text' in record ? parseLine(record.text, parseContext) : parseJsonRecord(record.json, parseContext, record.original);
      const peer = ('peer' in record && record.peer) || context.peer;
      if (peer && !event.host?.ip?.length && !event.host?.name) event.host = { ...event.host, ip: [peer] };
      const stored = event as StoredEvent;
      stored.event.id = uniqueId(eventId(event, idSource), occurrences);
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

/**
 * Two byte-identical lines in one batch (the same sshd message twice in one second) are two
 * events: the second and later copies get the occurrence number mixed into their id. A retried
 * batch repeats the same occurrences, so it still lands on the same ids.
 */
function uniqueId(base: string, occurrences: Occurrences): string {
  const seen = occurrences.before(base);
  if (seen === 0) return base;
  return idHash(`${base}#${seen}`);
}

/** How often each id came before in a batch. */
export class Occurrences {
  private readonly seen = new Set<string>();
  private readonly repeats = new Map<string, number>();

  before(id: string): number {
    // Nearly every id is new: one add, and the size tells whether it was there, hashes each id once.
    const size = this.seen.size;
    this.seen.add(id);
    if (this.seen.size !== size) return 0;
    const count = (this.repeats.get(id) ?? 0) + 1;
    this.repeats.set(id, count);
    return count;
  }
}

/** Attaches the emitting asset (and returns it); notes hosts that match none so they can be registered. */
function enrich(event: StoredEvent, index: AssetIndex, unmatched: UnmatchedHost[], at: Date): AssetRef | undefined {
  // Client-supplied events must not claim an asset: enrichment alone decides. (Assigned, not
  // deleted: `delete` turns the object into a slow dictionary for everything downstream.)
  if (event.taishi !== undefined) (event as NormalizedEvent).taishi = undefined;
  const asset = byName(index, event.device?.id) ?? byName(index, event.host?.name) ?? byName(index, event.observer?.name) ?? byIp(index, event.host?.ip);
  if (asset) return attach(event, asset);
  const name = event.host?.name;
  const ip = event.host?.ip?.[0];
  if (name) unmatched.push({ address: name.toLowerCase(), kind: 'hostname', dataset: event.event.dataset, eventId: event.event.id, at });
  else if (ip) unmatched.push({ address: ip, kind: 'ip', dataset: event.event.dataset, eventId: event.event.id, at });
  return undefined;
}

function byName(index: AssetIndex, name: string | undefined): AssetRef | undefined {
  return name ? index.byName(name) : undefined;
}

function byIp(index: AssetIndex, ips: readonly string[] | undefined): AssetRef | undefined {
  for (const ip of ips ?? []) {
    const asset = index.byIp(ip);
    if (asset) return asset;
  }
  return undefined;
}

function attach(event: StoredEvent, asset: AssetRef): AssetRef {
  event.taishi = { asset_id: asset.id, department: asset.department, ...(asset.zone ? { zone: asset.zone } : {}) };
  return asset;
}
