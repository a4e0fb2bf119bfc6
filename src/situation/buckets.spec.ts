import { bucketStarts } from './buckets.js';

describe('situation time buckets', () => {
  const now = Date.parse('2026-03-10T05:30:00Z'); // 13:30 in Shanghai

  it('ends hourly buckets with the hour holding now', () => {
    const starts = bucketStarts('24h', 'Asia/Shanghai', now);
    expect(starts).toHaveLength(24);
    expect(new Date(starts[23]).toISOString()).toBe('2026-03-10T05:00:00.000Z');
    expect(new Date(starts[0]).toISOString()).toBe('2026-03-09T06:00:00.000Z');
  });

  it('aligns daily buckets to midnight in the zone, not UTC', () => {
    const starts = bucketStarts('30d', 'Asia/Shanghai', now);
    expect(new Date(starts[29]).toISOString()).toBe('2026-03-09T16:00:00.000Z');
    expect(starts[29] - starts[28]).toBe(86_400_000);
    expect(new Date(bucketStarts('24h', 'Asia/Kolkata', now)[23]).toISOString()).toBe('2026-03-10T05:30:00.000Z'); // 11:00 in Kolkata
  });

  it('uses six-hour buckets for a week', () => {
    const starts = bucketStarts('7d', 'Asia/Shanghai', now);
    expect(starts).toHaveLength(28);
    expect(new Date(starts[27]).toISOString()).toBe('2026-03-10T04:00:00.000Z'); // 12:00 Shanghai
  });
});
