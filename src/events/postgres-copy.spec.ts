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
