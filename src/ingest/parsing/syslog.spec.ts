import { parseLine } from './index.js';
import type { ParseContext } from './index.js';

const ctx = (now: string, extra: Partial<ParseContext> = {}): ParseContext => ({
  source: 'test', transport: 'syslog', receivedAt: new Date(now), ...extra,
});

describe('RFC 3164 envelope', () => {
  it('reads PRI, time, host, program and pid', () => {
    const e = parseLine('<38>Mar  3 14:15:16 web-01 sshd[811]: Server listening on 0.0.0.0 port 22.', ctx('2024-06-01T00:00:00Z'));
    expect(e['@timestamp']).toBe('2024-03-03T06:15:16.000Z');
    expect(e.host).toEqual({ name: 'web-01' });
    expect(e.process).toEqual({ name: 'sshd', pid: 811 });
    expect(e.log).toEqual({
      level: 'info',
      syslog: { priority: 38, facility: { code: 4, name: 'auth' }, severity: { code: 6, name: 'info' } },
    });
    expect(e.event.severity).toBe(6);
    expect(e.message).toBe('Server listening on 0.0.0.0 port 22.');
  });

  it('reads the file form without PRI, as in /var/log/auth.log', () => {
    const e = parseLine('Jan  9 08:00:01 gw CRON[5120]: (root) CMD (run-parts /etc/cron.hourly)', ctx('2024-01-09T12:00:00Z'));
    expect(e['@timestamp']).toBe('2024-01-09T00:00:01.000Z');
    expect(e.log).toBeUndefined();
    expect(e.process).toEqual({ name: 'CRON', pid: 5120, command_line: 'run-parts /etc/cron.hourly' });
  });

  it('takes the previous year when the date would be more than a day ahead of now', () => {
    const line = 'Dec 31 23:59:59 h app: x';
    expect(parseLine(line, ctx('2025-01-01T02:00:00Z'))['@timestamp']).toBe('2024-12-31T15:59:59.000Z');
    // a sender whose clock runs a few hours fast stays in the current year
    expect(parseLine('Jan  1 12:00:00 h app: x', ctx('2025-01-01T00:00:00Z'))['@timestamp']).toBe('2025-01-01T04:00:00.000Z');
  });

  it('infers the year in the configured zone, not in UTC', () => {
    // 2024-12-31T20:00Z is already 2025 in Shanghai
    const e = parseLine('Jan  1 03:00:00 h app: x', ctx('2024-12-31T20:00:00Z'));
    expect(e['@timestamp']).toBe('2024-12-31T19:00:00.000Z');
  });

  it('applies a configured zone, fixed or with daylight saving', () => {
    expect(parseLine('Jul  1 12:00:00 h app: x', ctx('2024-08-01T00:00:00Z', { timeZone: 'UTC' }))['@timestamp']).toBe('2024-07-01T12:00:00.000Z');
    expect(parseLine('Jul  1 12:00:00 h app: x', ctx('2024-08-01T00:00:00Z', { timeZone: '-05:30' }))['@timestamp']).toBe('2024-07-01T17:30:00.000Z');
    expect(parseLine('Jul  1 12:00:00 h app: x', ctx('2024-08-01T00:00:00Z', { timeZone: 'America/New_York' }))['@timestamp']).toBe('2024-07-01T16:00:00.000Z');
    expect(parseLine('Jan  1 12:00:00 h app: x', ctx('2024-08-01T00:00:00Z', { timeZone: 'America/New_York' }))['@timestamp']).toBe('2024-01-01T17:00:00.000Z');
  });

  it('falls back to Asia/Shanghai for an unknown zone name instead of failing', () => {
    expect(parseLine('Jul  1 12:00:00 h app: x', ctx('2024-08-01T00:00:00Z', { timeZone: 'Mars/Olympus' }))['@timestamp']).toBe('2024-07-01T04:00:00.000Z');
  });

  it('accepts an explicit year and fractional seconds', () => {
    expect(parseLine('<189>Mar 10 2023 08:00:00 core-sw %LINK-3-UPDOWN: down', ctx('2024-08-01T00:00:00Z'))['@timestamp']).toBe('2023-03-10T00:00:00.000Z');
    expect(parseLine('Mar 10 08:00:00.250 h app: x', ctx('2024-08-01T00:00:00Z'))['@timestamp']).toBe('2024-03-10T00:00:00.250Z');
  });

  it('reads the ISO-dated form rsyslog writes to files', () => {
    const e = parseLine('2024-05-06T07:08:09.123456+08:00 db01 sudo: pam_unix(sudo:session): session closed for user root', ctx('2024-08-01T00:00:00Z'));
    expect(e['@timestamp']).toBe('2024-05-05T23:08:09.123Z');
    expect(e.host?.name).toBe('db01');
    expect(e.event.action).toBe('session_closed');
  });

  it('handles a tag without host, and does not mistake "sshd[1]:" for a host', () => {
    const e = parseLine('Jan  9 08:00:01 sshd[77]: error: Received disconnect from 1.2.3.4 port 5: 11: Bye', ctx('2024-01-10T00:00:00Z'));
    expect(e.host).toBeUndefined();
    expect(e.process).toEqual({ name: 'sshd', pid: 77 });
    expect(e.event.action).toBe('ssh_disconnect');
  });

  it('reads a device that sends PRI and then the message with no header', () => {
    const e = parseLine('<189>date=2024-03-01 time=10:20:30 devname="FG100E" srcip=10.1.1.2 dstip=8.8.8.8 action=deny', ctx('2024-08-01T00:00:00Z'));
    expect(e.log?.syslog?.severity).toEqual({ code: 5, name: 'notice' });
    expect(e['@timestamp']).toBe('2024-03-01T02:20:30.000Z');
    expect(e.event.action).toBe('network_flow_denied');
  });

  it('unwraps "message repeated N times"', () => {
    const e = parseLine('Dec 10 09:00:00 h sshd[5]: message repeated 3 times: [ Failed password for root from 5.6.7.8 port 4242 ssh2]', ctx('2024-12-11T00:00:00Z'));
    expect(e.event.action).toBe('ssh_login');
    expect(e.event.outcome).toBe('failure');
    expect(e.vendor).toMatchObject({ repeat_count: 3 });
    expect(e.source).toEqual({ ip: '5.6.7.8', port: 4242 });
  });
});

