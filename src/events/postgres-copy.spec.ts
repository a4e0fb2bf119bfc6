import type { StoredEvent } from './event-store.js';
import { COPY_COLUMNS, copyChunks, prepareCopy } from './postgres-copy.js';

function event(i: number, message: string): StoredEvent {
  return { '@timestamp': '2026-12-05T10:00:00.000Z', event: { id: `id-${i}`, kind: 'event', category: ['authentication'], action: 'ssh_login', dataset: 'system.auth', module: 'system' }, message } as StoredEvent;
}

/** The rows of binary COPY data: each a list of its fields' bytes (null for NULL). */
function rowsOf(data: Buffer): (Buffer | null)[][] {
  const rows: (Buffer | null)[][] = [];
  for (let at = 0; at < data.length; ) {
    const count = data.readInt16BE(at);
    at += 2;
    const fields: (Buffer | null)[] = [];
    for (let i = 0; i < count; i++) {
      const length = data.readInt32BE(at);
      at += 4;
      fields.push(length < 0 ? null : data.subarray(at, at + length));
      at += Math.max(length, 0);
    }
    rows.push(fields);
  }
  return rows;
}

const column = (name: string) => COPY_COLUMNS.indexOf(name);

// What each column holds once PostgreSQL has read it is checked against PostgreSQL itself in
// test/database/event-copy.test.ts; these check the framing.
describe('COPY chunks', () => {
  const filedAt = Date.parse('2026-12-05T10:00:00Z');

  it('holds the rows of each event in order, size events to a chunk, every field framed by its length', () => {
    const events = Array.from({ length: 5 }, (_, i) => event(i, `登录 from 京A1234${i}\ttab \\ backslash`));
    const chunks = [...copyChunks(events, events.map(() => filedAt), 2)];
    const rows = chunks.map(rowsOf);
    expect(rows.map((r) => r.length)).toEqual([2, 2, 1]);
    for (const [i, row] of rows.flat().entries()) {
      expect(row).toHaveLength(COPY_COLUMNS.length);
      expect(row[column('id')]?.toString('utf8')).toBe(`id-${i}`);
      expect(row[column('message')]?.toString('utf8')).toBe(`登录 from 京A1234${i}\ttab \\ backslash`);
      expect(JSON.parse(row[column('doc')]!.toString('utf8'))).toEqual(events[i]);
      expect(row[column('outcome')]).toBeNull();
    }
  });

  it('grows a chunk past its first guess for long rows', () => {
    const events = [event(0, 'x'.repeat(10_000)), event(1, '长'.repeat(5_000))];
    const [chunk] = copyChunks(events, [filedAt, filedAt], 2);
    expect(rowsOf(chunk).map((row) => row[column('message')]?.toString('utf8'))).toEqual(['x'.repeat(10_000), '长'.repeat(5_000)]);
  });

  it('takes the JSON already made of each event', () => {
    const [chunk] = copyChunks([event(0, 'a')], [filedAt], 1, ['{"made":"before"}']);
    expect(rowsOf(chunk)[0][column('doc')]?.toString('utf8')).toBe('{"made":"before"}');
  });

  it('prepares a worker batch in buffers it can transfer', () => {
    const prepared = prepareCopy([event(0, 'a'), event(1, 'b')], filedAt);
    expect(prepared.filed).toEqual([filedAt, filedAt]);
    for (const rows of prepared.rows) expect(rows.buffer).not.toBe(Buffer.allocUnsafe(1).buffer);
  });
});
