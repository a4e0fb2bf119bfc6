import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Caller } from '../auth/index.js';
import { Scheduler } from '../platform/index.js';
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
  /** Profile id → the schedule it is running on. */
  private readonly scheduled = new Map<string, string>();
  private readonly onChange = () => void this.reload().catch((e: Error) => this.logger.warn(`Reloading audit schedules failed: ${e.message}`));

  constructor(
    private readonly profiles: ProfilesService,
    private readonly runs: RunsService,
    private readonly scheduler: Scheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.profiles.changes.on('changed', this.onChange);
    this.scheduler.every('audit-profiles-reload', RELOAD_MS, () => this.reload());
    await this.reload();
  }

  beforeApplicationShutdown(): void {
    this.profiles.changes.off('changed', this.onChange);
    this.scheduler.cancel('audit-profiles-reload');
    for (const id of this.scheduled.keys()) this.scheduler.cancel(jobName(id));
    this.scheduled.clear();
  }

  private async reload(): Promise<void> {
    const wanted = new Map((await this.profiles.listScheduled()).map((p) => [p.id, p.schedule!]));
    for (const [id, schedule] of this.scheduled) {
      if (wanted.get(id) === schedule) continue;
      this.scheduler.cancel(jobName(id));
      this.scheduled.delete(id);
    }
    for (const [id, schedule] of wanted) {
      if (this.scheduled.has(id)) continue;
      this.scheduler.cron(jobName(id), schedule, SCHEDULE_TIME_ZONE, (slot) => this.fire(id, slot));
      this.scheduled.set(id, schedule);
    }
  }

  private async fire(profileId: string, slot: Date): Promise<void> {
    try {
      const run = await this.runs.start(profileId, 'schedule', SCHEDULER, slot);
      if (run) this.logger.log(`Scheduled audit ${run.profileName} started (run ${run.id})`);
    } catch (error) {
      this.logger.error(`Scheduled audit of profile ${profileId} could not start: ${(error as Error).message}`);
    }
  }
}

const jobName = (profileId: string) => `audit-profile:${profileId}`;
