import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { BatchContext } from '../pipeline.js';

/** How the payload's bytes become records again: the collectors' own formats (`mqtt`: one message). */
export type PayloadFormat = 'json' | 'text' | 'mqtt';

/** One collector batch as it arrived, with what processing it later needs. */
export interface JournalEntry {
  collector: string;
  context: BatchContext;
  payloadFormat: PayloadFormat;
  /** Records the payload holds, for admission and the backlog gauges. */
  records: number;
  /** Written as it is, not copied: it must not change until `append` resolves. */
  payload: Buffer;
  /** The topic an `mqtt` payload came on (it may name the device). */
  topic?: string;
}

/** Where one acknowledged batch lies in the journal. */
export interface JournalBatch {
  /** Unique within the journal. */
  readonly id: string;
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  readonly records: number;
}

interface JournalFile {
  name: string;
  size: number;
  /** Batches in it not yet removed. */
  open: number;
  handle?: FileHandle;
}

type Header = Omit<JournalEntry, 'payload' | 'context'> & { context: Omit<BatchContext, 'receivedAt'> & { receivedAt: string } };

const FRAME_HEAD = 8; // body length and CRC-32 of the body, both u32 little-endian
const DEFAULT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Raw batches acknowledged before they are processed (TAISHI_INGEST_ACK=journal): an append-only
 * log. Batches that arrive together are written with one `writev` and one `fdatasync` (group
 * commit), and only then is any of their senders answered (HTTP 202, MQTT acknowledgement). Each batch is a frame: its length,
 * a CRC-32, a JSON header line and the body as received; a frame torn by a crash fails its check
 * and ends that file's reading, and was never acknowledged.
 *
 * A file is deleted once every batch in it is stored (or spooled). After a crash the files left
 * are processed again whole; the store's deterministic event ids keep batches processed before
 * the crash from being stored twice.
 */
