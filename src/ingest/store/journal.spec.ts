import { appendFile, mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { payloadRecords } from '../collectors/payload.js';
import { IngestJournal, JournalFullError, type JournalEntry } from './journal.js';

const context = { source: 'portal-shipper/nginx', transport: 'http' as const, receivedAt: new Date('2026-12-06T08:00:00.123Z'), format: 'json' as const };

function entry(lines: string[]): JournalEntry {
  return { collector: 'http', context, payloadFormat: 'json', records: lines.length, payload: Buffer.from(lines.join('\n') + '\n') };
}

async function reopen(dir: string): Promise<IngestJournal> {
  const journal = new IngestJournal(dir, 1_000_000);
  await journal.open();
  return journal;
}

describe('IngestJournal', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'taishi-journal-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gives back, after a restart, each batch as it arrived with its context, oldest first', async () => {
    const journal = await reopen(dir);
    // Appended together: one write and one fdatasync for both.
    await Promise.all([
      journal.append(entry(['{"message":"first"}', '{"message":"二"}'])),
      journal.append({ collector: 'http', context: { ...context, format: 'auto' }, payloadFormat: 'text', records: 1, payload: Buffer.from([0xd3, 0xc3, 0xbb, 0xa7, 0x0a]) }), // GBK 用户
    ]);
    const reopened = await reopen(dir);
    expect(reopened.pending().map((b) => b.records)).toEqual([2, 1]);
    expect(reopened.pendingRecords).toBe(3);
    const [first, second] = await Promise.all(reopened.pending().map((b) => reopened.read(b)));
    expect(first.context).toEqual(context);
    expect(first.context.receivedAt).toBeInstanceOf(Date);
    expect(payloadRecords(first)).toEqual([
      { json: { message: 'first' }, original: '{"message":"first"}' },
      { json: { message: '二' }, original: '{"message":"二"}' },
    ]);
    expect(payloadRecords(second)).toEqual([{ bytes: Buffer.from([0xd3, 0xc3, 0xbb, 0xa7]) }]);
  });

  it('ignores a frame torn by a crash and keeps the acknowledged ones before it; a new run writes to a new file', async () => {
    const journal = await reopen(dir);
    await journal.append(entry(['{"n":1}']));
    await journal.append(entry(['{"n":2}', '{"n":3}']));
    const [file] = await readdir(dir);
    const whole = journal.pending()[1].offset + journal.pending()[1].length;
    await truncate(path.join(dir, file), whole - 3); // the second frame lost its end
    await appendFile(path.join(dir, file), Buffer.from([1, 2, 3]));

    const reopened = await reopen(dir);
    expect(reopened.pending().map((b) => b.records)).toEqual([1]);
    await reopened.append(entry(['{"n":4}']));
    expect((await readdir(dir)).sort()).toEqual([file, '000000000001.journal']);
  });

  it('deletes a file once every batch in it is removed and it is no longer written to', async () => {
    const journal = new IngestJournal(dir, 1_000_000, 64); // a new file after every batch
    await journal.open();
    const first = await journal.append(entry(['{"a":1}']));
    const second = await journal.append(entry(['{"a":2}']));
    expect(first.file).not.toBe(second.file);
    await journal.remove(first);
    expect(await readdir(dir)).toEqual([second.file]);
    await journal.remove(second);
    expect(journal.pendingRecords).toBe(0);
    expect(journal.pendingBytes).toBe(0);
    expect(await readdir(dir)).toEqual([second.file]); // still the file being written
    await journal.close();
    expect(await readdir(dir)).toEqual([]);
    expect((await reopen(dir)).pending()).toEqual([]);
  });

  it('refuses a batch past its disk allowance, and admits by records below the queue limit', async () => {
    const journal = new IngestJournal(dir, 400);
    await journal.open();
    await journal.append(entry(Array.from({ length: 10 }, (_, i) => `{"n":${i}}`)));
    expect(journal.canAccept(90, 100)).toBe(true);
    expect(journal.canAccept(91, 100)).toBe(false);
    await expect(journal.append(entry(Array.from({ length: 40 }, (_, i) => `{"n":${i}}`)))).rejects.toBeInstanceOf(JournalFullError);
    expect(journal.pending()).toHaveLength(1);
  });
});
