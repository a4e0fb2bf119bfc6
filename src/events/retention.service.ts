import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { Database, LockId, withLockIfFree } from '../database/index.js';
import { MetricsRegistry } from '../shared/metrics.js';
import type { EventStore } from './event-store.js';
import { EVENT_STORE } from './tokens.js';

/** Network logs must be kept at least six months (Cybersecurity Law); six calendar months last up to 184 days. */
export const LEGAL_MINIMUM_RETENTION_DAYS = 184;

@Injectable()
export class RetentionService implements OnModuleInit {
  private readonly logger = new Logger('Retention');
  private readonly removed;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly db: Database,
    metrics: MetricsRegistry,
  ) {
    this.removed = metrics.counter('taishi_retention_events_removed_total', 'Events removed by the retention job');
  }

  onModuleInit(): void {
    if (this.settings.TAISHI_RETENTION_DAYS < LEGAL_MINIMUM_RETENTION_DAYS) {
      this.logger.warn(
        `事件保留期为 ${this.settings.TAISHI_RETENTION_DAYS} 天，低于《网络安全法》要求的六个月 / Event retention is ${this.settings.TAISHI_RETENTION_DAYS} days, below the six months the Cybersecurity Law requires for network logs (TAISHI_RETENTION_OVERRIDE is set)`,
      );
    }
  }

  get days(): number {
    return this.settings.TAISHI_RETENTION_DAYS;
  }

  @Cron('17 3 * * *', { name: 'event-retention', timeZone: 'Asia/Shanghai' })
  async runScheduled(): Promise<void> {
    await this.run().catch((error: unknown) => this.logger.error(`Retention run failed: ${(error as Error).message}`));
  }

  /** Drops days older than the retention period; with several instances only one does it. */
  async run(now = new Date()): Promise<{ removed: number; cutoff: string } | { skipped: true }> {
    return withLockIfFree(this.db, LockId.Retention, async () => {
      const cutoff = new Date(now.getTime() - this.settings.TAISHI_RETENTION_DAYS * 86_400_000);
      const removed = await this.store.deleteBefore(cutoff);
      this.removed.inc({}, removed);
      if (removed) this.logger.log(`Removed ${removed} events older than ${cutoff.toISOString()}`);
      return { removed, cutoff: cutoff.toISOString() };
    });
  }
}
