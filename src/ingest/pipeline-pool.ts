import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { IndexedAsset } from '../assets/core.js';
import type { PrivacyHook } from '../classification/core.js';
import type { PreparedWrite } from '../events/core.js';
import { compiledWorkerScript } from '../shared/index.js';
import type { BatchContext, ProcessedBatch, RawRecord } from './pipeline.js';

type WireRecord = { bytes: Uint8Array; peer?: string } | { text: string } | { json: unknown; original?: string };

export type ToWorker =
  | { kind: 'assets'; entries: readonly IndexedAsset[] }
  | { kind: 'batch'; id: number; records: WireRecord[]; context: BatchContext; privacy?: Pick<PrivacyHook, 'key' | 'policy'>; prepare: boolean };

/**
 * The events travel as JSON, one text per event: receiving a structured clone of event objects
 * cost the main thread about three times what JSON.parse of the same events does (16 against
 * 5 µs an event of city logs), and making the clone seven times what JSON.stringify does. Not
 * one text for the whole batch: joining, cloning and receiving a string of most of a megabyte
 * cost about 10 µs an event, against about 1.3 for the array of the same texts.
 */
export type WireBatch = Omit<ProcessedBatch, 'events'> & { events: string[]; prepared?: PreparedWrite };

export type PooledBatch = ProcessedBatch & { prepared?: PreparedWrite };

type FromWorker = { ready: true } | { id: number; batch: WireBatch } | { id: number; error: string };

/** The worker stopped (crashed, ran out of memory, was terminated) before it answered: the batch was not processed. */
export class WorkerLostError extends Error {}

// A received Buffer is often a view on a larger allocation (a socket read, Node's buffer pool),
// which cloning would copy whole for every record: each record gets its own exact copy.
function toWire(records: RawRecord[]): WireRecord[] {
  return records.map((r) => ('bytes' in r ? (r.peer ? { bytes: new Uint8Array(r.bytes), peer: r.peer } : { bytes: new Uint8Array(r.bytes) }) : r));
}

export function fromWire(records: WireRecord[]): RawRecord[] {
  for (const r of records) if ('bytes' in r) r.bytes = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  return records as RawRecord[];
}

function received(batch: WireBatch): PooledBatch {
  const { prepared } = batch;
  // The rows arrive as plain Uint8Arrays; the database client's stream wants Buffers (views, no copy).
  if (prepared) prepared.rows = prepared.rows.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const events: ProcessedBatch['events'] = new Array(batch.events.length);
  for (let i = 0; i < events.length; i++) events[i] = JSON.parse(batch.events[i]);
  return { ...batch, events };
}

interface Slot {
  worker: Worker;
  /** Loaded and listening: until then batches are better processed by the caller than queued behind the start. */
  ready: boolean;
  jobs: Map<number, { resolve(batch: PooledBatch): void; reject(error: Error): void }>;
}

/**
 * Worker threads running the ingest pipeline (parse, normalize, enrich, mask), so the main thread
 * keeps the sockets and the store client while batches are processed on the other cores. Each
 * thread has its own copy of the asset index. A thread that dies fails only the batches it held
 * (WorkerLostError) and is started again for the next batch.
 */
export class PipelinePool {
  private readonly slots: (Slot | undefined)[];
  private entries: readonly IndexedAsset[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    readonly size: number,
    /** `prepare`: workers also serialise each batch for the PostgreSQL store (PreparedWrite). */
    private readonly options: { prepare?: boolean; onLost?(error: WorkerLostError): void; resourceLimits?: ResourceLimits } = {},
  ) {
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  /** Starts every thread now, so the first batches do not wait for them to load the pipeline. */
  start(): void {
    for (let i = 0; i < this.slots.length; i++) this.slots[i] ??= this.spawn(i);
  }

  /** Whether a thread is ready for a batch; while none is (they are starting), callers process batches themselves. */
  get available(): boolean {
    return !this.closed && this.slots.some((slot) => slot?.ready);
  }

  /** Batches the workers hold now. */
  get busy(): number {
    let jobs = 0;
    for (const slot of this.slots) jobs += slot?.jobs.size ?? 0;
    return jobs;
  }

  /** The asset index every later batch is enriched against. */
  setAssets(entries: readonly IndexedAsset[]): void {
    this.entries = entries;
    // Messages arrive in order: a batch posted after this is enriched with these assets.
    for (const slot of this.slots) slot?.worker.postMessage({ kind: 'assets', entries } satisfies ToWorker);
  }

  process(records: RawRecord[], context: BatchContext, privacy: PrivacyHook | undefined): Promise<PooledBatch> {
    if (this.closed) return Promise.reject(new WorkerLostError('the ingest workers are stopped'));
    this.start();
    const slot = this.leastBusy();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Idle threads do not keep the process alive; one holding a batch does (the CLI's file ingest).
      if (slot.jobs.size === 0) slot.worker.ref();
      slot.jobs.set(id, { resolve, reject });
      const message: ToWorker = { kind: 'batch', id, records: toWire(records), context, privacy: privacy && { key: privacy.key, policy: privacy.policy }, prepare: !!this.options.prepare };
      slot.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot?.worker.terminate()));
  }

  /** Ready threads first, then the one with the fewest batches. */
  private leastBusy(): Slot {
    let best: Slot | undefined;
    for (const slot of this.slots as Slot[]) {
      if (!best || (slot.ready && !best.ready) || (slot.ready === best.ready && slot.jobs.size < best.jobs.size)) best = slot;
    }
    return best!;
  }

  private spawn(i: number): Slot {
    const worker = new Worker(compiledWorkerScript('./pipeline.worker.js', import.meta.url), { resourceLimits: this.options.resourceLimits });
    worker.unref();
    const slot: Slot = { worker, ready: false, jobs: new Map() };
    worker.postMessage({ kind: 'assets', entries: this.entries } satisfies ToWorker);
    worker.on('message', (message: FromWorker) => {
      if ('ready' in message) {
        slot.ready = true;
        return;
      }
      const job = slot.jobs.get(message.id);
      if (!job) return;
      slot.jobs.delete(message.id);
      if (slot.jobs.size === 0) worker.unref();
      if ('error' in message) return job.reject(new Error(message.error));
      // An answer that cannot be read fails its batch rather than leaving it unanswered.
      try {
        job.resolve(received(message.batch));
      } catch (error) {
        job.reject(error as Error);
      }
    });
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      if (this.slots[i] === slot) this.slots[i] = undefined;
      if (this.closed && !slot.jobs.size) return;
      const lost = new WorkerLostError(`an ingest worker stopped (${failure?.message ?? `exit code ${code}`})`);
      for (const job of slot.jobs.values()) job.reject(lost);
      slot.jobs.clear();
      this.options.onLost?.(lost);
    });
    return slot;
  }
}
