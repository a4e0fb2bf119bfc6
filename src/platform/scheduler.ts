import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Database } from '../database/index.js';
import { type Cancel, Clock, CronSchedule } from '../shared/index.js';
import { PLATFORM_OPTIONS, type PlatformOptions } from './options.js';

/** Claims older than this are pruned by the claimer itself; they only serve diagnosis. */
const KEEP_CLAIMS_MS = 7 * 24 * 3_600_000;
/** A cron job looks back this far for times it missed (a busy event loop, a paused process). */
const CRON_CATCH_UP_SECONDS = 300;

/**
 * The one place services start recurring work. Jobs run on the injected clock (tests move a fake
 * one instead of waiting) and are listed in @nestjs/schedule's registry under their names; a
 * failing run is logged and the job carries on.
 *
 * `every` runs on each instance (for work on the instance's own memory: buffers, correlation
 * windows); `once` runs a job on one instance per period across every instance sharing the
 * database: the period is claimed first, and the instance that loses the claim skips it.
 * `cron` runs a user's cron expression (node-cron reads it) on the same clock.
 * CLI commands build the same services without listening; they run no schedules.
 */
@Injectable()
export class Scheduler implements OnApplicationShutdown {
  /** Names this process in job claims: host, process and a nonce (several apps may share a process in tests). */
  readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger('Scheduler');
  private readonly jobs = new Map<string, Cancel>();

  constructor(
    private readonly clock: Clock,
    private readonly db: Database,
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  /** False in CLI commands: they schedule nothing and keep no state other instances share. */
  get listening(): boolean {
    return this.options.listen;
  }

  every(name: string, intervalMs: number, run: () => Promise<unknown> | unknown): void {
    if (this.jobs.has(name)) throw new Error(`A job named ${name} is already scheduled`);
    if (!this.options.listen) return;
    const cancel = this.clock.every(intervalMs, async () => {
      try {
        await run();
      } catch (error) {
        this.logger.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    this.jobs.set(name, cancel);
    // The registry lists jobs for operators and tests; the clock's own handle stops them.
    this.registry?.addInterval(name, { name, intervalMs });
  }

  once(name: string, intervalMs: number, run: () => Promise<unknown> | unknown): void {
    this.every(name, intervalMs, async () => {
      if (await this.claim(name, intervalMs)) await run();
    });
  }

  /**
   * Runs `run` at each time of a cron expression, with the second it fired for (the same on every
   * instance, so callers can use it as the run's slot). Checked every second on the clock.
   */
  cron(name: string, expression: string, timeZone: string, run: (slot: Date) => Promise<unknown> | unknown): void {
    const schedule = new CronSchedule(expression, timeZone);
    let checkedUpTo = Math.floor(this.clock.nowMs() / 1000);
    this.every(name, 1000, async () => {
      const now = Math.floor(this.clock.nowMs() / 1000);
      for (let second = Math.max(checkedUpTo + 1, now - CRON_CATCH_UP_SECONDS); second <= now; second++) {
        checkedUpTo = second;
        if (schedule.matches(new Date(second * 1000))) await run(new Date(second * 1000));
      }
    });
    const cancel = this.jobs.get(name);
    if (!cancel) return schedule.dispose();
    this.jobs.set(name, () => {
      cancel();
      schedule.dispose();
    });
  }

  /** Claims the period of a job holding `now` for this instance; false when another instance has it. */
  async claim(name: string, intervalMs: number, now = this.clock.nowMs()): Promise<boolean> {
    const periodStart = new Date(Math.floor(now / intervalMs) * intervalMs);
    const claimed = await this.db.query(
      `INSERT INTO scheduled_job_runs (job, period_start, instance, claimed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (job, period_start) DO NOTHING RETURNING 1`,
      [name, periodStart, this.instance, new Date(now)],
    );
    if (claimed.length) await this.db.query(`DELETE FROM scheduled_job_runs WHERE job = $1 AND period_start < $2`, [name, new Date(now - Math.max(KEEP_CLAIMS_MS, intervalMs * 2))]);
    return claimed.length > 0;
  }

  cancel(name: string): void {
    this.jobs.get(name)?.();
    this.jobs.delete(name);
    if (this.registry?.doesExist('interval', name)) this.registry.deleteInterval(name);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  onApplicationShutdown(): void {
    for (const name of [...this.jobs.keys()]) this.cancel(name);
  }
}
