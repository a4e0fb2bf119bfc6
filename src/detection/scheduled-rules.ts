import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EventStore, FilterField, StoredEvent } from '../events/index.js';
import { EVENT_STORE } from '../events/index.js';
import { Database, LockId, withLockIfFree } from '../database/index.js';
import { Scheduler } from '../platform/index.js';
import { Clock } from '../shared/index.js';
import { LiveDetection } from './live-detection.js';
import { indexFilters, type IndexKey } from './logsources.js';
import { latestByGroup, scheduleOf } from './rule-pack.js';
import { RulePackService } from './rule-pack.service.js';

/**
 * Absence rules (x-taishi-schedule): each runs once a period over the stored events, and the groups
 * that fell silent are raised as alerts through live detection.
 */
@Injectable()
export class ScheduledRules implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Detection');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly rules: RulePackService,
    private readonly live: LiveDetection,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly db: Database,
  ) {}

  onModuleInit(): void {
    this.scheduler.every('scheduled-rules', 60_000, () => this.runScheduled(this.clock.now(), false));
  }

  beforeApplicationShutdown(): void {
    this.scheduler.cancel('scheduled-rules');
  }

  /**
   * Each run looks at the whole baseline window, so runs overlap and no stretch of time falls
   * between two of them. With several Taishi instances an advisory lock lets one of them run each
   * rule. `force` runs every rule regardless of its period.
   */
  async runScheduled(now: Date, force = true): Promise<{ rule: string; silent: string[] }[]> {
    const engine = this.rules.engine;
    if (!engine) return [];
    const results: { rule: string; silent: string[] }[] = [];
    for (const rule of engine.scheduled) {
      const schedule = scheduleOf(rule.rule)!;
      const id = rule.rule.id ?? rule.rule.title;
      // Each period of a rule is claimed once across instances; a forced run (an operator's) is not.
      if (!force && !(await this.scheduler.claim(`scheduled-rule:${id}`, schedule.everyMs, now.getTime()))) continue;
      await withLockIfFree(
        this.db,
        LockId.ScheduledRule,
        async () => {
          const matching = await this.scheduledEvents(rule.logsource.indexKey, new Date(now.getTime() - schedule.baselineMs), now, (e) => rule.matches(e));
          const latest = latestByGroup(schedule, matching, engine.mapping, now.getTime());
          const silent = [...latest].filter(([, { ts }]) => ts < now.getTime() - schedule.lookbackMs);
          results.push({ rule: id, silent: silent.map(([group]) => group).sort() });
          this.live.record(
            silent.map(([group, { event }]) => ({
              kind: 'scheduled' as const,
              ruleId: id,
              title: rule.rule.title,
              level: rule.rule.level ?? 'medium',
              tags: rule.rule.tags ?? [],
              groupKey: `${schedule.groupBy.join('|')}=${group}`,
              event: event as StoredEvent,
              at: now,
            })),
          );
        },
        id,
      );
    }
    return results;
  }

  /** Events of the rule's datasets (or modules) in the window, oldest first, that the rule matches. */
  private async scheduledEvents(key: IndexKey, from: Date, to: Date, matches: (e: StoredEvent) => boolean): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    const filters: Partial<Record<FilterField, string[]>> = indexFilters(key);
    let after: string | undefined;
    let scanned = 0;
    do {
      const page = await this.store.search({ from, to, filters }, { limit: 1000, after, order: 'asc' });
      for (const e of page.events) if (matches(e)) out.push(e);
      scanned += page.events.length;
      after = page.next;
    } while (after && scanned < 500_000);
    if (after) this.logger.warn(`Scheduled rule window held more than 500,000 events; the rest were not examined`);
    return out;
  }
}
