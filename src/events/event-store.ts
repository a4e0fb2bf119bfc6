import type { NormalizedEvent } from '../shared/event-schema.js';
import { parseIso } from '../shared/iso-time.js';

/** An event as stored: normalized, enriched, and carrying its stable id in `event.id`. */
export type StoredEvent = NormalizedEvent & { event: NormalizedEvent['event'] & { id: string } };

/**
 * Fields every store can filter and count on exactly and quickly. Keeping the list closed lets
 * each store index exactly these (columns in PostgreSQL, keyword/ip fields in Elasticsearch).
 */
export const FILTER_FIELDS = [
  'event.action',
  'event.outcome',
  'event.dataset',
  'event.module',
  'event.category',
  'event.kind',
  'source.ip',
  'destination.ip',
  'destination.port',
  'user.name',
  'host.name',
  'observer.name',
  'device.id',
  'taishi.asset_id',
  'taishi.department',
  'taishi.zone',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface EventQuery {
  from?: Date;
  to?: Date;
  /** Exact matches; several values for one field mean any of them. */
  filters?: Partial<Record<FilterField, string[]>>;
  /** Case-insensitive substring of the message or the original line. */
  text?: string;
  /** Owners' confinement: only events of assets of these departments. */
  departments?: string[];
}

export interface EventPage {
  events: StoredEvent[];
  /** Opaque cursor for the next page; absent on the last page. */
  next?: string;
}

export type TimeBucket = 'minute' | 'hour' | 'day';

export interface WriteResult {
  /** Events newly stored. */
  written: number;
  /**
   * The ids of the events that were already stored (retries and replays), once per such event:
   * what has been seen before must not raise its alerts again.
   */
  duplicateIds: string[];
}

/**
 * A batch already serialised for one kind of store (by an ingest worker thread), in the order of
 * its events and with the filing time of each: that store writes it instead of serialising again.
 */
export interface PreparedWrite {
  kind: 'postgres';
  /** UTF-8 bytes, so a worker can hand them over without a copy and the writing thread need not encode them. */
  rows: Uint8Array[];
  filed: number[];
}

export interface EventStore {
  readonly kind: 'postgres' | 'elasticsearch';
  /** Creates what the store needs (tables, templates); safe to call at every start. */
  init(): Promise<void>;
  /** Stores a batch idempotently by `event.id`; resolves once the batch is durable. A store may use `prepared` when it is of its kind. */
  write(events: StoredEvent[], prepared?: PreparedWrite): Promise<WriteResult>;
  get(id: string): Promise<StoredEvent | undefined>;
  /** Newest first unless `order` says otherwise; pages with keyset cursors, stable under inserts. */
  search(query: EventQuery, page: { limit: number; after?: string; order?: 'asc' | 'desc' }): Promise<EventPage>;
  countBy(field: FilterField, query: EventQuery, size: number): Promise<{ value: string; count: number }[]>;
  histogram(query: EventQuery, bucket: TimeBucket): Promise<{ start: string; count: number }[]>;
  /** Drops whole days older than the cutoff; returns how many events went. */
  deleteBefore(cutoff: Date): Promise<number>;
  /** Time of the oldest stored event (evidence for the six-month retention control). */
  oldest(): Promise<Date | undefined>;
  /**
   * Time of each asset's latest stored event, over everything still stored (evidence for the log
   * coverage control). Assets that never sent an event are absent from the map.
   */
  latestByAsset(assetIds: readonly string[]): Promise<Map<string, Date>>;
  /** Is the store reachable right now (readiness, and when to drain the spool)? */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const DAY_MS = 86_400_000;
/** Events claiming to be older than this, or from the future, are filed under their receive time. */
const PLAUSIBLE_PAST_MS = 400 * DAY_MS;

/**
 * The instant an event is filed under: its own time when plausible, else its receive time. Stores
 * split events into days by it, and retention drops whole days, so one device with a broken clock
 * cannot scatter events over decades of partitions or indices.
 */
export function filingTime(event: StoredEvent, now: number): number {
  const ts = parseIso(event['@timestamp']);
  if (Number.isFinite(ts) && ts > now - PLAUSIBLE_PAST_MS && ts < now + DAY_MS) return ts;
  const created = Date.parse(event.event.created ?? '');
  return Number.isFinite(created) ? created : now;
}

export function encodeCursor(timestamp: string, id: string): string {
  return Buffer.from(JSON.stringify([timestamp, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}

export class InvalidCursorError extends Error {
  constructor() {
    super('Invalid page cursor: pass back the `next` value of the previous page unchanged');
  }
}
