import { Injectable, type OnModuleInit } from '@nestjs/common';
import { readerLanguage, type Caller } from '../shared/principal.js';
import { LockId, lockForTransaction } from '../database/index.js';
import { RuleCatalogue, type RecordedAlert } from '../detection/index.js';
import { Clock, EventBus } from '../shared/index.js';
import { IncidentRules } from './incident-rules.js';
import { IncidentsRepository, type Tx } from './incidents.repository.js';
import { IncidentsService, type AfterCommit } from './incidents.service.js';
import { ALERT_LEVELS, categoryForTags, levelAtLeast } from './policy.js';

const SYSTEM: Caller = { principal: { kind: 'system', name: 'incident-grouping' }, sourceIp: null };

/**
 * The grouping policy: serious alerts (min_level) open incidents by themselves; alerts from
 * join_level up only join one. A new alert joins the open
 * incident holding an alert seen within the window that shares the target asset or an actor
 * (source address or name, user), across rules, so an intrusion's steps make one incident with
 * one timeline; for hosts not in the registry the same rule and group key also join. Otherwise
 * it opens a new incident. Joining brings the alert's asset along, so the proposed grade rises
 * as the evidence spreads.
 *
 * It hears of alerts through the durable outbox ('alerts.recorded'), which may deliver a batch
 * again after a crash or to another instance; an alert already linked to an incident is skipped,
 * so a repeat changes nothing.
 */
@Injectable()
export class AlertIntakeService implements OnModuleInit {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly incidents: IncidentsService,
    private readonly rules: IncidentRules,
    private readonly catalogue: RuleCatalogue,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('alerts.recorded', 'incident-intake', (alerts) => this.take(alerts));
  }

  async take(alerts: RecordedAlert[]): Promise<void> {
    const { minLevel, joinLevel, windowMs, sharedAccounts } = this.rules.policy.grouping;
    const serious = alerts.filter((a) => levelAtLeast(a.level, joinLevel));
    if (serious.length === 0) return;
    const after: AfterCommit = [];
    await this.repo.transaction(async (m) => {
      await lockForTransaction(m, LockId.IncidentIntake);
      const done = new Set(await this.repo.alreadyLinked(m, serious.map((a) => a.id)));
      for (const alert of serious.filter((a) => !done.has(a.id))) {
        const actors = alert.actors.filter((a) => !(a.startsWith('user:') && sharedAccounts.includes(a.slice('user:'.length))));
        const home = await this.repo.homeFor(m, alert.id, windowMs / 1000, actors);
        if (home) {
          const incident = await this.repo.findById(m, home);
          await this.incidents.linkAlertsIn(m, incident, [alert.id], SYSTEM);
          if (await this.recategorise(m, home, alert)) await this.incidents.addPlaybookTasks(m, await this.repo.findById(m, home), 'detect', this.clock.now(), SYSTEM, after);
          await this.incidents.refreshGrade(m, home, SYSTEM, after);
          continue;
        }
        if (!levelAtLeast(alert.level, minLevel)) continue;
        // Earlier steps that could only join (recorded before this one opened the incident) join now,
        // so the incident holds the same alerts whatever order the alerts arrived in.
        const earlier = await this.repo.earlierRelated(m, alert.id, windowMs / 1000, actors, ALERT_LEVELS.filter((level) => levelAtLeast(level, joinLevel)));
        const alertIds = [alert.id, ...earlier.map((e) => e.id)];
        const category = categoryForTags(this.rules.policy, [...alert.tags, ...earlier.flatMap((e) => e.tags)]);
        await this.incidents.createIn(m, { title: await this.titleFor(m, alert), category, alertIds }, SYSTEM, after);
        for (const id of alertIds) done.add(id);
      }
    });
    await this.incidents.runAfter(after);
  }

  /**
   * The policy's category is that of all the incident's alerts together, so it does not depend on
   * which alert came first. An incident still new, whose category nobody changed from the
   * policy's, follows the policy as alerts join; once an analyst has acted, it stays theirs.
   */
  private async recategorise(m: Tx, incidentId: string, joining: RecordedAlert): Promise<boolean> {
    const tags = (await this.repo.heldAlertTags(m, incidentId, joining.id)).flat();
    const before = categoryForTags(this.rules.policy, tags);
    const now = categoryForTags(this.rules.policy, [...tags, ...joining.tags]);
    if (now === before) return false;
    if (!(await this.repo.recategorise(m, incidentId, now, before))) return false;
    await this.incidents.timeline(m, incidentId, SYSTEM, 'updated', { changes: { category: { from: before, to: now } } });
    return true;
  }

  /** Named after the rule, in the language Taishi writes for its users (zh-CN), and the asset. */
  private async titleFor(m: Tx, alert: RecordedAlert): Promise<string> {
    const rule = this.catalogue.title(alert.ruleId, alert.ruleTitle, readerLanguage(SYSTEM.principal));
    if (!alert.assetId) return `${rule} — ${alert.groupKey}`;
    return `${rule} — ${(await this.repo.assetName(m, alert.assetId)) ?? alert.groupKey}`;
  }
}
