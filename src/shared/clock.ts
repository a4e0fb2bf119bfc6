/** Stops a timer started by a clock. */
export type Cancel = () => void;

/**
 * Time as Taishi sees it. Services ask the clock for "now" and for timers instead of reading
 * Date.now() or calling setInterval, so tests can move time forward instead of waiting for it.
 */
export abstract class Clock {
  abstract now(): Date;

  nowMs(): number {
    return this.now().getTime();
  }

  /** Runs `fn` every `intervalMs`; a run that is still busy when the next is due is skipped, not stacked. */
  abstract every(intervalMs: number, fn: () => unknown): Cancel;

  /** Runs `fn` once, `delayMs` from now. */
  abstract after(delayMs: number, fn: () => unknown): Cancel;

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }
}

/** Skips a tick while the previous one is still running (a slow database must not pile up work). */
function nonOverlapping(fn: () => unknown): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    try {
      await fn();
    } finally {
      running = false;
    }
  };
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  override nowMs(): number {
    return Date.now();
  }

  every(intervalMs: number, fn: () => unknown): Cancel {
    const tick = nonOverlapping(fn);
    // Timers never keep a process alive on their own: shutdown is the application's decision.
    const timer = setInterval(() => void tick(), intervalMs).unref();
    return () => clearInterval(timer);
  }

  after(delayMs: number, fn: () => unknown): Cancel {
    const timer = setTimeout(() => void fn(), delayMs).unref();
    return () => clearTimeout(timer);
  }
}

interface FakeTimer {
  id: number;
  dueMs: number;
  intervalMs?: number;
  fn: () => unknown;
}

/**
 * A clock that moves only when told to. `advance` fires every timer that falls due on the way,
 * in time order, and waits for each run to finish, so a test observes a timer's effect at once.
 */
export class FakeClock extends Clock {
  private currentMs: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(start: Date | string | number = '2026-01-01T00:00:00Z') {
    super();
    this.currentMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.currentMs);
  }

  every(intervalMs: number, fn: () => unknown): Cancel {
    if (!(intervalMs > 0)) throw new Error(`interval must be positive, got ${intervalMs}`);
    return this.add({ dueMs: this.currentMs + intervalMs, intervalMs, fn: nonOverlapping(fn) });
  }

  after(delayMs: number, fn: () => unknown): Cancel {
    return this.add({ dueMs: this.currentMs + Math.max(0, delayMs), fn });
  }

  /** Sets the time without firing timers (e.g. to start a scenario at a given hour). */
  set(to: Date | string | number): void {
    this.currentMs = new Date(to).getTime();
    for (const timer of this.timers) if (timer.dueMs < this.currentMs) timer.dueMs = this.currentMs;
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.currentMs + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (!due) break;
      this.currentMs = Math.max(this.currentMs, due.dueMs);
      if (due.intervalMs) due.dueMs += due.intervalMs;
      else this.timers = this.timers.filter((t) => t !== due);
      await due.fn();
    }
    this.currentMs = target;
  }

  /** How many timers are waiting; a test can check that a service stopped its timers. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  private add(timer: Omit<FakeTimer, 'id'>): Cancel {
    const entry = { ...timer, id: this.nextId++ };
    this.timers.push(entry);
    return () => {
      this.timers = this.timers.filter((t) => t !== entry);
    };
  }
}
