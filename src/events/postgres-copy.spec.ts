import type { StoredEvent } from './event-store.js';
import { copyChunks, eventCopyRow, prepareCopy } from './postgres-copy.js';

function event(i: number, message: string): StoredEvent {
  return { '@timestamp': '2026-12-05T10:00:00.000Z', event: { id: `id-${i}`, kind: 'event', category: ['authentication'], action: 'ssh_login', dataset: 'system.auth', module: 'system' }, message } as StoredEvent;
}

describe('COPY chunks', () => {
  const filedAt = Date.parse('2026-12-05T10:00:00Z');

  it('holds the rows of each event in order, size events to a chunk, as UTF-8', () => {
    const events = Array.from({ length: 5 }, (_, i) => event(i, `登录 from 京A1234${i}\ttab \\ backslash`));
    const filed = events.map(() => filedAt);
    const chunks = [...copyChunks(events, filed, 2)];
    expect(chunks.map((chunk) => chunk.toString('utf8').split('\n').length - 1)).toEqual([2, 2, 1]);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(events.map((e) => eventCopyRow(e, filedAt)).join(''));
  });

  it('grows a chunk past its first guess for long rows', () => {
    const events = [event(0, 'x'.repeat(10_000)), event(1, '长'.repeat(5_000))];
    const [chunk] = copyChunks(events, [filedAt, filedAt], 2);
    expect(chunk.toString('utf8')).toBe(events.map((e) => eventCopyRow(e, filedAt)).join(''));
  });

  it('prepares a worker batch in buffers it can transfer', () => {
    const prepared = prepareCopy([event(0, 'a'), event(1, 'b')], filedAt);
    expect(prepared.filed).toEqual([filedAt, filedAt]);
    for (const rows of prepared.rows) expect(rows.buffer).not.toBe(Buffer.allocUnsafe(1).buffer);
  });
});

describe('COPY rows', () => {
  const filedAt = Date.parse('2026-12-05T10:00:00Z');
  const columns = (row: string) => row.replace(/\n$/, '').split('\t');

  it('write each column in COPY text: escapes, NULLs, addresses the inet columns take, array literals', () => {
    const event = {
      '@timestamp': '2026-12-05T10:00:00.000Z',
      event: { id: 'id-1', kind: 'event', category: ['web', 'say "hi"', 'back\\slash', 'tab\there'], action: '', dataset: 'nginx.access', module: 'nginx', outcome: undefined },
      source: { ip: '2001:DB8::a1' },
      destination: { ip: '10.0.0.1 ', port: 443 },
      user: { name: 'zhang\\san\r\n' },
      host: { name: 7 },
      taishi: { asset_id: '00000000-0000-4000-8000-00000000000A', department: '办公室', zone: null },
      message: 'GET /a\tb\0c',
    } as unknown as StoredEvent;
    const cells = columns(eventCopyRow(event, filedAt, '{"a":"x\\\\y\\u0000"}'));
    expect(cells).toEqual([
      '2026-12-05T10:00:00.000Z',
      'id-1',
      'event',
      'nginx',
      'nginx.access',
      '\\N',
      '\\N',
      // the literal {"web","say \"hi\"","back\\slash","tab<TAB>here"}, then its backslashes and tab escaped for COPY
      '{"web","say \\\\"hi\\\\"","back\\\\\\\\slash","tab\\there"}',
      '2001:DB8::a1',
      '\\N',
      '443',
      'zhang\\\\san\\r\\n',
      '7',
      '\\N',
      '\\N',
      '00000000-0000-4000-8000-00000000000A',
      '办公室',
      '\\N',
      'GET /a\\tb\ufffdc',
      '{"a":"x\\\\\\\\y\\\\ufffd"}',
    ]);
  });

  it('leave out addresses with anything but hex digits, colons and dots, and control characters among them', () => {
    for (const ip of ['10.0.0.1\u000e', '10.0.0.\u0010', 'fe80::1%eth0', 'g::1', '']) {
      const event = { ...event0(), source: { ip } } as StoredEvent;
      expect(columns(eventCopyRow(event, filedAt))[8]).toBe('\\N');
    }
    expect(columns(eventCopyRow({ ...event0(), source: { ip: 'FE80::1' } } as StoredEvent, filedAt))[8]).toBe('FE80::1');
  });

  const event0 = () => event(0, 'm');
});
