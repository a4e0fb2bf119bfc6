import { parseLine, type ParseContext } from '../parsing/index.js';
import { OTHER, RecognitionTally } from './index.js';

const ctx: ParseContext = { source: 'test', transport: 'file', receivedAt: new Date('2026-12-05T00:00:00Z') };
const SSH_OK = 'Dec  5 10:00:01 db01 sshd[811]: Accepted password for admin from 10.0.0.9 port 50122 ssh2';
const odd = (n: number) => `Dec  5 10:00:01 db01 mydaemon[9]: widget ${n} reloaded from 10.0.0.${n % 250}`;
const HOUR = 3_600_000;

describe('recognition tally', () => {
  it('counts lines and recognised lines per source and program, with the shapes of the rest', () => {
    const tally = new RecognitionTally({ maxPrograms: 10, maxShapes: 5, bucketMs: Infinity, buckets: 1 });
    for (let i = 0; i < 3; i++) tally.add(parseLine(SSH_OK, ctx), 'a', 0);
    for (let i = 0; i < 4; i++) tally.add(parseLine(odd(i), ctx), 'a', 0);
    const [daemon, sshd] = tally.report(0, 3);
    expect(daemon).toMatchObject({ source: 'a', program: 'mydaemon', lines: 4, recognised: 0, share: 0, shapes: [{ shape: 'widget <n> reloaded from <ip>', count: 4 }] });
    expect(sshd).toMatchObject({ source: 'a', program: 'sshd', lines: 3, recognised: 3, share: 1, shapes: [] });
  });

  it('forgets lines older than the window but keeps totals for counters', () => {
    const tally = new RecognitionTally({ maxPrograms: 10, maxShapes: 5, bucketMs: HOUR, buckets: 24 });
    tally.add(parseLine(odd(1), ctx), 'a', 0);
    tally.add(parseLine(SSH_OK, ctx), 'a', 0);
    tally.add(parseLine(odd(2), ctx), 'a', 30 * HOUR);
    const rows = tally.report(30 * HOUR, 3);
    expect(rows.find((r) => r.program === 'mydaemon')).toMatchObject({ lines: 1, totalLines: 2 });
    expect(rows.find((r) => r.program === 'sshd')).toMatchObject({ lines: 0, recognised: 0, share: 1, totalLines: 1, totalRecognised: 1 });
  });

  it('stays bounded: past the cap programs share one row, and the shape table keeps the frequent ones', () => {
    const tally = new RecognitionTally({ maxPrograms: 3, maxShapes: 4, bucketMs: Infinity, buckets: 1 });
    for (let p = 0; p < 50; p++) tally.add(parseLine(`Dec  5 10:00:01 h prog${'abcdefghijklmnopqrstuvwxyz'[p % 26]}${p >= 26 ? 'x' : ''}[1]: hi`, ctx), 's', 0);
    const rows = tally.report(0, 10);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ source: OTHER, program: OTHER, lines: 47 });
    const shapes = new RecognitionTally({ maxPrograms: 3, maxShapes: 4, bucketMs: Infinity, buckets: 1 });
    for (let i = 0; i < 100; i++) shapes.add(parseLine(`Dec  5 10:00:01 h d[1]: ${i % 2 ? 'frequent thing' : `rare${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'abcdefghijklmnopqrstuvwxyz'[(i * 7) % 26]}`}`, ctx), 's', 0);
    const [row] = shapes.report(0, 10);
    expect(row.shapes.length).toBeLessThanOrEqual(4);
    expect(row.shapes[0]).toEqual({ shape: 'frequent thing', count: 50 });
    // Shapes let in after the table filled report what is certain, not what they inherited.
    expect(row.shapes.slice(1).every((s) => s.count <= 2)).toBe(true);
  });
});
