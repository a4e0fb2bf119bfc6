import { SystemClock } from '../../src/shared/index.js';

/**
 * The system clock, with "now" moved forward on demand. Timers still run in real time, so the
 * outbox, the scheduler and notifications keep working in a whole-service test, while a period
 * the test needs to see pass (a quiet period, an SLA target) passes at once instead of being slept.
 */
export class ShiftedClock extends SystemClock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  override nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves "now" forward by `ms`, as if that much time had gone by. */
  skip(ms: number): void {
    this.offsetMs += ms;
  }
}
