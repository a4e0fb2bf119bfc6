import { Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type Cancel, Clock } from '../shared/index.js';

/**
 * The one place services start recurring work. Jobs run on the injected clock (tests move a fake
 * one instead of waiting) and are listed in @nestjs/schedule's registry under their names; a
 * failing run is logged and the job carries on. Jobs that must run once across instances take a
 * lock inside their own run (see LockId).
 */
@Injectable()
export class Scheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly jobs = new Map<string, Cancel>();

  constructor(
    private readonly clock: Clock,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  every(name: string, intervalMs: number, run: () => Promise<unknown> | unknown): void {
    if (this.jobs.has(name)) throw new Error(`A job named ${name} is already scheduled`);
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
