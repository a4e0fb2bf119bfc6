import { parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * The HTTP load generator runs in a worker thread so the server under test keeps the main
 * thread to itself, the same for the bare baseline and for Taishi.
 */
interface Job {
  url: string;
  token?: string;
  bodies: string[];
  concurrency: number;
}

export function runLoad(job: Job): Promise<{ seconds: number; failures: number; statuses: Record<number, number> }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

if (parentPort && workerData) {
  const job = workerData as Job;
  const statuses: Record<number, number> = {};
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.bodies.length) {
        const body = job.bodies[next++];
        for (;;) {
          const r = await fetch(job.url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...(job.token ? { authorization: `Bearer ${job.token}` } : {}) }, body });
          await r.arrayBuffer();
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status === 202) break;
          failures++;
          if (r.status !== 503) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }),
  );
  parentPort.postMessage({ seconds: Number(process.hrtime.bigint() - started) / 1e9, failures, statuses });
}
