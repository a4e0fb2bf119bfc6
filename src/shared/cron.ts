import { createTask, validateDetailed } from 'node-cron';

/** What is wrong with a cron expression (5 fields, or 6 with seconds first), or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const check = validateDetailed(expression);
  return check.valid ? undefined : check.errors.map((e) => e.message).join('; ') || 'invalid';
}

/**
 * A cron expression read in a time zone, asked whether a given second is one of its times. Timing
 * is left to the caller's clock, so tests can move time instead of waiting for a schedule.
 */
export class CronSchedule {
  private readonly task;

  constructor(
    readonly expression: string,
    readonly timeZone: string,
  ) {
    const problem = cronProblem(expression);
    if (problem) throw new Error(`Not a cron expression "${expression}": ${problem}`);
    // Created, never started: node-cron only parses the expression and matches dates here.
    this.task = createTask(expression, () => undefined, { timezone: timeZone });
  }

  /** Whether the whole second holding `at` is one of the schedule's times. */
  matches(at: Date): boolean {
    return this.task.match(at);
  }

  dispose(): void {
    void this.task.destroy();
  }
}
