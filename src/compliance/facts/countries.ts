import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { addressBytes } from '../../shared/index.js';
import { complianceErrors } from '../errors.js';

/**
 * Country of an IP address, from the country-range tables of `@ip-location-db/geo-whois-asn-country`
 * (ranges built from the regional registries' whois and ASN data with geofeeds on top; the package
 * is CC0, the registry data CC BY 4.0 by the NRO — see THIRD_PARTY_NOTICES.md). Refreshing the data
 * is updating the package, or pointing `TAISHI_GEO_COUNTRY_DB` at a folder with newer files of the
 * same format.
 *
 * Each table is held as sorted, non-overlapping ranges in typed arrays — IPv4 as one 32-bit word per
 * bound, IPv6 as four — with a two-letter code per range, and looked up by binary search: a few
 * megabytes in all, and no object per range.
 */

export const GEO_COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country';
const FILES = { v4: 'geo-whois-asn-country-ipv4.csv', v6: 'geo-whois-asn-country-ipv6.csv' } as const;

/** Ranges of one address family: `words` 32-bit words per bound, most significant first. */
class RangeTable {
  private constructor(
    private readonly words: number,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly codes: Uint16Array,
  ) {}

  get size(): number {
    return this.codes.length;
  }

  get bytes(): number {
    return this.starts.byteLength + this.ends.byteLength + this.codes.byteLength;
  }

  /**
   * Reads `start,end,CC` lines (inclusive bounds, written as addresses, in order of their start).
   * Where the published data overlaps (a more specific range inside a broader one, or two ranges
   * that straddle), the later line wins for the addresses they share and the earlier range keeps
   * the rest on either side; adjacent ranges of one country are merged. Starts out of order are
   * refused rather than guessed at.
   *
   * Read from the bytes, without a string per line or field: the two tables hold 550,000 lines,
   * read on every start, and splitting them into strings took 1.3 s of it.
   */
  static parse(data: Buffer, words: 1 | 4, file: string): RangeTable {
    const out = new RangeBuilder(words, (data.length >> 5) + 1024);
    const start = new Uint32Array(words);
    const end = new Uint32Array(words);
    const previousStart = new Uint32Array(words);
    let seen = 0;
    let lineNumber = 0;
    for (let from = 0; from < data.length; ) {
      lineNumber++;
      const newline = data.indexOf(NEWLINE, from);
      let to = newline === -1 ? data.length : newline;
      const next = to + 1;
      while (from < to && isSpace(data[from])) from++;
      while (to > from && isSpace(data[to - 1])) to--;
      if (from < to) {
        const comma1 = data.indexOf(COMMA, from);
        const comma2 = comma1 === -1 || comma1 >= to ? -1 : data.indexOf(COMMA, comma1 + 1);
        const ccEnd = comma2 === -1 || comma2 >= to ? -1 : indexOrEnd(data, COMMA, comma2 + 1, to);
        const code = ccEnd - comma2 === 3 ? countryCode(data[comma2 + 1], data[comma2 + 2]) : -1;
        if (code === -1 || !addressAt(data, from, comma1, words, start) || !addressAt(data, comma1 + 1, comma2, words, end) || compare(start, 0, end, 0, words) > 0)
          throw complianceErrors.geo_data_invalid({ file, line: lineNumber, reason: 'not start,end,country' });
        if (seen++ > 0 && compare(start, 0, previousStart, 0, words) < 0) throw complianceErrors.geo_data_invalid({ file, line: lineNumber, reason: 'ranges not in order of their start' });
        previousStart.set(start);
        out.add(start, end, code);
      }
      from = next;
    }
    if (out.size === 0) throw complianceErrors.geo_data_invalid({ file, line: 0, reason: 'no ranges' });
    return new RangeTable(words, ...out.finish());
  }

  /** The code of the range holding `key` (words at `offset`), or undefined between ranges. */
  lookup(key: Uint32Array, offset: number): string | undefined {
    const w = this.words;
    let lo = 0;
    let hi = this.codes.length - 1;
    // the last range whose start is ≤ key
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.starts, mid * w, key, offset, w) <= 0) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0 || compare(key, offset, this.ends, hi * w, w) > 0) return undefined;
    const code = this.codes[hi];
    return String.fromCharCode(code >> 8, code & 0xff);
  }
}

/** Appends ranges in order of their start, cutting earlier ranges where a later one overlaps them. */
class RangeBuilder {
  private starts: Uint32Array;
  private ends: Uint32Array;
  private codes: Uint16Array;
  size = 0;
  private readonly tail: Uint32Array;
  private readonly scratch: Uint32Array;

  constructor(
    private readonly words: number,
    capacity: number,
  ) {
    this.starts = new Uint32Array(capacity * words);
    this.ends = new Uint32Array(capacity * words);
    this.codes = new Uint16Array(capacity);
    this.tail = new Uint32Array(words);
    this.scratch = new Uint32Array(words);
  }

