import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Caller } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { LockId, tryLockForTransaction } from '../database/index.js';
import { Scheduler } from '../platform/index.js';
import { Clock } from '../shared/index.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IncidentsService, ref, type AfterCommit } from './incidents.service.js';
import { ReportingService } from './reporting.service.js';

const SYSTEM: Caller = { principal: { kind: 'system', name: 'incident-timers' }, sourceIp: null };

/**
 * Watches the clocks: SLA targets per grade and the reporting deadlines. Each breach or notice is
 * written once (the incident's `notices` remember it), as a timeline entry and an e-mail.
 */
@Injectable()
export class IncidentTimersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('IncidentTimers');
  private running = false;

  constructor(
    private readonly repo: IncidentsRepository,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly incidents: IncidentsService,
    private readonly queries: IncidentQueries,
    private readonly reporting: ReportingService,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.once('incident-timers', this.settings.TAISHI_INCIDENT_TICK_SECONDS * 1000, () => this.tick(this.clock.now()));
  }

  /** One pass over every running clock; overlapping passes are skipped, not queued. */
  async tick(now: Date): Promise<{ slaBreaches: number; clockNotices: number }> {
    if (this.running) return { slaBreaches: 0, clockNotices: 0 };
    this.running = true;
    const after: AfterCommit = [];
    try {
      const counts = await this.repo.transaction(async (m) => {
        // Also taken by direct calls (CLI, tests), which skip the scheduler's claim.
        if (!(await tryLockForTransaction(m, LockId.IncidentTimers))) return { slaBreaches: 0, clockNotices: 0 };
        let slaBreaches = 0;
        let clockNotices = 0;
        const open = await this.repo.openIncidents(m);
        const assets = await this.repo.assetsById(m, [...new Set(open.flatMap((i) => i.assetIds))]);
        for (const incident of open) {
          const id = incident.id;
          // 待研判 past its SLA: the analyst owes an assessment (the legal clock would already count from discovery).
          const assessment = this.queries.assessmentWith(incident, incident.assetIds.flatMap((a) => assets.get(a) ?? []), now);
          if (assessment.status === 'pending' && assessment.overdue && !incident.notices.includes('sla:assess')) {
            slaBreaches++;
            await this.repo.addNotice(m, id, 'sla:assess');
            await this.incidents.timeline(m, id, SYSTEM, 'sla_breached', { target: 'assess', dueAt: assessment.dueAt, wouldBeDueAt: assessment.wouldBeDeadline.dueAt });
            after.push(() =>
              this.incidents.notify(
                { kind: 'sla_breach', incident: ref(incident), target: 'assess', dueAt: assessment.dueAt.toISOString() },
                { userIds: this.incidents.followers(incident), onDutyAnalysts: true },
                `sla:${incident.key}:assess`,
              ),
            );
          }
          for (const s of this.queries.slaStatus(incident, now)) {
            const notice = `sla:${s.target}`;
            if (s.status !== 'breached' || incident.notices.includes(notice)) continue;
            slaBreaches++;
            await this.repo.addNotice(m, id, notice);
            await this.incidents.timeline(m, id, SYSTEM, 'sla_breached', { target: s.target, dueAt: s.dueAt });
            after.push(() =>
              this.incidents.notify({ kind: 'sla_breach', incident: ref(incident), target: s.target, dueAt: s.dueAt.toISOString() }, { userIds: this.incidents.followers(incident), onDutyAnalysts: true }, `sla:${incident.key}:${s.target}`),
            );
          }
        }
        for (const clock of await this.reporting.clocks(now)) {
          if (!clock.notice) continue;
          const notice = `clock:${clock.clock}:${clock.notice}`;
          if (clock.incident.notices.includes(notice)) continue;
          clockNotices++;
          await this.repo.addNotice(m, clock.incident.id, notice);
          await this.incidents.timeline(m, clock.incident.id, SYSTEM, 'reporting_clock', { clock: clock.clock, notice: clock.notice, dueAt: clock.dueAt });
          const reportTo = { 'zh-CN': clock.recipients.map((r) => r['zh-CN']).join('、'), en: clock.recipients.map((r) => r.en).join(' and ') };
          after.push(() =>
            this.incidents.notify(
              { kind: 'reporting_deadline', incident: ref(clock.incident), notice: clock.notice!, deadlineAt: clock.dueAt.toISOString(), reportTo },
              { userIds: this.incidents.followers(clock.incident), roles: ['compliance'] },
              `${notice}:${clock.incident.key}`,
            ),
          );
        }
        return { slaBreaches, clockNotices };
      });
      await this.incidents.runAfter(after);
      return counts;
    } catch (e) {
      this.logger.error(`Checking incident clocks failed: ${(e as Error).message}`);
      return { slaBreaches: 0, clockNotices: 0 };
    } finally {
      this.running = false;
    }
  }
}
