import { AttemptWindow, ConcurrencyGate } from './login-throttle.js';

describe('AttemptWindow', () => {
  it('allows `limit` attempts per window per key and says how long to wait', () => {
    let now = 1_000_000;
    const window = new AttemptWindow(3, 60_000, () => now);
    expect([window.take('a'), window.take('a'), window.take('a')].every((r) => r.allowed)).toBe(true);
    expect(window.take('a')).toEqual({ allowed: false, retryAfterMs: 60_000 });
    expect(window.take('b').allowed).toBe(true);
    now += 30_000;
    expect(window.take('a')).toEqual({ allowed: false, retryAfterMs: 30_000 });
    now += 30_001;
    expect(window.take('a').allowed).toBe(true);
  });

  it('takes back a forgiven attempt', () => {
    const window = new AttemptWindow(1, 60_000, () => 0);
    window.take('a');
    window.forgive('a');
    expect(window.take('a').allowed).toBe(true);
  });

  it('forgets the least recently seen keys beyond its bound', () => {
    const window = new AttemptWindow(1, 60_000, () => 0, 2);
    window.take('a');
    window.take('b');
    window.take('c'); // evicts a
    expect(window.take('a').allowed).toBe(true);
    expect(window.take('c').allowed).toBe(false);
  });
});

describe('ConcurrencyGate', () => {
  it('runs at most `concurrency` at once, queues up to the limit and refuses the rest', async () => {
    const gate = new ConcurrencyGate(2, 1);
    let active = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const work = () =>
      new Promise<string>((resolve) => {
        active++;
        peak = Math.max(peak, active);
        release.push(() => {
          active--;
          resolve('done');
        });
      });
    const runs = [gate.run(work), gate.run(work), gate.run(work)];
    expect(await gate.run(work)).toBeUndefined();
    while (release.length) {
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(runs)).toEqual([{ value: 'done' }, { value: 'done' }, { value: 'done' }]);
    expect(peak).toBe(2);
  });
});
