import { apacheErrorTime, syslogTime } from './clock.js';
import type { DemoRecord } from './traffic.js';

/**
 * The loghub samples (fixtures/loghub), moved to recent times so they land on today's charts.
 * Only the timestamps are rewritten; every message stays as the real system wrote it.
 */

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const SYSLOG_RE = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) /;
const APACHE_RE = /^\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d\d) (\d\d):(\d\d):(\d\d) (\d{4})\]/;

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim());
}

/**
 * OpenSSH_2k.log keeps its own rhythm (four hours of a brute-force campaign on LabSZ) and is
 * shifted whole so that its last line falls at `endAt`. The year-less syslog time is rewritten
 * in the city's zone; the host name in the line (LabSZ) names the asset.
 */
export function replayOpenSsh(text: string, endAt: number): DemoRecord[] {
  // The sample has no year and spans one day; any year measures the gaps between its lines.
  const parsed = lines(text).map((line) => {
    const m = SYSLOG_RE.exec(line);
    return { line, at: m ? Date.UTC(2001, MONTHS[m[1]], Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) : undefined };
  });
  const known = parsed.filter((p) => p.at !== undefined).map((p) => p.at!);
  if (known.length === 0) return [];
  const shift = endAt - Math.max(...known);
  let last = Math.min(...known) + shift;
  return parsed.map(({ line, at }) => {
    if (at === undefined) return { at: last, host: 'LabSZ', line };
    last = at + shift;
    return { at: last, host: 'LabSZ', line: syslogTime(last) + line.slice(15) };
  });
}

/**
 * Apache_2k.log covers a day and a half; it is squeezed evenly into [from, to] so the whole file
 * fits the last day, in order. It is the error log of the government site platform (gov-site01).
 */
export function replayApacheErrors(text: string, from: number, to: number): DemoRecord[] {
  const parsed = lines(text).map((line) => {
    const m = APACHE_RE.exec(line);
    return { line, m, at: m ? Date.UTC(Number(m[6]), MONTHS[m[1]], Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) : undefined };
  });
  const known = parsed.filter((p) => p.at !== undefined).map((p) => p.at!);
  if (known.length === 0) return [];
  const first = Math.min(...known);
  const span = Math.max(Math.max(...known) - first, 1);
  let last = from;
  return parsed.map(({ line, m, at }) => {
    if (at === undefined || !m) return { at: last, host: 'gov-site01', line };
    last = Math.round(from + ((at - first) / span) * (to - from));
    return { at: last, host: 'gov-site01', line: `[${apacheErrorTime(last)}]${line.slice(m[0].length)}` };
  });
}
