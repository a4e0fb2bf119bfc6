import { FakeClock } from './clock.js';

describe('FakeClock', () => {
  it('fires interval and one-shot timers in time order as time advances, and not before', async () => {
    const clock = new FakeClock('2026-03-01T00:00:00Z');
    const seen: string[] = [];
    clock.every(1_000, () => seen.push(`tick@${clock.now().toISOString().slice(17, 19)}`));
    clock.after(2_500, () => seen.push(`once@${clock.now().toISOString().slice(17, 19)}`));
    await clock.advance(999);
    expect(seen).toEqual([]);
    await clock.advance(2_001);
    expect(seen).toEqual(['tick@01', 'tick@02', 'once@02', 'tick@03']);
    expect(clock.now().toISOString()).toBe('2026-03-01T00:00:03.000Z');
  });

  it('waits for an async tick before the next, and cancelling stops a timer', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const cancel = clock.every(10, async () => {
      order.push('start');
      await Promise.resolve();
      order.push('end');
    });
    await clock.advance(20);
    expect(order).toEqual(['start', 'end', 'start', 'end']);
    cancel();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(100);
    expect(order).toHaveLength(4);
  });

  it('sleep resolves when the clock passes its deadline', async () => {
    const clock = new FakeClock();
    let woke = false;
    const sleeping = clock.sleep(5_000).then(() => (woke = true));
    await clock.advance(4_999);
    expect(woke).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });
});
