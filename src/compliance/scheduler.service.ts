import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CronJob } from 'cron';
import type { Caller } from '../auth/index.js';
import { ProfilesService, SCHEDULE_TIME_ZONE } from './profiles.service.js';
import { RunsService } from './runs.service.js';

const SCHEDULER: Caller = { principal: { kind: 'system', name: 'audit-scheduler' }, sourceIp: null };
/** Profiles changed on another instance reach this one within this time. */
const RELOAD_MS = 5 * 60_000;

/**
 * Runs each profile on its cron schedule. Every instance schedules every profile; the run's slot
 * (profile and fire time) is unique in the database, so each slot runs once across instances.
 */
@Injectable()
export class ComplianceScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ComplianceScheduler');
  private jobs = new Map<string, { schedule: string; job: CronJob }>();
  private reloadTimer: NodeJS.Timeout | undefined;
  private readonly onChange = () => void this.reload().catch((e: Error) => this.logger.warn(`Reloading audit schedules failed: ${e.message}`));

  constructor(
    private readonly profiles: ProfilesService,
    private readonly runs: RunsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.profiles.changes.on('changed', this.onChange);
    this.reloadTimer = setInterval(this.onChange, RELOAD_MS);
    await this.reload();
  }

  beforeApplicationShutdown(): void {
    this.profiles.changes.off('changed', this.onChange);
    clearInterval(this.reloadTimer);
    for (const { job } of this.jobs.values()) void job.stop();
    this.jobs.clear();
  }

  private async reload(): Promise<void> {
    const wanted = new Map((await this.profiles.listScheduled()).map((p) => [p.id, p.schedule!]));
    for (const [id, { schedule, job }] of this.jobs) {
      if (wanted.get(id) === schedule) continue;
      void job.stop();
      this.jobs.delete(id);
    }
    for (const [id, schedule] of wanted) {
      if (this.jobs.has(id)) continue;
      const job: CronJob = CronJob.from({ cronTime: schedule, timeZone: SCHEDULE_TIME_ZONE, start: true, onTick: (): Promise<void> => this.fire(id, job) });
      this.jobs.set(id, { schedule, job });
    }
  }

  private async fire(profileId: string, job: CronJob): Promise<void> {
    // The slot is the whole second the job fired for, the same on every instance.
    const slot = new Date(Math.floor((job.lastDate()?.getTime() ?? Date.now()) / 1000) * 1000);
    try {
      const run = await this.runs.start(profileId, 'schedule', SCHEDULER, slot);
      if (run) this.logger.log(`Scheduled audit ${run.profileName} started (run ${run.id})`);
    } catch (error) {
      this.logger.error(`Scheduled audit of profile ${profileId} could not start: ${(error as Error).message}`);
    }
  }
}
