/**
 * Ground truth for brute-force detection over the loghub OpenSSH sample, derived from the log
 * with its own regular expression, independent of Taishi's parsers and engine: failed
 * authentications ("Failed <method> for [invalid user] X from IP", also inside "message repeated
 * N times: [ … ]", counted once like any line) per source address, and whether some window of
 * `timespanMs` holds at least `threshold` of them. All lines are from one December, so the year
 * does not matter for differences.
 */
export function bruteForceSources(lines: readonly string[], threshold: number, timespanMs: number): string[] {
  const FAILED = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) \S+ sshd\[\d+\]: (?:message repeated \d+ times: \[ )?Failed \S+ for (?:invalid user )?.*? from (\d+\.\d+\.\d+\.\d+) port \d+/;
  const times = new Map<string, number[]>();
  for (const line of lines) {
    const m = FAILED.exec(line);
    if (!m) continue;
    const t = Date.UTC(2000, 11, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    times.set(m[6], [...(times.get(m[6]) ?? []), t]);
  }
  const out: string[] = [];
  for (const [ip, ts] of times) {
    const sorted = [...ts].sort((a, b) => a - b);
    if (sorted.some((t, i) => i + 1 >= threshold && t - sorted[i + 1 - threshold] <= timespanMs)) out.push(ip);
  }
  return out.sort();
}
