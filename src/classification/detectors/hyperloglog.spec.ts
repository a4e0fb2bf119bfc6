import { randomBytes } from 'node:crypto';
import { HyperLogLog } from './hyperloglog.js';
import { keyedHash } from './masking.js';
import { PeopleCounter } from './people-counter.js';

const KEY = 'hll-test-key-0123456789';

/** Keyed hashes of `count` distinct 11-digit mobile numbers starting at `first`. */
function mobileHashes(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => keyedHash('mobile', String(13_000_000_000 + first + i), KEY));
}

const relativeError = (estimate: number, truth: number) => Math.abs(estimate - truth) / truth;

describe('HyperLogLog', () => {
  it.each([100_000, 1_000_000])('estimates %i distinct keyed hashes within 2%% at precision 14', (distinct) => {
    const sketch = new HyperLogLog(14);
    for (let i = 0; i < distinct; i++) sketch.add(keyedHash('resident_id', `id-${distinct}-${i}`, KEY));
    const estimate = sketch.count();
    console.log(`HyperLogLog p=14: ${distinct} distinct → estimate ${estimate} (error ${(relativeError(estimate, distinct) * 100).toFixed(2)}%)`);
    expect(relativeError(estimate, distinct)).toBeLessThan(0.02);
  });

  it('counts exactly up to 1/32 of its registers (512 at precision 14), then estimates; zero when empty', () => {
    const sketch = new HyperLogLog();
    expect(sketch.count()).toBe(0);
    for (const hash of mobileHashes(0, 512)) sketch.add(hash);
    expect(sketch.count()).toBe(512);
    expect(sketch.toBuffer()).toHaveLength(2 + 512 * 8);
    for (const hash of mobileHashes(512, 488)) sketch.add(hash);
    expect(sketch.toBuffer()).toHaveLength(2 + 16_384);
    expect(relativeError(sketch.count(), 1000)).toBeLessThan(0.02);
  });

  it('tells apart small sets whose values share a register, which registers alone would count as one', () => {
    // Two values with the same top 14 bits land in one register at precision 14.
    const sameRegister = (n: number) => Buffer.from([0xab, 0xcd, n, n, n, n, n, n]);
    const sketch = new HyperLogLog();
    for (let n = 1; n <= 20; n++) sketch.add(sameRegister(n));
    expect(sketch.count()).toBe(20);
    const restored = HyperLogLog.fromBuffer(sketch.toBuffer());
    expect(restored.count()).toBe(20);
    expect(new HyperLogLog().merge(restored).merge(sketch).count()).toBe(20);
  });

  it('reads sketches stored as registers by earlier releases, and merges them with exact ones', () => {
    const dense = new HyperLogLog(10);
    for (const hash of mobileHashes(0, 2000)) dense.add(hash);
    const stored = dense.toBuffer();
    expect(stored[0]).toBe(1);
    const small = new HyperLogLog(10);
    for (const hash of mobileHashes(1990, 20)) small.add(hash);
    expect(small.count()).toBe(20);
    expect(relativeError(small.merge(HyperLogLog.fromBuffer(stored)).count(), 2010)).toBeLessThan(0.05);
    expect(relativeError(HyperLogLog.fromBuffer(stored).merge(small).count(), 2010)).toBeLessThan(0.05);
  });

  it('ignores repeats', () => {
    const sketch = new HyperLogLog();
    const hashes = mobileHashes(0, 5000);
    for (let round = 0; round < 5; round++) for (const hash of hashes) sketch.add(hash);
    expect(relativeError(sketch.count(), 5000)).toBeLessThan(0.03);
  });

  it('accepts raw bytes and refuses values too short to be a hash', () => {
    const sketch = new HyperLogLog();
    expect(sketch.add(randomBytes(16))).toBe(true);
    expect(sketch.add('abc')).toBe(false);
    expect(sketch.add(new Uint8Array(4))).toBe(false);
    expect(sketch.add(undefined as unknown as string)).toBe(false);
    expect(sketch.count()).toBe(1);
  });

  it('merges into the union of two overlapping sets', () => {
    const left = new HyperLogLog();
    const right = new HyperLogLog();
    for (const hash of mobileHashes(0, 30_000)) left.add(hash);
    for (const hash of mobileHashes(20_000, 30_000)) right.add(hash);
    expect(relativeError(left.merge(right).count(), 50_000)).toBeLessThan(0.03);
    expect(() => left.merge(new HyperLogLog(12))).toThrow(RangeError);
  });

  it('round-trips through Buffer and base64 with the same count', () => {
    const sketch = new HyperLogLog(12);
    for (const hash of mobileHashes(0, 20_000)) sketch.add(hash);
    const fromBuffer = HyperLogLog.fromBuffer(sketch.toBuffer());
    const fromBase64 = HyperLogLog.fromBase64(sketch.toBase64());
    expect(fromBuffer.precision).toBe(12);
    expect(fromBuffer.count()).toBe(sketch.count());
    expect(fromBase64.count()).toBe(sketch.count());
    expect(sketch.toBuffer()).toHaveLength(2 + 4096);
  });

  it('refuses corrupt serialisations with a RangeError', () => {
    const dense = new HyperLogLog(10);
    for (const hash of mobileHashes(0, 100)) dense.add(hash);
    const good = dense.toBuffer();
    const badRegister = Buffer.from(good);
    badRegister[5] = 200;
    for (const bad of [Buffer.alloc(0), Buffer.from([9, 10]), good.subarray(0, 100), badRegister, Buffer.from([1, 30]), Buffer.from([2, 10, 1, 2, 3])]) {
      expect(() => HyperLogLog.fromBuffer(bad)).toThrow(RangeError);
    }
    expect(() => HyperLogLog.fromBase64('not base64 at all')).toThrow(RangeError);
  });

  it.each([3, 19, 14.5, NaN])('refuses precision %p', (precision) => {
    expect(() => new HyperLogLog(precision)).toThrow(RangeError);
  });
});

