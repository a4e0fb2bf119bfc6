import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseLine } from '../../src/ingest/parsing/index.js';
import { root } from '../support/service-process.js';

/**
 * Acceptance on an older Red Hat style auth log (fixtures/logs/redhat-legacy-auth.log: Linux-PAM
 * with the module in the tag, ftpd, klogind, xinetd, login, and modern sshd lines mixed in; a
 * password-guessing campaign from 30-odd sources, some known only by host name).
 */
const FILE = 'fixtures/logs/redhat-legacy-auth.log';
const lines = readFileSync(path.join(root, FILE), 'utf8').split('\n').filter(Boolean);
const context = { source: 'redhat', transport: 'file' as const, receivedAt: new Date('2005-06-14T00:00:00Z') };
const SECURITY_PROGRAMS = new Set(['sshd', 'su', 'login', 'klogind', 'ftpd', 'crond', 'passwd', 'useradd', 'usermod', 'xinetd']);
const LINE_RE = /^Jun (\d\d) (\d\d):(\d\d):(\d\d) \S+ ([^\s[(:]+)[^:]*: (.*)$/;
// the remote peer a line names, read independently of the parsers
const PEER_RE = /rhost=(\S+)|\bfrom=?(\S+?)(?:,| port| \(|$)|Client "([^"]+)"|FROM (?!\(null\))([^,\s]+)/;

const taishi = (...args: string[]) => spawnSync(process.execPath, ['bin/taishi.js', ...args], { cwd: root, env: { PATH: process.env.PATH }, encoding: 'utf8' });

describe('older Red Hat auth log', () => {
  it('reads at least 95% of its security-relevant lines to a known action, keeping the remote host', () => {
    let relevant = 0;
    let known = 0;
    let withPeer = 0;
    let peerKept = 0;
    for (const line of lines) {
      const m = LINE_RE.exec(line)!;
      if (!SECURITY_PROGRAMS.has(m[5])) continue;
      relevant++;
      const event = parseLine(line, context);
      if (event.event.action !== 'unknown') known++;
      if (PEER_RE.test(m[6])) {
        withPeer++;
        if (event.source?.ip || event.source?.domain) peerKept++;
      }
    }
    process.stdout.write(`\n${FILE}: ${lines.length} lines, ${relevant} security-relevant, ${known} (${((100 * known) / relevant).toFixed(1)}%) to a known action; ${peerKept}/${withPeer} remote hosts kept\n`);
    expect(lines.length).toBeGreaterThanOrEqual(300);
    expect(known / relevant).toBeGreaterThanOrEqual(0.95);
    expect(peerKept / withPeer).toBeGreaterThanOrEqual(0.95);
  });

  it('hunt flags every source with ten or more failures in ten minutes, and none with fewer than three', () => {
    // failures per source from the raw text: old PAM lines, sshd's own "Failed" lines, ftpd refusals
    // (modern pam_unix(sshd:auth) lines repeat sshd's and are not counted twice)
    const failures = new Map<string, number[]>();
    for (const line of lines) {
      const m = LINE_RE.exec(line)!;
      const at = ((Number(m[1]) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4]);
      const peer =
        (line.includes('(pam_unix)[') && /authentication failure;.*rhost=(\S+)/.exec(m[6])?.[1]) ||
        /^Failed \S+ for (?:invalid user )?\S+ from (\S+) port/.exec(m[6])?.[1] ||
        /^FTP LOGIN FAILED FROM ([^,]+),/.exec(m[6])?.[1];
      if (peer) failures.set(peer, [...(failures.get(peer) ?? []), at]);
    }
    const burst = (times: number[]) => Math.max(...times.map((t) => times.filter((u) => u >= t && u <= t + 600).length));
    const mustFlag = [...failures].filter(([, t]) => burst(t) >= 10).map(([p]) => p).sort();
    const mustNot = [...failures].filter(([, t]) => t.length < 3).map(([p]) => p);
    expect(mustFlag.length).toBeGreaterThanOrEqual(27);
    expect(mustFlag.filter((p) => !/^[\d.:]+$/.test(p)).length).toBeGreaterThanOrEqual(5);
    expect(mustNot.length).toBeGreaterThanOrEqual(10);

    const r = taishi('hunt', '--format', 'ndjson', FILE);
    expect(r.status).toBe(0);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { title: string; group: string });
    const groups = (titles: string[]) => new Set(alerts.filter((a) => titles.includes(a.title)).map((a) => a.group.replace(/^source\.(?:address|ip)=/, '')));
    const flagged = groups(['SSH brute force from one address', 'Password guessing against a login service from one host']);
    process.stdout.write(`hunt: ${mustFlag.length} sources with ≥ 10 failures in 10 min, ${[...flagged].filter((p) => mustFlag.includes(p)).length} flagged; ${mustNot.length} with < 3 failures, ${mustNot.filter((p) => flagged.has(p)).length} flagged\n`);
    expect(mustFlag.filter((p) => !flagged.has(p))).toEqual([]);
    const anyAlert = new Set(alerts.map((a) => a.group.replace(/^source\.(?:address|ip)=/, '')));
    expect(mustNot.filter((p) => anyAlert.has(p))).toEqual([]);
  });
});