  add(start: Uint32Array, end: Uint32Array, code: number): void {
    const w = this.words;
    let tailCode = -1;
    // earlier ranges reaching into this one: the new range wins where they overlap
    while (this.size > 0 && compare(this.ends, (this.size - 1) * w, start, 0, w) >= 0) {
      const last = (this.size - 1) * w;
      if (compare(this.ends, last, end, 0, w) > 0) {
        // the earlier range goes on past this one: keep its remainder after it
        step(end, 0, +1, this.tail);
        tailCode = this.codes[this.size - 1];
        this.scratch.set(this.ends.subarray(last, last + w));
      }
      if (compare(this.starts, last, start, 0, w) < 0) {
        step(start, 0, -1, this.ends.subarray(last, last + w));
        break;
      }
      this.size--;
    }
    this.push(start, end, code);
    if (tailCode !== -1) this.push(this.tail, this.scratch, tailCode);
  }

  finish(): [Uint32Array, Uint32Array, Uint16Array] {
    const n = this.size;
    return [this.starts.slice(0, n * this.words), this.ends.slice(0, n * this.words), this.codes.slice(0, n)];
  }

  private push(start: Uint32Array, end: Uint32Array, code: number): void {
    const w = this.words;
    const n = this.size;
    if (n > 0 && this.codes[n - 1] === code && followsDirectly(this.ends, (n - 1) * w, start, w)) {
      this.ends.set(end, (n - 1) * w);
      return;
    }
    if (n === this.codes.length) this.grow();
    this.starts.set(start, n * w);
    this.ends.set(end, n * w);
    this.codes[n] = code;
    this.size++;
  }

  private grow(): void {
    const bigger = (a: Uint32Array) => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.starts = bigger(this.starts);
    this.ends = bigger(this.ends);
    const codes = new Uint16Array(this.codes.length * 2);
    codes.set(this.codes);
    this.codes = codes;
  }
}

/** `into` = the address at `from[offset…]` plus or minus one (callers never step past the ends of the space). */
function step(from: Uint32Array, offset: number, delta: 1 | -1, into: Uint32Array): void {
  let carry: number = delta;
  for (let k = into.length - 1; k >= 0; k--) {
    const v = from[offset + k] + carry;
    into[k] = v >>> 0;
    carry = v < 0 ? -1 : v > 0xffffffff ? 1 : 0;
  }
}

