import { readFileSync } from 'node:fs';
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

export function table(title: string, rows: { name: string; perSecond: number; baseline?: number; target?: string }[]): void {
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${'measurement'.padEnd(58)} ${'per second'.padStart(12)} ${'ratio'.padStart(8)}  target\n`);
  for (const r of rows) {
    const ratio = r.baseline ? (r.perSecond / r.baseline).toFixed(2) : '';
    process.stdout.write(`${r.name.padEnd(58)} ${Math.round(r.perSecond).toLocaleString('en').padStart(12)} ${ratio.padStart(8)}  ${r.target ?? ''}\n`);
  }
}

/**
 * City log lines: the loghub OpenSSH and Apache samples plus the project's samples of every
 * other format, repeated to `count` lines with the host varied so assets and ids differ.
 */
export function cityLogLines(count: number): string[] {
  const read = (file: string) => readFileSync(path.join(root, file), 'utf8').split('\n').filter(Boolean);
  const sources = [
    ...read('fixtures/loghub/OpenSSH_2k.log'),
    ...read('fixtures/loghub/Apache_2k.log'),
    ...['auth.log', 'nginx-access.log', 'apache-access.log', 'iptables.log', 'firewall-kv.log', 'syslog-rfc5424.log'].flatMap((f) => read(`fixtures/logs/${f}`)),
  ];
  return Array.from({ length: count }, (_, i) => `${sources[i % sources.length]}${i >= sources.length ? ` #${Math.floor(i / sources.length)}` : ''}`);
}

/** The same lines as a log shipper sends them over HTTP: one JSON envelope per line. */
export function shipperNdjson(lines: string[]): string[] {
  return lines.map((message, i) => JSON.stringify({ '@timestamp': new Date(Date.now() - (lines.length - i) * 10).toISOString(), message, host: { name: `host-${i % 500}` }, agent: { type: 'fluent-bit' } }));
}
