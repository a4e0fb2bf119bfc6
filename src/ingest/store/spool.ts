import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { StoredEvent } from '../../events/index.js';
import { writeFileWhole } from './durable-file.js';

/**
 * A durable overflow for accepted events the store cannot take right now. Each batch becomes one
 * NDJSON segment, written to a temporary name, fsynced, then renamed: a segment either exists
 * whole or not at all, whatever moment the process dies.
 */
export class Spool {
  private segments: { name: string; events: number; bytes: number }[] = [];
  private sequence = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.ndjson')).sort();
    this.segments = [];
    for (const name of names) {
      const content = await readFile(path.join(this.dir, name));
      let events = 0;
      for (const byte of content) if (byte === 0x0a) events++;
      this.segments.push({ name, events, bytes: content.length });
    }
    for (const name of (await readdir(this.dir)).filter((n) => n.endsWith('.tmp'))) await unlink(path.join(this.dir, name));
  }

  get pendingEvents(): number {
    return this.segments.reduce((n, s) => n + s.events, 0);
  }

  get pendingBytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  get empty(): boolean {
    return this.segments.length === 0;
  }

  async append(events: StoredEvent[]): Promise<void> {
    const body = Buffer.from(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    if (this.pendingBytes + body.length > this.maxBytes) throw new SpoolFullError(this.maxBytes);
    // Time-ordered names keep draining in arrival order.
    const name = `${Date.now().toString().padStart(15, '0')}-${(this.sequence++).toString().padStart(8, '0')}-${randomBytes(3).toString('hex')}.ndjson`;
    await writeFileWhole(path.join(this.dir, name), body);
    this.segments.push({ name, events: events.length, bytes: body.length });
  }

  /** The oldest segment's events, and a function that removes it once they are safely stored. */
  async oldest(): Promise<{ events: StoredEvent[]; remove(): Promise<void> } | undefined> {
    const segment = this.segments[0];
    if (!segment) return undefined;
    const file = path.join(this.dir, segment.name);
    const events = (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as StoredEvent);
    return {
      events,
      remove: async () => {
        await unlink(file);
        this.segments = this.segments.filter((s) => s !== segment);
      },
    };
  }
}

export class SpoolFullError extends Error {
  constructor(limit: number) {
    super(`The ingest spool is full (${limit} bytes): the event store has been unreachable too long`);
  }
}
