import { formatIso } from '../shared/iso-time.js';
import { filingTime, type PreparedWrite, type StoredEvent } from './event-store.js';

// The events table's COPY text, apart from the store so that an ingest worker thread can write it
// without loading a database client.

export const COPY_COLUMNS = ['ts', 'id', 'kind', 'module', 'dataset', 'action', 'outcome', 'category', 'source_ip', 'destination_ip', 'destination_port', 'user_name', 'host_name', 'observer_name', 'device_id', 'asset_id', 'department', 'zone', 'message', 'doc'];

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\ufffd' };

/**
 * Whether a text has a character COPY escapes. Five native searches: a row has a dozen short
 * values and a line of log, and a regular expression's test cost more than the row's other work.
 */
const needsEscape = (text: string) => text.includes('\\') || text.includes('\t') || text.includes('\n') || text.includes('\r') || text.includes('\0');

/** COPY text format: backslash, tab, newline and carriage return are escaped; NULL is \N. */
function copyText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '\\N';
  const text = typeof value === 'string' ? value : String(value);
  return needsEscape(text) ? text.replace(/[\\\t\n\r\0]/g, (c) => COPY_ESCAPES[c]) : text;
}

/** An address the inet column takes the way the store wrote it so far: hex digits, colons and dots only (else \N). */
function inetText(value: string | undefined): string {
  if (!value) return '\\N';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46)) return '\\N';
  }
  return value;
}

/** PostgreSQL text cannot hold U+0000; keep the rest of the event and mark the spot. */
function storableJson(json: string): string {
  return json.includes('\\u0000') ? json.replace(/(^|[^\\])((?:\\\\)*)\\u0000/g, '$1$2\\ufffd') : json;
}

/** A text[] literal: each element quoted, its quotes and backslashes escaped (then the whole escaped for COPY). */
function arrayLiteral(values: unknown): string {
  if (!Array.isArray(values) || values.length === 0) return '\\N';
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const text = String(values[i]);
    literal += `${i ? ',' : ''}"${text.includes('"') || text.includes('\\') ? text.replace(/["\\]/g, '\\$&') : text}"`;
  }
  return copyText(`${literal}}`);
}

/** One event as a line of COPY text for the events table, filed at `ts`. */
export function eventCopyRow(event: StoredEvent, ts: number, json = JSON.stringify(event)): string {
  const { id, kind, module, dataset, action, outcome, category } = event.event;
  const port = event.destination?.port;
  const assetId = event.taishi?.asset_id;
  const doc = storableJson(json);
  return (
    `${formatIso(ts)}\t${copyText(id)}\t${copyText(kind)}\t${copyText(module)}\t${copyText(dataset)}\t${copyText(action)}\t${copyText(outcome)}\t${arrayLiteral(category)}\t` +
    `${inetText(event.source?.ip)}\t${inetText(event.destination?.ip)}\t${Number.isInteger(port) ? port : '\\N'}\t` +
    `${copyText(event.user?.name)}\t${copyText(event.host?.name)}\t${copyText(event.observer?.name)}\t${copyText(event.device?.id)}\t${assetId && UUID.test(assetId) ? assetId : '\\N'}\t` +
    `${copyText(event.taishi?.department)}\t${copyText(event.taishi?.zone)}\t${copyText(event.message ?? event.event.original)}\t${doc.includes('\\') ? doc.replaceAll('\\', '\\\\') : doc}\n`
  );
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
