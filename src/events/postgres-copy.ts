import { formatIso } from '../shared/iso-time.js';
import { filingTime, type PreparedWrite, type StoredEvent } from './event-store.js';

// The events table's COPY text, apart from the store so that an ingest worker thread can write it
// without loading a database client.

export const COPY_COLUMNS = ['ts', 'id', 'kind', 'module', 'dataset', 'action', 'outcome', 'category', 'source_ip', 'destination_ip', 'destination_port', 'user_name', 'host_name', 'observer_name', 'device_id', 'asset_id', 'department', 'zone', 'message', 'doc'];

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IP = /^[0-9a-f:.]+$/i;

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\ufffd' };
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;

/** COPY text format: backslash, tab, newline and carriage return are escaped; NULL is \N. */
function copyText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '\\N';
  const text = String(value);
  // Most values need nothing; a test is cheaper than a replace that calls back.
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r\0]/g, (c) => COPY_ESCAPES[c]) : text;
}

/** PostgreSQL text cannot hold U+0000; keep the rest of the event and mark the spot. */
function storableJson(json: string): string {
  return json.includes('\\u0000') ? json.replace(/(^|[^\\])((?:\\\\)*)\\u0000/g, '$1$2\\ufffd') : json;
}

function arrayLiteral(values: unknown): string | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  return `{${values.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** One event as a line of COPY text for the events table, filed at `ts`. */
export function eventCopyRow(event: StoredEvent, ts: number, json = JSON.stringify(event)): string {
  const sourceIp = event.source?.ip;
  const destinationIp = event.destination?.ip;
  const assetId = event.taishi?.asset_id;
  const values = [
    formatIso(ts),
    event.event.id,
    event.event.kind,
    event.event.module,
    event.event.dataset,
    event.event.action,
    event.event.outcome,
    arrayLiteral(event.event.category),
    sourceIp && IP.test(sourceIp) ? sourceIp : undefined,
    destinationIp && IP.test(destinationIp) ? destinationIp : undefined,
    Number.isInteger(event.destination?.port) ? event.destination!.port : undefined,
    event.user?.name,
    event.host?.name,
    event.observer?.name,
    event.device?.id,
    assetId && UUID.test(assetId) ? assetId : undefined,
    event.taishi?.department,
    event.taishi?.zone,
    event.message ?? event.event.original,
  ];
  let row = '';
  for (const value of values) row += `${copyText(value)}\t`;
  return `${row}${storableJson(json).replaceAll('\\', '\\\\')}\n`;
}

// A COPY row is about twice its event's JSON; a chunk starts with room for rows this long.
const ROW_BYTES_GUESS = 1024;

/**
 * The rows of `events` as COPY text, `size` events to a chunk, each chunk UTF-8 in a buffer of its
 * own (never a slice of Node's shared pool, so a worker thread can transfer it). Written row by
 * row into the buffer: concatenating a chunk's rows into one string and encoding that costs more
 * than making the rows, as the engine must flatten the concatenation first.
 */
export function* copyChunks(events: StoredEvent[], filed: number[], size: number, json?: string[]): Generator<Buffer> {
  for (let start = 0; start < events.length; start += size) {
    const end = Math.min(start + size, events.length);
    let chunk = Buffer.allocUnsafeSlow((end - start) * ROW_BYTES_GUESS);
    let length = 0;
    for (let i = start; i < end; i++) {
      const row = eventCopyRow(events[i], filed[i], json?.[i]);
      // UTF-8 takes at most three bytes for each UTF-16 unit.
      if (chunk.length - length < row.length * 3) {
        const larger = Buffer.allocUnsafeSlow(Math.max(chunk.length * 2, length + row.length * 3));
        chunk.copy(larger, 0, 0, length);
        chunk = larger;
      }
      length += chunk.write(row, length);
    }
    yield chunk.subarray(0, length);
  }
}

/** A batch as COPY text, filed now: what an ingest worker hands the PostgreSQL store with the events. `json`: each event as JSON, when already made. */
export function prepareCopy(events: StoredEvent[], now: number, json?: string[]): PreparedWrite {
  const filed = events.map((event) => filingTime(event, now));
  return { kind: 'postgres', rows: [...copyChunks(events, filed, events.length, json)], filed };
}
