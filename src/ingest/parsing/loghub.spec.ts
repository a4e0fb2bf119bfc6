import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseLine } from './index.js';
import type { NormalizedEvent, ParseContext } from './index.js';

/**
 * Coverage over the loghub samples. Truth comes from loghub's own structured CSV (its templates
 * and the values at their <*> positions), never from this parser.
 */

const fixtures = new URL('../../../fixtures/loghub/', import.meta.url);

/** RFC 4180: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** The values at a template's <*> positions, each with the words just before it. */
function templateSlots(template: string, content: string): { before: string; value: string }[] | undefined {
  const pieces = template.split('<*>');
  const pattern = pieces.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*?)');
  const m = new RegExp(`^${pattern}$`).exec(content);
  if (!m) return undefined;
  // loghub collapses runs of blanks in templates ("rhost=<*> user=" for "rhost=X  user="), so a
  // slot can swallow the blanks after it; blanks before it are data (sshd prints user " 0101")
  return pieces.slice(0, -1).map((before, i) => ({ before, value: m[i + 1].trimEnd() }));
}

type Role = 'user' | 'source' | 'port';

/** What a slot means, read from the template's own words. */
function roleOf(before: string): Role | undefined {
  if (/getaddrinfo for $/.test(before)) return undefined; // the claimed name, not a verified source
  if (/port $/.test(before)) return 'port';
  if (/(?:from |by |rhost=|\[)$/.test(before) && !/\(uid=$/.test(before)) return 'source';
  if (/(?:user |user=|password for |none for )$/.test(before)) return 'user';
  if (/^Accepted password for $/.test(before)) return 'user';
  return undefined;
}

function check(event: NormalizedEvent, role: Role, value: string): string | undefined {
  const got =
    role === 'user' ? event.user?.name
    : role === 'port' ? String(event.source?.port)
    : isIP(value) ? event.source?.ip
    : event.source?.domain;
  // template E14 lost its final "ssh2" into the port slot ("42393 ssh2"); the port is the number
  const want = role === 'port' ? /^\d+/.exec(value)?.[0] : role === 'user' && value === '' ? undefined : value;
  return got === want ? undefined : `${role}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`;
}

const context = (now: string): ParseContext => ({
  source: 'loghub',
  transport: 'file',
  receivedAt: new Date(now),
  timeZone: 'Asia/Shanghai',
});

describe('loghub OpenSSH_2k', () => {
  const lines = readFileSync(new URL('OpenSSH_2k.log', fixtures), 'utf8').split('\n').filter((l) => l !== '');
  const truth = parseCsv(readFileSync(new URL('OpenSSH_2k.log_structured.csv', fixtures), 'utf8'));
  // the sample was logged in December; read it as if in the following January
  const events = lines.map((line) => parseLine(line, context('2018-01-05T00:00:00Z')));

  it('has one labelled row per line', () => {
    expect(lines).toHaveLength(2000);
    expect(truth).toHaveLength(2000);
  });

  it('recognises at least 99% of lines as a known event type', () => {
    const known = events.filter((e) => e.event.action !== 'unknown').length;
    const percent = (100 * known) / events.length;
    console.log(`OpenSSH_2k: ${known}/${events.length} lines (${percent.toFixed(2)}%) parsed to a known event.action`);
    expect(percent).toBeGreaterThanOrEqual(99);
  });

  it('extracts every user, source address and port that the loghub template marks', () => {
    const mismatches: string[] = [];
    let checked = 0;
    truth.forEach((row, i) => {
      const slots = templateSlots(row.EventTemplate, row.Content);
      if (!slots) {
        mismatches.push(`line ${row.LineId}: template does not match its own content`);
        return;
      }
      for (const { before, value } of slots) {
        const role = roleOf(before);
        if (!role) continue;
        checked++;
        const problem = check(events[i], role, value);
        if (problem) mismatches.push(`line ${row.LineId} (${row.EventId}): ${problem}`);
      }
    });
    console.log(`OpenSSH_2k: ${checked} template values checked, ${mismatches.length} mismatches`);
    expect(checked).toBeGreaterThan(3000);
    expect(mismatches).toEqual([]);
  });

  it('gives each loghub template the documented action and outcome', () => {
    // keyed by the template's wording, so the expectation reads as the vocabulary in PARSERS.md
    const expected: [RegExp, string, string | undefined][] = [
      [/^(?:message repeated <\*> times: \[ )?Failed /, 'ssh_login', 'failure'],
      [/^Accepted /, 'ssh_login', 'success'],
      [/^Invalid user |^input_userauth_request: invalid user /, 'ssh_invalid_user', 'failure'],
      [/POSSIBLE BREAK-IN ATTEMPT/, 'ssh_reverse_mapping_failed', undefined],
      [/^pam_unix\(sshd:auth\)|^PAM <\*> more authentication/, 'pam_authentication', 'failure'],
      [/Too many authentication failures|ignoring max retries/, 'ssh_auth_failures_exceeded', 'failure'],
      [/Received disconnect|^Connection closed|Write failed/, 'ssh_disconnect', undefined],
      [/^Did not receive identification/, 'ssh_no_identification', undefined],
      [/session opened/, 'session_opened', 'success'],
      [/session closed/, 'session_closed', 'success'],
    ];
    truth.forEach((row, i) => {
      const match = expected.find(([re]) => re.test(row.EventTemplate));
      expect({ template: row.EventTemplate, matched: match !== undefined }).toEqual({ template: row.EventTemplate, matched: true });
      expect([events[i].event.action, events[i].event.outcome]).toEqual([match![1], match![2]]);
    });
  });

  it('takes host, program, pid and wall-clock time (UTC+8, year inferred) from each line', () => {
    truth.forEach((row, i) => {
      const e = events[i];
      expect(e.host?.name).toBe(row.Component);
      expect(e.process).toMatchObject({ name: 'sshd', pid: Number(row.Pid) });
      const local = new Date(Date.parse(e['@timestamp']) + 8 * 3600_000);
      const month = local.toUTCString().slice(8, 11);
      expect([local.getUTCFullYear(), month, local.getUTCDate(), local.toISOString().slice(11, 19)])
        .toEqual([2017, row.Date, Number(row.Day), row.Time]);
    });
  });
});

describe('loghub Apache_2k (error log)', () => {
  const lines = readFileSync(new URL('Apache_2k.log', fixtures), 'utf8').split('\n').filter((l) => l !== '');
  const truth = parseCsv(readFileSync(new URL('Apache_2k.log_structured.csv', fixtures), 'utf8'));
  const events = lines.map((line) => parseLine(line, context('2006-01-01T00:00:00Z')));

  it('recognises every line as an Apache error-log event', () => {
    const known = events.filter((e) => e.event.action !== 'unknown' && e.event.dataset === 'apache.error').length;
    console.log(`Apache_2k: ${known}/${events.length} lines (${((100 * known) / events.length).toFixed(2)}%) parsed to a known event.action`);
    expect(truth).toHaveLength(lines.length);
    expect(known).toBe(lines.length);
  });

  it('matches level, time, client address and message to the loghub labels', () => {
    const mismatches: string[] = [];
    truth.forEach((row, i) => {
      const e = events[i];
      if (e.log?.level !== row.Level) mismatches.push(`line ${row.LineId}: level ${e.log?.level}`);
      // "Sun Dec 04 04:47:44 2005" read as Asia/Shanghai wall-clock time
      const [, mon, day, time, year] = row.Time.split(' ');
      const expected = new Date(`${day} ${mon} ${year} ${time} GMT+0800`).toISOString();
      if (e['@timestamp'] !== expected) mismatches.push(`line ${row.LineId}: time ${e['@timestamp']}`);
      const slots = templateSlots(row.EventTemplate, row.Content) ?? [];
      for (const { before, value } of slots) {
        if (/\[client $/.test(before) && e.source?.ip !== value) mismatches.push(`line ${row.LineId}: client ${e.source?.ip}`);
      }
      // the message is the content minus the [client …] block, which became source.ip
      if (e.message !== row.Content.replace(/^\[client [^\]]+\] /, '')) mismatches.push(`line ${row.LineId}: message ${e.message}`);
    });
    expect(mismatches).toEqual([]);
  });

  it('tells access denials apart from routine worker messages', () => {
    truth.forEach((row, i) => {
      const expected = row.EventTemplate.includes('forbidden by rule') ? 'web_access_denied' : 'web_server_message';
      expect(events[i].event.action).toBe(expected);
    });
  });
});
