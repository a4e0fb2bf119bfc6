import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');

/** Best of `runs` timings of `work`, as items per second. */
export async function rate(items: number, work: () => unknown, runs = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await work();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return items / best;
}

/** A measurement as `pairedRates` gives it: its own rate and its ratio to the baseline's, both medians. */
export interface PairedRate {
  perSecond: number;
  ratio: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Each measurement timed `runs` times, each time right after a run of `baseline`, the ratio taken
 * run by run: on a shared box whose speed drifts by 2× within minutes, a ratio of two timings
 * taken apart says more about the box than about the code. Medians, so a cold first run (the
 * JIT still compiling) or one disturbed run moves nothing. Answers the baseline's median rate too.
 */
export async function pairedRates(items: number, baseline: () => unknown, work: Record<string, () => unknown>, runs = 5): Promise<{ baseline: number; rates: Record<string, PairedRate> }> {
  const seconds = async (f: () => unknown) => {
    const started = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const baselineSeconds: number[] = [];
  const rates: Record<string, PairedRate> = {};
  for (const [name, f] of Object.entries(work)) {
    const own: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      const base = await seconds(baseline);
      const mine = await seconds(f);
      baselineSeconds.push(base);
      own.push(mine);
      ratios.push(base / mine);
    }
    rates[name] = { perSecond: items / median(own), ratio: median(ratios) };
  }
  return { baseline: items / median(baselineSeconds), rates };
}

export function table(title: string, rows: { name: string; perSecond: number; baseline?: number; ratio?: number; target?: string }[]): void {
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${'measurement'.padEnd(58)} ${'per second'.padStart(12)} ${'ratio'.padStart(8)}  target\n`);
  for (const r of rows) {
    const ratio = r.ratio !== undefined ? r.ratio.toFixed(2) : r.baseline ? (r.perSecond / r.baseline).toFixed(2) : '';
    process.stdout.write(`${r.name.padEnd(58)} ${Math.round(r.perSecond).toLocaleString('en').padStart(12)} ${ratio.padStart(8)}  ${r.target ?? ''}\n`);
  }
}

/** A time of day, which every sample line has. */
const TIME_OF_DAY = /(\d\d):(\d\d):(\d\d)/;

/** The line with its first time of day `minutes` later (within the day): the line its device would write then. */
function later(line: string, minutes: number): string {
  return line.replace(TIME_OF_DAY, (_, h: string, m: string, sec: string) => {
    const total = Number(h) * 60 + Number(m) + minutes;
    return `${String(Math.floor(total / 60) % 24).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}:${sec}`;
  });
}

/**
 * City log lines: the loghub OpenSSH and Apache samples plus the project's samples of every
 * other format, repeated to `count` lines. Each repetition moves the lines' times a minute on, so
 * ids differ and every line is still one its parser reads (a ` #n` appended to tell repetitions
 * apart left more than half of the lines to the raw fallback).
 */
export function cityLogLines(count: number): string[] {
  const read = (file: string) => readFileSync(path.join(root, file), 'utf8').split('\n').filter(Boolean);
  const sources = [
    ...read('fixtures/loghub/OpenSSH_2k.log'),
    ...read('fixtures/loghub/Apache_2k.log'),
    ...['auth.log', 'nginx-access.log', 'apache-access.log', 'iptables.log', 'firewall-kv.log', 'syslog-rfc5424.log'].flatMap((f) => read(`fixtures/logs/${f}`)),
  ];
  return Array.from({ length: count }, (_, i) => later(sources[i % sources.length], Math.floor(i / sources.length)));
}

/** The same lines as a log shipper sends them over HTTP: one JSON envelope per line. */
export function shipperNdjson(lines: string[]): string[] {
  return lines.map((message, i) => JSON.stringify({ '@timestamp': new Date(Date.now() - (lines.length - i) * 10).toISOString(), message, host: { name: `host-${i % 500}` }, agent: { type: 'fluent-bit' } }));
}

const CLOCK_TICKS = 100;

/** utime + stime (and, with `children`, those of reaped children) from a Linux /proc stat file, in seconds. */
function statCpu(file: string, children = false): { seconds: number; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { seconds: (f[11] + f[12] + (children ? f[13] + f[14] : 0)) / CLOCK_TICKS, ppid: f[1] };
}

export interface CpuSeconds {
  mainThread: number;
  process: number;
  postgres: number;
}

/** `pid`: another process on this box (this one when left out). */
function cpuNow(postmaster: number, pid?: number): CpuSeconds | undefined {
  const main = statCpu(pid ? `/proc/${pid}/task/${pid}/stat` : `/proc/self/task/${process.pid}/stat`);
  const server = statCpu(`/proc/${postmaster}/stat`, true);
  const whole = pid ? statCpu(`/proc/${pid}/stat`) : undefined;
  if (!main || !server || (pid && !whole)) return undefined;
  let postgres = server.seconds;
  for (const child of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const stat = statCpu(`/proc/${child}/stat`);
    if (stat?.ppid === postmaster) postgres += stat.seconds;
  }
  const usage = process.cpuUsage();
  return { mainThread: main.seconds, process: whole ? whole.seconds : (usage.user + usage.system) / 1e6, postgres };
}

/**
 * From now on, CPU seconds of this process's (or `pid`'s) main thread, of the whole process, and of the
 * PostgreSQL server whose postmaster is `postmaster` (live backends and those already gone).
 * Linux only (undefined elsewhere). The box is shared, so CPU time says more than wall time
 * about what a design costs.
 */
export function cpuMeter(postmaster: number, pid?: number): () => CpuSeconds | undefined {
  const start = cpuNow(postmaster, pid);
  return () => {
    const end = cpuNow(postmaster, pid);
    return start && end && { mainThread: end.mainThread - start.mainThread, process: end.process - start.process, postgres: end.postgres - start.postgres };
  };
}
