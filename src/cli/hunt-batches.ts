import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StoredEvent } from '../events/index.js';
import type { CorrelationInput, DetectionEngine, RuleFiles, RuleFiring } from '../detection/core.js';
import { AssetIndex } from '../assets/core.js';
import { IngestPipeline } from '../ingest/core.js';
import { compiledWorkerScript } from '../shared/index.js';
import { parseIso } from '../shared/iso-time.js';

/** Lines of one file, packed into one buffer so a worker thread can take them without a copy. */
export interface LineBatch {
  file: string;
  bytes: Uint8Array;
  /** Where each line ends in `bytes` (it starts where the one before ends). */
  ends: Uint32Array;
  /** Each line's number in its file. */
  lines: Uint32Array;
}

/**
 * What detection made of one batch, in the order the engine found it: rule firings (without their
 * event, which stays in the thread that parsed it) and matches that correlations count. Those
 * carry their event and are answered by the one thread that keeps the correlation windows, in
 * batch order, so the windows see what they would see in a single thread.
 */
export interface BatchOutcome {
  events: number;
  /** The latest event time in the batch, epoch milliseconds (0 when none parsed). */
  lastTime: number;
  found: ({ firing: Omit<RuleFiring, 'event'>; line: number } | { counted: CorrelationInput; line: number })[];
}

export function packLines(file: string, lines: { bytes: Buffer; line: number }[]): LineBatch {
  let size = 0;
  for (const l of lines) size += l.bytes.length;
  const bytes = new Uint8Array(size);
  const ends = new Uint32Array(lines.length);
  const numbers = new Uint32Array(lines.length);
  let at = 0;
  lines.forEach((l, i) => {
    bytes.set(l.bytes, at);
    at += l.bytes.length;
    ends[i] = at;
    numbers[i] = l.line;
  });
  return { file, bytes, ends, lines: numbers };
}

/** Parses a batch with the live pipeline and runs the per-event rules on it; correlations wait. */
export class BatchDetector {
  private readonly pipeline = new IngestPipeline(() => new AssetIndex([]));

  constructor(
    private readonly engine: DetectionEngine,
    private readonly timeZone: string,
  ) {}

  detect(batch: LineBatch): BatchOutcome {
    const records = Array.from(batch.ends, (end, i) => ({ bytes: Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset + (i ? batch.ends[i - 1] : 0), end - (i ? batch.ends[i - 1] : 0)) }));
    const events = this.pipeline.process(records, { source: `file:${path.basename(batch.file)}`, transport: 'file', receivedAt: new Date(), timeZone: this.timeZone }, []);
    const lineOf = new Map<StoredEvent, number>();
    let lastTime = 0;
    events.forEach((e, i) => {
      lineOf.set(e, batch.lines[i]);
      lastTime = Math.max(lastTime, parseIso(e['@timestamp']) || 0);
    });
    // A counted match comes back from the engine as a stand-in firing, which keeps its place among
    // the rule firings of the same event.
    const counted = new Map<RuleFiring, CorrelationInput>();
    const firings = this.engine.evaluate(events, (input) => {
      const standIn = { event: input.event } as RuleFiring;
      counted.set(standIn, input);
      return [standIn];
    });
    const found = firings.map((f): BatchOutcome['found'][number] => {
      const line = lineOf.get(f.event)!;
      const input = counted.get(f);
      if (input) return { counted: input, line };
      const { event: _event, ...firing } = f;
      return { firing, line };
    });
    return { events: events.length, lastTime, found };
  }
}

export interface HuntWorkerData {
  files: RuleFiles;
  timeZone: string;
}

/**
 * Batch detection shared by this thread and worker threads, each with its own copy of the rules,
 * batches dealt in turn. Outcomes come back in the order the batches went in; at most two batches
 * per worker are in flight, so memory stays bounded whatever the size of the input.
 */
export class BatchDetectorPool {
  private readonly workers: { worker: Worker; queue: { resolve(o: BatchOutcome): void; reject(e: Error): void }[] }[];
  private next = 0;
  private failure: Error | undefined;

  constructor(
    private readonly local: () => BatchDetector,
    size: number,
    data: HuntWorkerData,
  ) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(compiledWorkerScript('./hunt.worker.js', import.meta.url), { workerData: data });
      const entry = { worker, queue: [] as { resolve(o: BatchOutcome): void; reject(e: Error): void }[] };
      worker.on('message', (outcome: BatchOutcome) => entry.queue.shift()?.resolve(outcome));
      const fail = (error: Error) => {
        this.failure ??= error;
        for (const waiting of entry.queue.splice(0)) waiting.reject(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`a hunt worker stopped (exit code ${code})`)));
      return entry;
    });
  }

  /**
   * Hands the batch to the next in turn; the promise settles with its outcome. This thread's turn
   * is taken at once, while the workers work on theirs.
   */
  detect(batch: LineBatch): Promise<BatchOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    const turn = this.next++ % (this.workers.length + 1);
    if (turn === this.workers.length) return Promise.resolve(this.local().detect(batch));
    const entry = this.workers[turn];
    return new Promise((resolve, reject) => {
      entry.queue.push({ resolve, reject });
      entry.worker.postMessage(batch, [batch.bytes.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer, batch.lines.buffer as ArrayBuffer]);
    });
  }

  /** How many batches may be in flight at once. */
  get capacity(): number {
    return this.workers.length * 2 + 1;
  }

  async close(): Promise<void> {
    for (const { worker } of this.workers) worker.removeAllListeners('exit');
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
