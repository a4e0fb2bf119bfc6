import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/index.js';
import { departmentScope, readerLanguage, type Caller, type Principal } from '../../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../../config/index.js';
import { enqueue, LockId, lockForTransaction } from '../../database/index.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { OutboxService } from '../../platform/index.js';
import { RuleCatalogue } from '../rule-catalogue.js';
import { Alert, type ALERT_STATUSES, type RESOLUTIONS } from './alert.entity.js';
import { alertErrors } from './errors.js';

/** One rule firing on one group, as the detection engine reports it. */
export interface Detection {
  ruleId: string;
  ruleTitle: string;
  ruleKind: 'rule' | 'correlation' | 'scheduled';
  level: string;
  tags: string[];
  groupKey: string;
  assetId?: string;
  department?: string;
  eventIds: string[];
  /** Who acted: `ip:…`, `host:…` (source address or name) and `user:…`. */
  actors?: string[];
  at: Date;
}

/** An alert as it stands after a batch of detections raised or grew it. */
export interface RecordedAlert {
  id: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  tags: string[];
  groupKey: string;
  assetId: string | null;
  department: string | null;
  actors: string[];
  raised: boolean;
}

declare module '../../shared/event-bus.js' {
  interface Topics {
    /** A committed batch of raised or grown alerts; incident handling groups them into incidents. */
    'alerts.recorded': RecordedAlert[];
  }
}

const MAX_EVENT_IDS = 100;
const MAX_ACTORS = 20;

/** The columns an alert list sorts by, as SQL over the alias `a`; levels and statuses by rank, not by name. */
export const ALERT_SORT_EXPRESSIONS = {
  level: `CASE a.level WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END`,
  title: 'a.rule_title',
  group: 'a.group_key',
  department: 'a.department',
  count: 'a.count',
  lastSeen: 'a.last_seen',
  status: `CASE a.status WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END`,
} as const;
export type AlertSortKey = keyof typeof ALERT_SORT_EXPRESSIONS;

