import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The HTTP load generator runs in a child process so the server under test keeps its process to
 * itself, the same for the bare baseline and for Taishi, and the server's CPU time is its own.
 */
interface Job {
  url: string;
  token?: string;
  bodies: string[];
  concurrency: number;
}

interface LoadResult {
  seconds: number;
  /** CPU time of the load generator's process while it sent: it shares the box with the server. */
  cpuSeconds: number;
  failures: number;
  statuses: Record<number, number>;
}

const CHILD_FLAG = '--http-load-child';
const READY = 'ready';
const GO = 'go';

export interface PreparedLoad {
  /** Fires the bodies the child already holds; resolves when every request is answered. */
  run(): Promise<LoadResult>;
}

/**
 * Forks the load generator and hands it the bodies before anything is measured: sending tens of
 * megabytes over IPC is work of the measuring process, and would otherwise count as the server's.
 */
export function prepareLoad(job: Job): Promise<PreparedLoad> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let ready: () => void;
  let finished: (result: LoadResult) => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const result = new Promise<LoadResult>((resolve) => (finished = resolve));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load generator exited (code ${code}) without a result`)));
  });
  child.on('message', (message: typeof READY | LoadResult) => {
    if (message === READY) return ready();
    finished(message);
    child.disconnect();
  });
  child.send(job);
  return Promise.race([isReady, failed]).then(() => ({
    run: () => {
      child.send(GO);
      return Promise.race([result, failed]);
    },
  }));
}

export async function runLoad(job: Job): Promise<LoadResult> {
  return (await prepareLoad(job)).run();
}

async function load(job: Job): Promise<LoadResult> {
  const statuses: Record<number, number> = {};
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.bodies.length) {
        const body = job.bodies[next++];
        for (;;) {
          // A reset connection counts as status 0 and is retried, as a shipper would.
          const status = await fetch(job.url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...(job.token ? { authorization: `Bearer ${job.token}` } : {}) }, body }).then(
            async (r) => (await r.arrayBuffer(), r.status),
            () => 0,
          );
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === 202) break;
          failures++;
          if (status !== 503 && status !== 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6, failures, statuses };
}

if (process.argv.includes(CHILD_FLAG)) {
  process.once('message', (job: Job) => {
    process.once('message', async () => process.send!(await load(job)));
    process.send!(READY);
  });
}
