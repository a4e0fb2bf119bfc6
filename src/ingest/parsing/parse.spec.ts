import { createHash, randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import { ACTIONS, DEFAULT_MAX_LINE_LENGTH, eventId, idHash, parseBytes, parseJsonRecord, parseLine } from './index.js';
import type { FormatHint, ParseContext } from './index.js';

const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({
  source: 'edge-01', transport: 'file', receivedAt: new Date('2024-06-02T00:00:00Z'), ...extra,
});

describe('parseLine robustness', () => {
  it('keeps an empty line as a raw event stamped with the receive time', () => {
    const e = parseLine('', ctx());
    expect(e).toEqual({
      '@timestamp': '2024-06-02T00:00:00.000Z',
      event: { kind: 'event', category: [], type: ['info'], action: 'unknown', dataset: 'generic.raw', module: 'generic', original: '', created: '2024-06-02T00:00:00.000Z' },
      message: '',
    });
  });

  it('keeps unrecognised text whole in message and event.original', () => {
    const text = '设备 离线 ### 0x7f !!';
    const e = parseLine(text, ctx());
    expect([e.event.action, e.message, e.event.original]).toEqual(['unknown', text, text]);
  });

  it('strips the line terminator and a leading byte-order mark', () => {
    const e = parseLine('\ufeffJun  1 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1\r\n', ctx());
    expect([e.event.action, e.message, e.event.original]).toEqual(['ssh_invalid_user', 'Invalid user a from 192.0.2.1', 'Jun  1 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1']);
  });

  it('cuts oversize lines, tags them, and still parses the header', () => {
    const e = parseLine(`Jun  1 10:00:00 h sshd[1]: Invalid user ${'x'.repeat(200_000)} from 192.0.2.1`, ctx());
    expect(e.tags).toEqual(['truncated']);
    expect(e.event.original).toHaveLength(DEFAULT_MAX_LINE_LENGTH);
    expect(e.process?.name).toBe('sshd');
    expect(parseLine('a'.repeat(100), ctx({ maxLineLength: 10 })).event.original).toBe('a'.repeat(10));
  });

  it('stays fast on adversarial long lines', () => {
    const nasty = [
      `Jun  1 10:00:00 h sshd[1]: Failed password for ${' from x'.repeat(9000)}`,
      `1.2.3.4 - - [01/Jun/2024:10:11:12 +0800] "${'\\"'.repeat(30_000)}`,
      `${'k=v '.repeat(16_000)}`,
      `{${'"a":['.repeat(10_000)}`,
      `[Sun Dec 04 04:47:44 2005] [error] ${'[client '.repeat(8000)}`,
    ];
    const started = performance.now();
    for (const line of nasty) parseLine(line, ctx());
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('never throws on random bytes, whatever the hint', () => {
    const hints: FormatHint[] = ['auto', 'syslog', 'nginx', 'apache', 'iptables', 'json', 'kv', 'windows', 'telemetry', 'raw'];
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(1 + (i % 300));
      // seed some structure so the parsers get past their first checks
      const prefix = ['<13>', 'Jun  1 10:00:00 h sshd[1]: ', '{"', '[Sun Dec 04 04:47:44 2005] [', 'a=', ''][i % 6];
      const e = parseBytes(Buffer.concat([Buffer.from(prefix), bytes]), ctx({ format: hints[i % hints.length] }));
      expect(Number.isNaN(Date.parse(e['@timestamp']))).toBe(false);
      expect(Object.keys(ACTIONS)).toContain(e.event.action);
      expect(typeof e.event.original).toBe('string');
    }
  });
});

describe('parseBytes', () => {
  it('decodes GBK lines and tags them', () => {
    const line = '<134>Jun  1 10:00:00 fw01 srcip=10.0.0.1 dstip=10.0.0.2 action=拒绝 msg="非法访问"';
    const e = parseBytes(iconv.encode(line, 'gbk'), ctx());
    expect([e.event.action, e.message, e.tags]).toEqual(['network_flow_denied', '非法访问', ['gb18030']]);
  });

  it('parses a GBK user name in an sshd line', () => {
    const e = parseBytes(iconv.encode('Jun  1 10:00:00 h sshd[1]: Failed password for 管理员 from 192.0.2.1 port 2 ssh2', 'gbk'), ctx());
    expect([e.user?.name, e.event.outcome]).toEqual(['管理员', 'failure']);
  });

  it('tags undecodable bytes as lossy', () => {
    const e = parseBytes(Buffer.from([0x61, 0x3d, 0x31, 0x20, 0xff, 0xff, 0x3d, 0x32]), ctx());
    expect(e.tags).toContain('lossy_decode');
  });
});

describe('format hints', () => {
  it('uses the hinted parser', () => {
    expect(parseLine('{"device_id":"x","t":1}', ctx({ format: 'telemetry' })).event.action).toBe('device_telemetry');
  });

  it('falls back to detection and says so when the hint was wrong', () => {
    const e = parseLine('Jun  1 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1', ctx({ format: 'nginx' }));
    expect([e.event.action, e.tags]).toEqual(['ssh_invalid_user', ['hint_mismatch']]);
  });

  it('skips detection entirely for raw', () => {
    expect(parseLine('Jun  1 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1', ctx({ format: 'raw' })).event.action).toBe('unknown');
  });
});

describe('eventId', () => {
  const line = 'Jun  1 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1';

  it('is the same for a replay received at another time', () => {
    const first = parseLine(line, ctx());
    const replay = parseLine(line, ctx({ receivedAt: new Date('2024-06-09T00:00:00Z') }));
    expect(eventId(first, 'edge-01')).toBe(eventId(replay, 'edge-01'));
    expect(eventId(first, 'edge-01')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('differs by source, content and timestamp', () => {
    const base = parseLine(line, ctx());
    const ids = new Set([
      eventId(base, 'edge-01'),
      eventId(base, 'edge-02'),
      eventId(parseLine(line.replace('a from', 'b from'), ctx()), 'edge-01'),
      eventId(parseLine(line.replace('10:00:00', '10:00:01'), ctx()), 'edge-01'),
    ]);
    expect(ids.size).toBe(4);
  });

  it('honours a client id, scoped to the source', () => {
    const a = parseJsonRecord({ '@timestamp': '2024-06-01T00:00:00Z', event: { id: 'evt-9', action: 'x' } }, ctx());
    const b = parseJsonRecord({ '@timestamp': '2024-06-01T00:00:05Z', event: { id: 'evt-9', action: 'y' } }, ctx());
    expect(eventId(a, 'edge-01')).toBe(eventId(b, 'edge-01'));
    expect(eventId(a, 'edge-01')).not.toBe(eventId(a, 'edge-02'));
  });

  it('keeps the ids already stored: the first 16 bytes of SHA-256 over source, timestamp and line', () => {
    for (const [source, text] of [['edge-01', line], ['边缘-\ud800', '六月 1 10:00:00 主机 登录失败 \udc00 user=张三']]) {
      const event = parseLine(text, ctx());
      const digest = createHash('sha256').update(source).update('\0').update('line\0').update(event['@timestamp']).update('\0').update(text).digest();
      expect(eventId(event, source)).toBe(digest.subarray(0, 16).toString('base64url'));
    }
  });

  it('hashes to 128 bits in base64url for any input', () => {
    for (let i = 0; i < 200; i++) {
      const input = randomBytes(i).toString('latin1');
      expect(idHash(input)).toBe(createHash('sha256').update(input).digest().subarray(0, 16).toString('base64url'));
    }
  });

  it('is stable for JSON records re-sent without their raw text', () => {
    const record = { device_id: 'cam-01', ts: 1717207200, temperature: 40 };
    expect(eventId(parseJsonRecord(record, ctx()), 's')).toBe(eventId(parseJsonRecord({ ...record }, ctx({ receivedAt: new Date() })), 's'));
  });
});