@Injectable()
export class AlertsService {
  private readonly raised;
  private readonly updated;
  private readonly logger = new Logger('Alerts');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly catalogue: RuleCatalogue,
    private readonly outbox: OutboxService,
    metrics: MetricsRegistry,
  ) {
    this.raised = metrics.counter('taishi_alerts_raised_total', 'New alerts, per rule level');
    this.updated = metrics.counter('taishi_alerts_grouped_total', 'Rule firings folded into an existing alert');
  }

  /**
   * Repeats of a rule on the same group key within the grouping window update one open alert
   * (count, last seen, event ids) instead of raising another. The batch's news ('alerts.recorded')
   * commits with the alerts through the domain outbox, so an alert never lacks its incident: a
   * failed hand-off is retried by the relay, on this instance or another.
   */
  async record(detections: Detection[]): Promise<void> {
    if (detections.length === 0) return;
    const recorded: RecordedAlert[] = [];
    const groups = new Map<string, Detection & { count: number; first: Date }>();
    for (const d of detections) {
      const key = `${d.ruleId}\u0000${d.groupKey}`;
      const g = groups.get(key);
      if (!g) groups.set(key, { ...d, eventIds: d.eventIds.slice(0, MAX_EVENT_IDS), actors: [...new Set(d.actors ?? [])].slice(0, MAX_ACTORS), count: Math.max(d.eventIds.length, 1), first: d.at });
      else {
        g.actors = [...new Set([...(g.actors ?? []), ...(d.actors ?? [])])].slice(0, MAX_ACTORS);
        g.count += Math.max(d.eventIds.length, 1);
        if (g.eventIds.length < MAX_EVENT_IDS) g.eventIds.push(...d.eventIds.slice(0, MAX_EVENT_IDS - g.eventIds.length));
        if (d.at > g.at) g.at = d.at;
        if (d.at < g.first) g.first = d.at;
      }
    }
    // Measured in event time, so a replayed or backfilled attack groups as it did when it happened.
    const windowMs = this.settings.TAISHI_ALERT_GROUP_MINUTES * 60_000;
    await this.dataSource.transaction(async (m) => {
      await lockForTransaction(m, LockId.AlertGrouping);
      for (const g of groups.values()) {
        const [open] = (await m.query(
          `SELECT id FROM alerts WHERE rule_id = $1 AND group_key = $2 AND status <> 'closed' AND last_seen >= $3 ORDER BY last_seen DESC LIMIT 1`,
          [g.ruleId, g.groupKey, new Date(g.first.getTime() - windowMs)],
        )) as { id: string }[];
        if (open) {
          await m.query(
            `UPDATE alerts SET count = count + $2, last_seen = greatest(last_seen, $3), first_seen = least(first_seen, $4),
               event_ids = (event_ids || $5::text[])[1:${MAX_EVENT_IDS}],
               actors = (ARRAY(SELECT DISTINCT unnest(actors || $6::text[])))[1:${MAX_ACTORS}] WHERE id = $1`,
            [open.id, g.count, g.at, g.first, g.eventIds, g.actors ?? []],
          );
          this.updated.inc({ level: g.level });
          recorded.push(recordedAlert(open.id, g, false));
        } else {
          const inserted = await m.insert(Alert, {
            ruleId: g.ruleId,
            ruleTitle: g.ruleTitle,
            ruleKind: g.ruleKind,
            level: g.level,
            tags: g.tags,
            groupKey: g.groupKey,
            assetId: g.assetId ?? null,
            department: g.department ?? null,
            status: 'open',
            resolution: null,
            statusNote: null,
            statusBy: null,
            statusAt: null,
            count: g.count,
            firstSeen: g.first,
            lastSeen: g.at,
            eventIds: g.eventIds,
            actors: g.actors ?? [],
          });
          this.raised.inc({ level: g.level });
          recorded.push(recordedAlert(inserted.identifiers[0].id as string, g, true));
        }
      }
      await enqueue(m, 'alerts.recorded', recorded);
    });
    // Delivered at once so the caller (a batch being acknowledged, a hunt, a test) sees the
    // incidents; what fails here stays in the outbox and is retried, never lost.
    await this.outbox.drain().catch((error: Error) => this.logger.warn(`Handing ${recorded.length} alert(s) to incident handling is deferred: ${error.message}`));
  }

  /**
   * A page of alerts in the order asked (`level:desc`, say), across the whole list rather than the
   * page shown; ties fall back to the newest first, so pages never overlap.
   */
  async list(q: { status?: string; level?: string; ruleId?: string; sort?: string; limit?: number; offset?: number }, principal: Principal) {
    const qb = this.dataSource.getRepository(Alert).createQueryBuilder('a');
    const [by, dir] = (q.sort ?? 'lastSeen:desc').split(':') as [AlertSortKey, 'asc' | 'desc'];
    qb.orderBy(ALERT_SORT_EXPRESSIONS[by], dir === 'asc' ? 'ASC' : 'DESC', 'NULLS LAST');
    if (by !== 'lastSeen') qb.addOrderBy('a.last_seen', 'DESC');
    qb.addOrderBy('a.id', 'ASC');
    const scope = departmentScope(principal);
    if (scope !== undefined) qb.andWhere('a.department = :scope', { scope });
    if (q.status === 'unclosed') qb.andWhere("a.status <> 'closed'");
    else if (q.status) qb.andWhere('a.status = :status', { status: q.status });
    if (q.level) qb.andWhere('a.level = :level', { level: q.level });
    if (q.ruleId) qb.andWhere('a.rule_id = :ruleId', { ruleId: q.ruleId });
    // limit/offset rather than take/skip: the list joins nothing, and take/skip would re-alias the ORDER BY expressions.
    const [items, total] = await qb.limit(q.limit ?? 50).offset(q.offset ?? 0).getManyAndCount();
    return { items: items.map((a) => this.forReader(a, principal)), total };
  }

  async get(id: string, principal: Principal) {
    const alert = await this.dataSource.getRepository(Alert).findOneBy({ id });
    const scope = departmentScope(principal);
    if (!alert || (scope !== undefined && alert.department !== scope)) throw alertErrors.not_found({ id });
    return this.forReader(alert, principal);
  }

  /** The rule's title in the reader's language, and its author (DRL 1.1 asks for it beside matches). */
  private forReader(alert: Alert, principal: Principal): Alert & { ruleAuthor: string | null } {
    return { ...alert, ruleTitle: this.catalogue.title(alert.ruleId, alert.ruleTitle, readerLanguage(principal)), ruleAuthor: this.catalogue.author(alert.ruleId) };
  }

  /** open → acknowledged → closed (closing needs a resolution); a closed alert reopens with a note. */
  async setStatus(
    id: string,
    change: { status: (typeof ALERT_STATUSES)[number]; resolution?: (typeof RESOLUTIONS)[number]; note?: string },
    caller: Caller,
  ): Promise<Alert> {
    return this.dataSource.transaction(async (m) => {
      const alert = await m.getRepository(Alert).createQueryBuilder('a').setLock('pessimistic_write').where('a.id = :id', { id }).getOne();
      if (!alert) throw alertErrors.not_found({ id });
      const allowed: Record<string, string[]> = { open: ['acknowledged', 'closed'], acknowledged: ['closed', 'open'], closed: ['open'] };
      if (!allowed[alert.status].includes(change.status)) {
        throw alertErrors.transition_refused({ from: alert.status, to: change.status }, { allowed: allowed[alert.status] });
      }
      if (change.status === 'closed' && !change.resolution) throw alertErrors.resolution_required();
      if (alert.status === 'closed' && !change.note) throw alertErrors.reopen_note_required();
      const before = { status: alert.status, resolution: alert.resolution };
      Object.assign(alert, {
        status: change.status,
        resolution: change.status === 'closed' ? change.resolution! : null,
        statusNote: change.note ?? null,
        statusBy: caller.principal.kind === 'user' ? caller.principal.username : 'system',
        statusAt: new Date(),
      });
      await m.save(alert);
      await this.audit.record({ ...caller, action: `alert.${change.status}`, targetType: 'alert', targetId: id, before, after: { status: alert.status, resolution: alert.resolution, note: alert.statusNote } }, m);
      return alert;
    });
  }
}

const recordedAlert = (id: string, d: Detection, raised: boolean): RecordedAlert => ({
  id,
  ruleId: d.ruleId,
  ruleTitle: d.ruleTitle,
  level: d.level,
  tags: d.tags,
  groupKey: d.groupKey,
  assetId: d.assetId ?? null,
  department: d.department ?? null,
  actors: d.actors ?? [],
  raised,
});
