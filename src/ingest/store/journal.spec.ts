import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { payloadRecords } from '../collectors/http-body.js';
import { IngestJournal, JournalFullError, type JournalEntry } from './journal.js';

const context = { source: 'portal-shipper/nginx', transport: 'http' as const, receivedAt: new Date('2026-12-06T08:00:00.123Z'), format: 'json' as const };

function entry(lines: string[], collector = 'http'): JournalEntry {
  return { collector, context, payloadFormat: 'json', records: lines.length, payload: Buffer.from(lines.join('\n') + '\n') };
}

describe('IngestJournal', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'taishi-journal-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gives back, after a restart, each batch as it arrived with its context, oldest first', async () => {
    const journal = new IngestJournal(dir, 1_000_000);
    await journal.open();
    await journal.append(entry(['{"message":"first"}', '{"message":"二"}']));
    await journal.append({ collector: 'http', context: { ...context, format: 'auto' }, payloadFormat: 'text', records: 1, payload: Buffer.from([0xd3, 0xc3, 0xbb, 0xa7, 0x0a]) }); // GBK 用户

    const reopened = new IngestJournal(dir, 1_000_000);
    await reopened.open();
    expect(reopened.pending().map((s) => s.records)).toEqual([2, 1]);
    expect(reopened.pendingRecords).toBe(3);
    const [first, second] = await Promise.all(reopened.pending().map((s) => reopened.read(s)));
    expect(first.context).toEqual(context);
    expect(first.context.receivedAt).toBeInstanceOf(Date);
    expect(payloadRecords(first.payloadFormat, first.payload)).toEqual([
      { json: { message: 'first' }, original: '{"message":"first"}' },
      { json: { message: '二' }, original: '{"message":"二"}' },
    ]);
    expect(payloadRecords(second.payloadFormat, second.payload)).toEqual([{ bytes: Buffer.from([0xd3, 0xc3, 0xbb, 0xa7]) }]);
  });

  it('forgets a batch once removed, and a half-written file from a crash is discarded at open', async () => {
    const journal = new IngestJournal(dir, 1_000_000);
    await journal.open();
    const segment = await journal.append(entry(['{"a":1}']));
    await writeFile(path.join(dir, '000000000000001-00000009-abcdef.batch.tmp'), '{"collector":"ht');
    await journal.remove(segment);
    expect(journal.pendingRecords).toBe(0);
    expect(journal.pendingBytes).toBe(0);

    const reopened = new IngestJournal(dir, 1_000_000);
    await reopened.open();
    expect(reopened.pending()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a batch past its disk allowance, and admits by records below the queue limit', async () => {
    const journal = new IngestJournal(dir, 400);
    await journal.open();
    const lines = Array.from({ length: 10 }, (_, i) => `{"n":${i}}`);
    await journal.append(entry(lines));
    expect(journal.canAccept(90, 100)).toBe(true);
    expect(journal.canAccept(91, 100)).toBe(false);
    await expect(journal.append(entry(Array.from({ length: 40 }, (_, i) => `{"n":${i}}`)))).rejects.toBeInstanceOf(JournalFullError);
    expect(journal.pending()).toHaveLength(1);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
