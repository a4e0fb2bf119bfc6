import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { BatchContext } from '../pipeline.js';
import { writeFileWhole } from './durable-file.js';

/** How the payload's bytes become records again: the collectors' own body formats. */
export type PayloadFormat = 'json' | 'text';

/** One collector batch as it arrived, with what processing it later needs. */
export interface JournalEntry {
  collector: string;
  context: BatchContext;
  payloadFormat: PayloadFormat;
  /** Records the payload holds, for admission and the backlog gauges. */
  records: number;
  payload: Buffer;
}

export interface JournalSegment {
  readonly name: string;
  readonly records: number;
  readonly bytes: number;
}

/**
 * Raw batches acknowledged before they are processed (TAISHI_INGEST_ACK=journal). Each batch is
 * one file, written whole and fsynced before the sender hears 202: a JSON header line, then the
 * body as received. A file is removed only after its events are in the store (or the spool), so
 * a batch interrupted by `kill -9` is processed again at the next start, and the store's
 * deterministic event ids keep the second pass from storing anything twice.
 */
export class IngestJournal {
  private segments: JournalSegment[] = [];
  private sequence = 0;
  private pendingRecordsCount = 0;
  private pendingBytesCount = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Lists what a previous run left, oldest first; removes half-written files. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = await readdir(this.dir);
    for (const name of names.filter((n) => n.endsWith('.tmp'))) await unlink(path.join(this.dir, name));
    this.segments = [];
    this.pendingRecordsCount = 0;
    this.pendingBytesCount = 0;
    for (const name of names.filter((n) => n.endsWith('.batch')).sort()) {
      const { header, bytes } = await this.readHeader(name);
      this.track({ name, records: header.records, bytes });
    }
  }

  get pendingRecords(): number {
    return this.pendingRecordsCount;
  }

  get pendingBytes(): number {
    return this.pendingBytesCount;
  }

  /** Whether `records` more fit under `maxRecords` and the disk allowance. */
  canAccept(records: number, maxRecords: number): boolean {
    return this.pendingRecordsCount + records <= maxRecords && this.pendingBytesCount < this.maxBytes;
  }

  /** Resolves once the batch is on disk for good. */
  async append(entry: JournalEntry): Promise<JournalSegment> {
    const header: Header = { collector: entry.collector, context: { ...entry.context, receivedAt: entry.context.receivedAt.toISOString() }, payloadFormat: entry.payloadFormat, records: entry.records };
    const body = Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), entry.payload]);
    if (this.pendingBytesCount + body.length > this.maxBytes) throw new JournalFullError(this.maxBytes);
    // Time-ordered names keep processing in arrival order across restarts.
    const name = `${Date.now().toString().padStart(15, '0')}-${(this.sequence++).toString().padStart(8, '0')}-${randomBytes(3).toString('hex')}.batch`;
    await writeFileWhole(path.join(this.dir, name), body);
    const segment = { name, records: entry.records, bytes: body.length };
    this.track(segment);
    return segment;
  }

  /** Segments waiting, oldest first. */
  pending(): readonly JournalSegment[] {
    return this.segments;
  }

  async read(segment: JournalSegment): Promise<JournalEntry> {
    const content = await readFile(path.join(this.dir, segment.name));
    const end = content.indexOf(0x0a);
    const header = JSON.parse(content.subarray(0, end).toString('utf8')) as Header;
    return { ...header, context: { ...header.context, receivedAt: new Date(header.context.receivedAt) }, payload: content.subarray(end + 1) };
  }

  /** Once the segment's events are durable elsewhere. */
  async remove(segment: JournalSegment): Promise<void> {
    await unlink(path.join(this.dir, segment.name));
    const at = this.segments.indexOf(segment);
    if (at < 0) return;
    this.segments.splice(at, 1);
    this.pendingRecordsCount -= segment.records;
    this.pendingBytesCount -= segment.bytes;
  }

  private track(segment: JournalSegment): void {
    this.segments.push(segment);
    this.pendingRecordsCount += segment.records;
    this.pendingBytesCount += segment.bytes;
  }

  private async readHeader(name: string): Promise<{ header: Header; bytes: number }> {
    const handle = await open(path.join(this.dir, name), 'r');
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(Math.min(size, 64 * 1024));
      await handle.read(head, 0, head.length, 0);
      const end = head.indexOf(0x0a);
      return { header: JSON.parse(head.subarray(0, end < 0 ? head.length : end).toString('utf8')) as Header, bytes: size };
    } finally {
      await handle.close();
    }
  }
}

type Header = Omit<JournalEntry, 'payload' | 'context'> & { context: Omit<BatchContext, 'receivedAt'> & { receivedAt: string } };

export class JournalFullError extends Error {
  constructor(limit: number) {
    super(`The ingest journal is full (${limit} bytes): batches arrive faster than they are processed`);
  }
}