describe('RFC 5424 envelope', () => {
  it('reads all header fields, structured data with escapes, and strips the BOM', () => {
    const line = '<165>1 2024-02-03T04:05:06.789Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lic\\]ation"][origin ip="10.0.0.1"] \ufeffAn application event';
    const e = parseLine(line, ctx('2024-08-01T00:00:00Z'));
    expect(e['@timestamp']).toBe('2024-02-03T04:05:06.789Z');
    expect(e.message).toBe('An application event');
    expect(e.host?.name).toBe('mymachine.example.com');
    expect(e.process).toEqual({ name: 'evntslog', pid: 1234 });
    expect(e.log?.syslog).toEqual({
      priority: 165, facility: { code: 20, name: 'local4' }, severity: { code: 5, name: 'notice' }, version: '1',
      hostname: 'mymachine.example.com', appname: 'evntslog', procid: '1234', msgid: 'ID47',
      structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'App"lic]ation' }, origin: { ip: '10.0.0.1' } },
    });
  });

  it('accepts NILVALUE everywhere and an absent message', () => {
    const e = parseLine('<14>1 - - - - - -', ctx('2024-08-01T00:00:00Z'));
    expect(e['@timestamp']).toBe('2024-08-01T00:00:00.000Z');
    expect(e.host).toBeUndefined();
    expect(e.process).toBeUndefined();
    expect(e.message).toBe('');
    expect(e.log?.syslog?.version).toBe('1');
  });

  it('dispatches the message to the program parser', () => {
    const e = parseLine('<86>1 2024-02-03T12:00:00+08:00 bastion sshd 999 - - Accepted publickey for ops from 10.2.3.4 port 50022 ssh2: ED25519 SHA256:abc', ctx('2024-08-01T00:00:00Z'));
    expect(e['@timestamp']).toBe('2024-02-03T04:00:00.000Z');
    expect(e.event).toMatchObject({ action: 'ssh_login', outcome: 'success', dataset: 'system.auth' });
    expect(e.user?.name).toBe('ops');
    expect(e.vendor).toMatchObject({ auth_method: 'publickey', key: 'ED25519 SHA256:abc' });
  });

  it('keeps a malformed header as a raw event rather than guessing', () => {
    const e = parseLine('<14>1 2024-02-03T12:00:00Z host app 1 - [broken sd', ctx('2024-08-01T00:00:00Z'));
    expect(e.event.action).toBe('unknown');
    expect(e.message).toBe('<14>1 2024-02-03T12:00:00Z host app 1 - [broken sd');
  });
});