describe('PeopleCounter', () => {
  it('counts distinct people per asset from masked findings, ignoring non-person identifiers', () => {
    const counter = new PeopleCounter();
    const mobiles = mobileHashes(0, 2000).map((hash) => ({ type: 'mobile' as const, hash }));
    const ids = Array.from({ length: 500 }, (_, i) => ({ type: 'resident_id' as const, hash: keyedHash('resident_id', `id${i}`, KEY) }));
    counter.observe('portal', [...mobiles, ...mobiles, ...ids]);
    counter.observe('parking', [{ type: 'plate', hash: keyedHash('plate', '京A12345', KEY) }]);

    const portal = counter.estimate('portal');
    expect(relativeError(portal.mobile, 2000)).toBeLessThan(0.03);
    expect(relativeError(portal.resident_id, 500)).toBeLessThan(0.03);
    expect(portal.atLeast).toBe(portal.mobile);
    expect(counter.estimate('parking')).toEqual({ resident_id: 0, mobile: 0, atLeast: 0 });
    expect(counter.estimate('unknown')).toEqual({ resident_id: 0, mobile: 0, atLeast: 0 });
  });

  it('hands out the sketches fed since the last save, and a restored sketch counts on as a union', () => {
    const before = new PeopleCounter();
    before.observe('portal', mobileHashes(0, 1000).map((hash) => ({ type: 'mobile' as const, hash })));
    before.observe('parking', [{ type: 'plate', hash: keyedHash('plate', '京A12345', KEY) }]);
    expect(before.takeChanged()).toEqual([{ assetId: 'portal', type: 'mobile' }]);
    expect(before.takeChanged()).toEqual([]);
    before.markChanged([{ assetId: 'portal', type: 'mobile' }]);
    expect(before.takeChanged()).toEqual([{ assetId: 'portal', type: 'mobile' }]);

    // as after a restart: the stored registers are loaded, then counting goes on over overlapping people
    const saved = before.sketch('portal', 'mobile').toBuffer();
    const after = new PeopleCounter();
    after.merge('portal', 'mobile', HyperLogLog.fromBuffer(saved));
    after.observe('portal', mobileHashes(500, 1000).map((hash) => ({ type: 'mobile' as const, hash })));
    expect(relativeError(after.estimate('portal').mobile, 1500)).toBeLessThan(0.03);
    // merging the same sketch again changes nothing
    const once = after.estimate('portal');
    after.merge('portal', 'mobile', HyperLogLog.fromBuffer(saved));
    expect(after.estimate('portal')).toEqual(once);
  });
});
