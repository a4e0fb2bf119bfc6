import { zoneOffsetMinutes } from '../ingest/index.js';

/** Time buckets of the situation charts, aligned to midnight in the viewer's time zone. */
export const RANGES = {
  '24h': { bucketMs: 3_600_000, buckets: 24 },
  '7d': { bucketMs: 6 * 3_600_000, buckets: 28 },
  '30d': { bucketMs: 86_400_000, buckets: 30 },
} as const;
export type RangeName = keyof typeof RANGES;

/**
 * The starts of the range's buckets, oldest first; the last one holds `now`. (A zone that changes
 * its offset inside the range, which China's does not, shifts later buckets by the change.)
 */
export function bucketStarts(range: RangeName, timeZone: string, now: number): number[] {
  const { bucketMs, buckets } = RANGES[range];
  const offset = zoneOffsetMinutes(timeZone, now) * 60_000;
  const localMidnight = Math.floor((now + offset) / 86_400_000) * 86_400_000 - offset;
  const current = localMidnight + Math.floor((now - localMidnight) / bucketMs) * bucketMs;
  return Array.from({ length: buckets }, (_, i) => current - (buckets - 1 - i) * bucketMs);
}