export class IngestJournal {
  private files: JournalFile[] = [];
  /** By id, in journal order; a Map so that removing one is O(1) with an MQTT backlog of one batch per message. */
  private batches = new Map<string, JournalBatch>();
  private active: JournalFile | undefined;
  private queued: { parts: Buffer[]; length: number; records: number; resolve(batch: JournalBatch): void; reject(error: unknown): void }[] = [];
  private writing: Promise<void> | undefined;
  private sequence = 0;
  private pendingRecordsCount = 0;
  private pendingBytesCount = 0;
  private queuedBytes = 0;
  private queuedRecords = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly fileBytes = DEFAULT_FILE_BYTES,
  ) {}

  /** Lists what a previous run left, oldest first. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.files = [];
    this.batches = new Map();
    this.pendingRecordsCount = 0;
    this.pendingBytesCount = 0;
    for (const name of (await readdir(this.dir)).filter((n) => n.endsWith('.journal')).sort()) {
      const content = await readFile(path.join(this.dir, name));
      const file: JournalFile = { name, size: content.length, open: 0 };
      for (let offset = 0; ; ) {
        const frame = frameAt(content, offset);
        if (!frame) break;
        const header = JSON.parse(frame.subarray(0, frame.indexOf(0x0a)).toString('utf8')) as Header;
        this.track(file, { id: `${name}:${offset}`, file: name, offset, length: FRAME_HEAD + frame.length, records: header.records });
        offset += FRAME_HEAD + frame.length;
      }
      if (file.open) this.files.push(file);
      else await unlink(path.join(this.dir, name));
      this.sequence = Math.max(this.sequence, Number.parseInt(name, 10) + 1 || 0);
    }
  }

  get pendingRecords(): number {
    return this.pendingRecordsCount;
  }

  get pendingBytes(): number {
    return this.pendingBytesCount;
  }

  /** Whether `records` more fit under `maxRecords` and the disk allowance, counting batches still being written. */
  canAccept(records: number, maxRecords: number): boolean {
    return this.pendingRecordsCount + this.queuedRecords + records <= maxRecords && this.pendingBytesCount + this.queuedBytes < this.maxBytes;
  }

  /** Resolves once the batch is on disk for good. */
  append(entry: JournalEntry): Promise<JournalBatch> {
    const header: Header = { collector: entry.collector, context: { ...entry.context, receivedAt: entry.context.receivedAt.toISOString() }, payloadFormat: entry.payloadFormat, records: entry.records, topic: entry.topic };
    const headerLine = Buffer.from(JSON.stringify(header) + '\n');
    // The payload is written as it came, not copied into one frame buffer: a request body is
    // hundreds of kilobytes, and this runs on the thread that answers the senders.
    const head = Buffer.allocUnsafe(FRAME_HEAD);
    head.writeUInt32LE(headerLine.length + entry.payload.length, 0);
    head.writeUInt32LE(crc32(entry.payload, crc32(headerLine)), 4);
    const length = FRAME_HEAD + headerLine.length + entry.payload.length;
    if (this.pendingBytesCount + this.queuedBytes + length > this.maxBytes) return Promise.reject(new JournalFullError(this.maxBytes));
    this.queuedBytes += length;
    this.queuedRecords += entry.records;
    return new Promise((resolve, reject) => {
      this.queued.push({ parts: [head, headerLine, entry.payload], length, records: entry.records, resolve, reject });
      this.startWriting();
    });
  }

  /** Batches waiting, oldest first. */
  pending(): JournalBatch[] {
    return [...this.batches.values()];
  }

  /** The oldest waiting batch that `skip` does not pass over: batches are taken oldest first, so this looks at few. */
  oldest(skip: (batch: JournalBatch) => boolean): JournalBatch | undefined {
    for (const batch of this.batches.values()) if (!skip(batch)) return batch;
    return undefined;
  }

  get pendingBatches(): number {
    return this.batches.size;
  }

  async read(batch: JournalBatch): Promise<JournalEntry> {
    const handle = await open(path.join(this.dir, batch.file), 'r');
    let content: Buffer;
    try {
      content = Buffer.allocUnsafe(batch.length);
      await handle.read(content, 0, batch.length, batch.offset);
    } finally {
      await handle.close();
    }
    const body = content.subarray(FRAME_HEAD);
    const end = body.indexOf(0x0a);
    const header = JSON.parse(body.subarray(0, end).toString('utf8')) as Header;
    return { ...header, context: { ...header.context, receivedAt: new Date(header.context.receivedAt) }, payload: body.subarray(end + 1) };
  }

  /** Once the batch's events are durable elsewhere; its file goes when nothing in it is left. */
  async remove(batch: JournalBatch): Promise<void> {
    if (!this.batches.delete(batch.id)) return;
    this.pendingRecordsCount -= batch.records;
    this.pendingBytesCount -= batch.length;
    const file = this.files.find((f) => f.name === batch.file);
    if (file && --file.open === 0 && file !== this.active) await this.deleteFile(file);
  }

  /** Resolves when the write in progress, if any, is done (later appends may start another). */
  async written(): Promise<void> {
    await this.writing;
  }

  /** Closes the file being written; deletes it when everything in it was processed. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    const file = this.active;
    this.active = undefined;
    await file?.handle?.close();
    if (file && file.open === 0) await this.deleteFile(file);
  }

  private startWriting(): void {
    this.writing ??= this.write().finally(() => {
      this.writing = undefined;
      if (this.queued.length) this.startWriting(); // queued after the loop's last look
    });
  }

  /** Group commit: everything queued goes out in one write and one fdatasync. */
  private async write(): Promise<void> {
    while (this.queued.length) {
      const group = this.queued;
      this.queued = [];
      let bytes = 0;
      for (const item of group) {
        bytes += item.length;
        this.queuedRecords -= item.records;
      }
      this.queuedBytes -= bytes;
      try {
        const file = await this.activeFile();
        const start = file.size;
        await writeFully(file.handle!, group.flatMap((item) => item.parts), start);
        await file.handle!.datasync();
        file.size += bytes;
        let offset = start;
        for (const item of group) {
          const batch = { id: `${file.name}:${offset}`, file: file.name, offset, length: item.length, records: item.records };
          this.track(file, batch);
          offset += item.length;
          item.resolve(batch);
        }
      } catch (error) {
        // A write that failed half-way leaves bytes no frame check accepts: later batches go to a new file.
        await this.sealActive().catch(() => undefined);
        for (const item of group) item.reject(error);
      }
    }
  }

  private async activeFile(): Promise<JournalFile> {
    if (this.active && this.active.size < this.fileBytes) return this.active;
    await this.sealActive();
    const name = `${String(this.sequence++).padStart(12, '0')}.journal`;
    const handle = await open(path.join(this.dir, name), 'wx', 0o600);
    // The new file's name must survive a power cut before any batch in it is acknowledged.
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.active = { name, size: 0, open: 0, handle };
    this.files.push(this.active);
    return this.active;
  }

  private async sealActive(): Promise<void> {
    const file = this.active;
    if (!file) return;
    this.active = undefined;
    await file.handle?.close();
    file.handle = undefined;
    if (file.open === 0) await this.deleteFile(file);
  }

  private async deleteFile(file: JournalFile): Promise<void> {
    this.files.splice(this.files.indexOf(file), 1);
    await unlink(path.join(this.dir, file.name));
  }

  private track(file: JournalFile, batch: JournalBatch): void {
    file.open++;
    this.batches.set(batch.id, batch);
    this.pendingRecordsCount += batch.records;
    this.pendingBytesCount += batch.length;
  }
}

/** The body of the frame at `offset`, or undefined at the end or at a torn or damaged frame. */
function frameAt(content: Buffer, offset: number): Buffer | undefined {
  if (offset + FRAME_HEAD > content.length) return undefined;
  const length = content.readUInt32LE(offset);
  if (offset + FRAME_HEAD + length > content.length) return undefined;
  const body = content.subarray(offset + FRAME_HEAD, offset + FRAME_HEAD + length);
  return crc32(body) === content.readUInt32LE(offset + 4) ? body : undefined;
}

async function writeFully(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let remaining = buffers;
  while (remaining.length) {
    const { bytesWritten } = await handle.writev(remaining, position);
    position += bytesWritten;
    remaining = skipBytes(remaining, bytesWritten);
  }
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  let i = 0;
  while (i < buffers.length && count >= buffers[i].length) count -= buffers[i++].length;
  if (i === buffers.length) return [];
  return [buffers[i].subarray(count), ...buffers.slice(i + 1)];
}

export class JournalFullError extends Error {
  constructor(limit: number) {
    super(`The ingest journal is full (${limit} bytes): batches arrive faster than they are processed`);
  }
}

/**
 * The ingest journal could not write a batch (a full disk, a file-size limit, an I/O error):
 * nothing of it was acknowledged, and a sender can retry once the disk takes writes again.
 */
export class JournalUnwritableError extends Error {
  constructor(
    /** The system's error code (ENOSPC, EFBIG, EIO …), or its message where it has none. */
    readonly reason: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`The ingest journal cannot be written (${reason}); retry later`);
  }
}
