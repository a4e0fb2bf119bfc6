import { addressBytes } from '../shared/network/cidr.js';
import { filingTime, type PreparedWrite, type StoredEvent } from './event-store.js';

// The events table's COPY rows, apart from the store so that an ingest worker thread can write
// them without loading a database client.
//
// The rows are in PostgreSQL's binary COPY format, not its text format: each value goes in as
// bytes after its length, so nothing is escaped (the event's JSON, a kilobyte or so, was copied
// once more to double its backslashes), no row is built as a string first, and the server parses
// no timestamps, addresses, UUIDs or array literals. The store wraps a write's rows in COPY_HEADER
// and COPY_TRAILER; rows from several batches (and worker threads) can be sent one after another.

export const COPY_COLUMNS = ['ts', 'id', 'kind', 'module', 'dataset', 'action', 'outcome', 'category', 'source_ip', 'destination_ip', 'destination_port', 'user_name', 'host_name', 'observer_name', 'device_id', 'asset_id', 'department', 'zone', 'message', 'doc'];

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The signature, no flags, no header extension. */
export const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** A field count of -1 ends the data. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** Where PostgreSQL's timestamps count from: 2000-01-01, in epoch ms. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
const TEXT_OID = 25;
const NULL_LENGTH = -1;
/** Texts up to this long are copied in JavaScript when ASCII (see RowWriter.ascii). */
const SHORT_TEXT = 64;
// inet's binary form names the family by PostgreSQL's own numbers (AF_INET, AF_INET + 1).
const FAMILY_IPV4 = 2;
const FAMILY_IPV6 = 3;

/** PostgreSQL text cannot hold U+0000: each is written as U+FFFD, and the rest of the value kept. */
const storableText = (text: string) => (text.includes('\0') ? text.replaceAll('\0', '\ufffd') : text);

/** The same for the event's JSON, where U+0000 is the escape \u0000 (one not itself escaped). */
function storableJson(json: string): string {
  return json.includes('\\u0000') ? json.replace(/(^|[^\\])((?:\\\\)*)\\u0000/g, '$1$2\\ufffd') : json;
}

const hexValue = (c: number) => (c <= 57 ? c - 48 : (c | 0x20) - 87);

/**
 * A chunk of rows being written: a buffer of its own (never a slice of Node's shared pool, so a
 * worker thread can transfer it), grown when a row does not fit.
 */
class RowWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(bytes: number) {
    this.buffer = Buffer.allocUnsafeSlow(bytes);
  }

  /** What has been written, as a view of the buffer. */
  done(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private room(bytes: number): void {
    if (this.buffer.length - this.length >= bytes) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }

  int16(value: number): void {
    this.room(2);
    this.buffer.writeInt16BE(value, this.length);
    this.length += 2;
  }

  int32(value: number): void {
    this.room(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
  }

  nothing(): void {
    this.int32(NULL_LENGTH);
  }

  /** A field's bytes: the UTF-8 of `text` after its length. */
  utf8(text: string): void {
    // UTF-8 takes at most three bytes for each UTF-16 unit.
    this.room(4 + text.length * 3);
    const bytes = text.length <= SHORT_TEXT ? this.ascii(text) : -1;
    const written = bytes >= 0 ? bytes : this.buffer.write(text, this.length + 4);
    this.buffer.writeInt32BE(written, this.length);
    this.length += 4 + written;
  }

  /**
   * Copies an ASCII text byte by byte: a row has a dozen short values, and Buffer.write costs
   * about 0.1 µs a call however short the text. -1 at the first character that is not ASCII.
   */
  private ascii(text: string): number {
    const at = this.length + 4;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return -1;
      this.buffer[at + i] = c;
    }
    return text.length;
  }

  /** A text field; absent and empty values are NULL, as the store has always written them. */
  text(value: unknown): void {
    if (value === undefined || value === null || value === '') return this.nothing();
    this.utf8(storableText(typeof value === 'string' ? value : String(value)));
  }

  timestamp(ms: number): void {
    const micros = Math.round((ms - POSTGRES_EPOCH_MS) * 1000);
    const high = Math.floor(micros / 0x1_0000_0000);
    this.int32(8);
    this.int32(high);
    this.room(4);
    this.buffer.writeUInt32BE(micros - high * 0x1_0000_0000, this.length);
    this.length += 4;
  }

  integer(value: unknown): void {
    if (!Number.isInteger(value) || (value as number) < -0x8000_0000 || (value as number) > 0x7fff_ffff) return this.nothing();
    this.int32(4);
    this.int32(value as number);
  }

  /** A text[] from a non-empty array (NULL otherwise): one dimension, counted from 1, no NULL elements. */
  textArray(values: unknown): void {
    if (!Array.isArray(values) || values.length === 0) return this.nothing();
    const start = this.length;
    this.int32(0); // the field's length, known at the end
    this.int32(1);
    this.int32(0);
    this.int32(TEXT_OID);
    this.int32(values.length);
    this.int32(1);
    for (const value of values) this.utf8(storableText(String(value)));
    this.buffer.writeInt32BE(this.length - start - 4, start);
  }

  /** An inet from an address in text (a link-local zone left off); anything that is not an IPv4 or IPv6 address is NULL. */
  inet(value: unknown): void {
    const text = typeof value === 'string' ? value : '';
    if (this.ipv4(text)) return;
    const bytes = text.includes(':') ? addressBytes(text) : undefined;
    if (!bytes) return this.nothing();
    this.int32(20);
    this.room(20);
    this.buffer[this.length++] = FAMILY_IPV6;
    this.buffer[this.length++] = 128;
    this.buffer[this.length++] = 0; // not a cidr
    this.buffer[this.length++] = 16;
    this.buffer.set(bytes, this.length);
    this.length += 16;
  }

  /**
   * A dotted quad written as an inet field; false, with nothing written, when `text` is not one
   * (leading zeros included, as node:net reads them). Most addresses in logs are IPv4, and this
   * costs no allocation.
   */
  private ipv4(text: string): boolean {
    this.room(12);
    const at = this.length + 8;
    let octets = 0;
    let value = 0;
    let digits = 0;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 46;
      if (c === 46) {
        if (digits === 0 || value > 255 || octets === 4) return false;
        this.buffer[at + octets++] = value;
        value = 0;
        digits = 0;
      } else if (c >= 48 && c <= 57 && digits < 3 && !(digits === 1 && value === 0)) {
        value = value * 10 + c - 48;
        digits++;
      } else {
        return false;
      }
    }
    if (octets !== 4) return false;
    this.buffer.writeInt32BE(8, this.length);
    this.buffer[this.length + 4] = FAMILY_IPV4;
    this.buffer[this.length + 5] = 32;
    this.buffer[this.length + 6] = 0; // not a cidr
    this.buffer[this.length + 7] = 4;
    this.length += 12;
    return true;
  }

  uuid(value: unknown): void {
    if (typeof value !== 'string' || !UUID.test(value)) return this.nothing();
    this.int32(16);
    this.room(16);
    for (let i = 0; i < value.length; i += 2) {
      if (value.charCodeAt(i) === 45) i++;
      this.buffer[this.length++] = (hexValue(value.charCodeAt(i)) << 4) | hexValue(value.charCodeAt(i + 1));
    }
  }
}

/** One event as a row of the events table, filed at `ts`. */
function writeRow(out: RowWriter, event: StoredEvent, ts: number, json: string): void {
  const { id, kind, module, dataset, action, outcome, category } = event.event;
  out.int16(COPY_COLUMNS.length);
  out.timestamp(ts);
  out.text(id);
  out.text(kind);
  out.text(module);
  out.text(dataset);
  out.text(action);
  out.text(outcome);
  out.textArray(category);
  out.inet(event.source?.ip);
  out.inet(event.destination?.ip);
  out.integer(event.destination?.port);
  out.text(event.user?.name);
  out.text(event.host?.name);
  out.text(event.observer?.name);
  out.text(event.device?.id);
  out.uuid(event.taishi?.asset_id);
  out.text(event.taishi?.department);
  out.text(event.taishi?.zone);
  out.text(event.message ?? event.event.original);
  out.utf8(storableJson(json));
}

// A row is about its event's JSON and a little; a chunk starts with room for rows this long.
const ROW_BYTES_GUESS = 1024;

/**
 * The rows of `events` in binary COPY format, `size` events to a chunk, each chunk in a buffer of
 * its own. `json`: each event as JSON, when already made.
 */
export function* copyChunks(events: StoredEvent[], filed: number[], size: number, json?: string[]): Generator<Buffer> {
  for (let start = 0; start < events.length; start += size) {
    const end = Math.min(start + size, events.length);
    const out = new RowWriter((end - start) * ROW_BYTES_GUESS);
    for (let i = start; i < end; i++) writeRow(out, events[i], filed[i], json?.[i] ?? JSON.stringify(events[i]));
    yield out.done();
  }
}

/** A batch as COPY rows, filed now: what an ingest worker hands the PostgreSQL store with the events. `json`: each event as JSON, when already made. */
export function prepareCopy(events: StoredEvent[], now: number, json?: string[]): PreparedWrite {
  const filed = events.map((event) => filingTime(event, now));
  return { kind: 'postgres', rows: [...copyChunks(events, filed, events.length, json)], filed };
}
