/**
 * Counts attempts per key in a sliding window (the last `windowMs`), keeping only what the window
 * needs. Bounded: when more than `maxKeys` keys are tracked the oldest are forgotten, so a flood
 * of distinct sources cannot grow it without end.
 */
export class AttemptWindow {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 50_000,
  ) {}

  /** Records an attempt; false (with the wait until the oldest falls out) when the key is over its limit. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = this.now();
    const recent = (this.attempts.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.attempts.set(key, recent);
      return { allowed: false, retryAfterMs: recent[0] + this.windowMs - now };
    }
    recent.push(now);
    this.attempts.delete(key); // re-insert: Map order is then least recently used first
    this.attempts.set(key, recent);
    if (this.attempts.size > this.maxKeys) this.attempts.delete(this.attempts.keys().next().value!);
    return { allowed: true };
  }

  /** Takes back the latest attempt of a key: a successful login does not count against anyone. */
  forgive(key: string): void {
    this.attempts.get(key)?.pop();
  }
}

/**
 * At most `concurrency` password checks run at once and at most `queueLimit` wait; the rest are
 * refused at once. scrypt runs on libuv's small thread pool, which the spool's disk writes share:
 * a login flood must not be able to hold back the collectors.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  /** Runs `work` when a slot is free; undefined (without running it) when too many are waiting. */
  async run<T>(work: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queueLimit) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return { value: await work() };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
