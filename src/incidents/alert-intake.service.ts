import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { readerLanguage, type Caller } from '../auth/roles.js';
import { AlertsService, RuleCatalogue, type RecordedAlert } from '../detection/index.js';
import { OPEN_INCIDENT_STATES } from './core/workflow.js';
import { IncidentRules } from './incident-rules.js';
import { IncidentsService, type AfterCommit } from './incidents.service.js';
import { categoryForTags, levelAtLeast } from './policy.js';

// Any constant, the same on every instance, so two instances never open two incidents for one attack.
const INTAKE_LOCK = 0x696e_6364;
const SYSTEM: Caller = { principal: { kind: 'system', name: 'incident-grouping' }, sourceIp: null };

/**
 * The grouping policy: serious alerts (min_level) open incidents by themselves; alerts from
 * join_level up only join one. A new alert joins the open
 * incident holding an alert seen within the window that shares the target asset or an actor
 * (source address or name, user), across rules, so an intrusion's steps make one incident with
 * one timeline; for hosts not in the registry the same rule and group key also join. Otherwise
 * it opens a new incident. Joining brings the alert's asset along, so the proposed grade rises
 * as the evidence spreads.
 */
@Injectable()
export class AlertIntakeService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly alerts: AlertsService,
    private readonly incidents: IncidentsService,
    private readonly rules: IncidentRules,
    private readonly catalogue: RuleCatalogue,
  ) {}

  onModuleInit(): void {
    this.alerts.onRecorded((alerts) => this.take(alerts));
  }

  async take(alerts: RecordedAlert[]): Promise<void> {
    const { minLevel, joinLevel, windowMs, sharedAccounts } = this.rules.policy.grouping;
    const serious = alerts.filter((a) => levelAtLeast(a.level, joinLevel));
    if (serious.length === 0) return;
    const after: AfterCommit = [];
    await this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [INTAKE_LOCK]);
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
          await this.incidents.refreshGrade(m, home.id, SYSTEM, after);
          continue;
        }
        if (!levelAtLeast(alert.level, minLevel)) continue;
        await this.incidents.createIn(
          m,
          { title: await this.titleFor(m, alert), category: categoryForTags(this.rules.policy, alert.tags), alertIds: [alert.id] },
          SYSTEM,
          after,
        );
        done.add(alert.id);
      }
    });
    await this.incidents.runAfter(after);
  }

  /** Named after the rule, in the language Taishi writes for its users (zh-CN), and the asset. */
  private async titleFor(m: DataSource['manager'], alert: RecordedAlert): Promise<string> {
    const rule = this.catalogue.title(alert.ruleId, alert.ruleTitle, readerLanguage(SYSTEM.principal));
    if (!alert.assetId) return `${rule} — ${alert.groupKey}`;
    const [asset] = await m.query(`SELECT name FROM assets WHERE id = $1`, [alert.assetId]);
    return `${rule} — ${asset?.name ?? alert.groupKey}`;
  }
}
