import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { readerLanguage, type Caller } from '../shared/principal.js';
import { LockId, lockForTransaction } from '../database/index.js';
import { RuleCatalogue, type RecordedAlert } from '../detection/index.js';
import { Clock, EventBus } from '../shared/index.js';
import { OPEN_INCIDENT_STATES } from './core/workflow.js';
import { IncidentRules } from './incident-rules.js';
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
    @InjectDataSource() private readonly dataSource: DataSource,
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
    await this.dataSource.transaction(async (m) => {
      await lockForTransaction(m, LockId.IncidentIntake);
      const linked: { alertId: string }[] = await m.query(`SELECT alert_id AS "alertId" FROM incident_alerts WHERE alert_id = ANY($1::uuid[])`, [serious.map((a) => a.id)]);
      const done = new Set(linked.map((l) => l.alertId));
      for (const alert of serious.filter((a) => !done.has(a.id))) {
        const actors = alert.actors.filter((a) => !(a.startsWith('user:') && sharedAccounts.includes(a.slice('user:'.length))));
        const [home] = await m.query(
          `SELECT i.id FROM incidents i JOIN incident_alerts l ON l.incident_id = i.id JOIN alerts a ON a.id = l.alert_id, alerts n
            WHERE n.id = $1 AND i.kind = 'incident' AND i.state = ANY($3)
              AND (a.asset_id = n.asset_id OR a.actors && $4::text[]
                   OR (n.asset_id IS NULL AND a.asset_id IS NULL AND a.rule_id = n.rule_id AND a.group_key = n.group_key))
              AND a.last_seen >= n.first_seen - make_interval(secs => $2)
            ORDER BY i.detected_at DESC LIMIT 1`,
          [alert.id, windowMs / 1000, OPEN_INCIDENT_STATES, actors],
        );
        if (home) {
          const incident = await this.incidents.reload(m, home.id);
          await this.incidents.linkAlertsIn(m, incident, [alert.id], SYSTEM);
          if (await this.recategorise(m, home.id, alert)) await this.incidents.addPlaybookTasks(m, await this.incidents.reload(m, home.id), 'detect', this.clock.now(), SYSTEM, after);
          await this.incidents.refreshGrade(m, home.id, SYSTEM, after);
          continue;
        }
        if (!levelAtLeast(alert.level, minLevel)) continue;
        // Earlier steps that could only join (recorded before this one opened the incident) join now,
        // so the incident holds the same alerts whatever order the alerts arrived in.
        const earlier: { id: string; tags: string[] }[] = await m.query(
          `SELECT a.id, a.tags FROM alerts a, alerts n
            WHERE n.id = $1 AND a.id <> n.id AND a.status <> 'closed' AND a.level = ANY($4)
              AND NOT EXISTS (SELECT 1 FROM incident_alerts l WHERE l.alert_id = a.id)
              AND (a.asset_id = n.asset_id OR a.actors && $3::text[]
                   OR (n.asset_id IS NULL AND a.asset_id IS NULL AND a.rule_id = n.rule_id AND a.group_key = n.group_key))
              AND a.last_seen >= n.first_seen - make_interval(secs => $2)`,
          [alert.id, windowMs / 1000, actors, ALERT_LEVELS.filter((level) => levelAtLeast(level, joinLevel))],
        );
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
  private async recategorise(m: DataSource['manager'], incidentId: string, joining: RecordedAlert): Promise<boolean> {
    const held: { tags: string[] }[] = await m.query(`SELECT a.tags FROM alerts a JOIN incident_alerts l ON l.alert_id = a.id WHERE l.incident_id = $1 AND a.id <> $2`, [incidentId, joining.id]);
    const tags = held.flatMap((h) => h.tags);
    const before = categoryForTags(this.rules.policy, tags);
    const now = categoryForTags(this.rules.policy, [...tags, ...joining.tags]);
    if (now === before) return false;
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [changed] = (await m.query(`UPDATE incidents SET category = $2, updated_at = now() WHERE id = $1 AND category = $3 AND state = 'new' RETURNING id`, [incidentId, now, before])) as [unknown[], number];
    if (changed.length === 0) return false;
    await this.incidents.timeline(m, incidentId, SYSTEM, 'updated', { changes: { category: { from: before, to: now } } });
    return true;
  }

  /** Named after the rule, in the language Taishi writes for its users (zh-CN), and the asset. */
  private async titleFor(m: DataSource['manager'], alert: RecordedAlert): Promise<string> {
    const rule = this.catalogue.title(alert.ruleId, alert.ruleTitle, readerLanguage(SYSTEM.principal));
    if (!alert.assetId) return `${rule} — ${alert.groupKey}`;
    const [asset] = await m.query(`SELECT name FROM assets WHERE id = $1`, [alert.assetId]);
    return `${rule} — ${asset?.name ?? alert.groupKey}`;
  }
}