function compare(a: Uint32Array, ai: number, b: Uint32Array, bi: number, words: number): number {
  for (let k = 0; k < words; k++) {
    const d = a[ai + k] - b[bi + k];
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether `next` is the address right after `end` (so the two ranges touch). */
function followsDirectly(end: Uint32Array, offset: number, next: Uint32Array, words: number): boolean {
  let carry = 1;
  for (let k = words - 1; k >= 0; k--) {
    const sum = end[offset + k] + carry;
    if (sum >>> 0 !== next[k]) return false;
    carry = sum > 0xffffffff ? 1 : 0;
  }
  return carry === 0;
}

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const COLON = 0x3a;
const DOT = 0x2e;

const isSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0d;

function indexOrEnd(data: Buffer, byte: number, from: number, end: number): number {
  const at = data.indexOf(byte, from);
  return at === -1 || at > end ? end : at;
}

/** Two capital letters as one number (first letter in the high byte), or -1. */
function countryCode(first: number, second: number): number {
  const capital = (byte: number) => byte >= 0x41 && byte <= 0x5a;
  return capital(first) && capital(second) ? first * 256 + second : -1;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * The address in `data[from, to)` as 1 (IPv4) or 4 (IPv6) big-endian words into `into`; false
 * when it is not one of that family. Dotted quads and plain IPv6 (hex groups, at most one `::`)
 * are read from the bytes; any other spelling (an embedded dotted quad, a zone) goes through the
 * general address parser.
 */
function addressAt(data: Buffer, from: number, to: number, words: 1 | 4, into: Uint32Array): boolean {
  if (from < 0 || to <= from) return false;
  if (words === 1 ? dottedQuadAt(data, from, to, into) : plainIpv6At(data, from, to, into)) return !(words === 4 && isMappedWords(into));
  return toWords(data.toString('latin1', from, to), words, into);
}

/** A dotted quad of 1-3 digit parts up to 255 each, leading zeros allowed (as the table has always been read). */
function dottedQuadAt(data: Buffer, from: number, to: number, into: Uint32Array): boolean {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const byte = data[i];
    if (byte >= 0x30 && byte <= 0x39) {
      part = part * 10 + byte - 0x30;
      if (++digits > 3) return false;
    } else if (byte === DOT && digits > 0 && part < 256 && ++dots <= 3) {
      value = value * 256 + part;
      part = digits = 0;
    } else return false;
  }
  if (digits === 0 || part > 255 || dots !== 3) return false;
  into[0] = value * 256 + part;
  return true;
}

const groups = new Uint16Array(8);

/** Eight hex groups of 1-4 digits, or fewer around one `::`. */
function plainIpv6At(data: Buffer, from: number, to: number, into: Uint32Array): boolean {
  let count = 0;
  let gap = -1;
  let i = from;
  if (data[i] === COLON) {
    if (i + 1 >= to || data[i + 1] !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < to) {
    let value = 0;
    let digits = 0;
    for (let h; i < to && (h = hexValue(data[i])) !== -1; i++) {
      value = value * 16 + h;
      if (++digits > 4) return false;
    }
    if (digits === 0 || count === 8) return false;
    groups[count++] = value;
    if (i === to) break;
    if (data[i] !== COLON || ++i === to) return false;
    if (data[i] === COLON) {
      if (gap !== -1) return false;
      gap = count;
      i++;
    }
  }
  if (gap === -1 ? count !== 8 : count > 7) return false;
  const missing = 8 - count;
  const group = (g: number) => (gap === -1 || g < gap ? groups[g] : g < gap + missing ? 0 : groups[g - missing]);
  for (let k = 0; k < 4; k++) into[k] = group(2 * k) * 65536 + group(2 * k + 1);
  return true;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d), which belongs in the IPv4 table. */
function isMappedWords(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/** Writes the address as 1 (IPv4) or 4 (IPv6) big-endian words; false when it is not one. */
function toWords(address: string | undefined, words: 1 | 4, into: Uint32Array): boolean {
  const bytes = address === undefined ? undefined : addressBytes(address);
  if (!bytes) return false;
  const mapped = isMappedV4(bytes);
  if ((words === 1) !== mapped) return false;
  const from = words === 1 ? 12 : 0;
  for (let k = 0; k < words; k++) {
    const i = from + k * 4;
    into[k] = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
  }
  return true;
}

function isMappedV4(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

export class CountryTable {
  private readonly key = new Uint32Array(4);

  private constructor(
    private readonly v4: RangeTable,
    private readonly v6: RangeTable,
    /** Folder the tables came from, for evidence and messages. */
    readonly source: string,
  ) {}

  /** `location` is a folder holding the two CSV files, or the package name (resolved from here). */
  static load(location: string = GEO_COUNTRY_PACKAGE): CountryTable {
    const folder = location === GEO_COUNTRY_PACKAGE ? packageFolder() : resolve(location);
    const read = (name: string) => {
      const file = join(folder, name);
      try {
        return { file, data: readFileSync(file) };
      } catch (error) {
        throw complianceErrors.geo_data_unreadable({ file, reason: (error as Error).message });
      }
    };
    const v4 = read(FILES.v4);
    const v6 = read(FILES.v6);
    return new CountryTable(RangeTable.parse(v4.data, 1, v4.file), RangeTable.parse(v6.data, 4, v6.file), folder);
  }

  /** For tests: tables from CSV text in the package's format. */
  static fromText(v4: string, v6: string, source = 'text'): CountryTable {
    return new CountryTable(RangeTable.parse(Buffer.from(v4, 'latin1'), 1, `${source}/ipv4`), RangeTable.parse(Buffer.from(v6, 'latin1'), 4, `${source}/ipv6`), source);
  }

  /** ISO 3166-1 alpha-2 code (mainland China is CN; HK, MO, TW are their own), or undefined. */
  countryOf(address: string): string | undefined {
    const bytes = addressBytes(address);
    if (!bytes) return undefined;
    if (isMappedV4(bytes)) {
      this.key[0] = ((bytes[12] << 24) | (bytes[13] << 16) | (bytes[14] << 8) | bytes[15]) >>> 0;
      return this.v4.lookup(this.key, 0);
    }
    for (let k = 0; k < 4; k++) this.key[k] = ((bytes[k * 4] << 24) | (bytes[k * 4 + 1] << 16) | (bytes[k * 4 + 2] << 8) | bytes[k * 4 + 3]) >>> 0;
    return this.v6.lookup(this.key, 0);
  }

  /** Ranges held and bytes they take, after merging. */
  get stats(): { v4Ranges: number; v6Ranges: number; bytes: number } {
    return { v4Ranges: this.v4.size, v6Ranges: this.v6.size, bytes: this.v4.bytes + this.v6.bytes };
  }
}

function packageFolder(): string {
  try {
    return join(createRequire(import.meta.url).resolve(`${GEO_COUNTRY_PACKAGE}/package.json`), '..');
  } catch (error) {
    throw complianceErrors.geo_data_unreadable({ file: GEO_COUNTRY_PACKAGE, reason: (error as Error).message });
  }
}
