import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/index.js';
import { departmentScope, readerLanguage, type Caller, type Principal } from '../../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../../config/index.js';
import { Database, enqueue, LockId, lockForTransaction } from '../../database/index.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { OutboxService } from '../../platform/index.js';
import { RuleCatalogue } from '../rule-catalogue.js';
import type { Alert, ALERT_STATUSES, RESOLUTIONS } from './alert.js';
import { AlertsRepository, type AlertSortKey } from './alerts.repository.js';
import { alertErrors } from './errors.js';

/** One rule firing on one group, as the detection engine reports it. */
export interface Detection extends Pick<Alert, 'ruleId' | 'ruleTitle' | 'ruleKind' | 'level' | 'tags' | 'groupKey' | 'eventIds'> {
  assetId?: string;
  department?: string;
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

@Injectable()
export class AlertsService {
  private readonly raised;
  private readonly updated;
  private readonly logger = new Logger('Alerts');
  private readonly stored = new AlertsRepository();

  constructor(
    private readonly db: Database,
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
    await this.db.transaction(async (tx) => {
      await lockForTransaction(tx, LockId.AlertGrouping);
      const folded = [...groups.values()];
      const alerts = await this.stored.fold(
        tx,
        folded.map((g) => ({ ruleId: g.ruleId, ruleTitle: g.ruleTitle, ruleKind: g.ruleKind, level: g.level, tags: g.tags, groupKey: g.groupKey, assetId: g.assetId ?? null, department: g.department ?? null, count: g.count, firstSeen: g.first, lastSeen: g.at, since: new Date(g.first.getTime() - windowMs), eventIds: g.eventIds, actors: g.actors ?? [] })),
        MAX_EVENT_IDS,
        MAX_ACTORS,
      );
      folded.forEach((g, i) => {
        (alerts[i].raised ? this.raised : this.updated).inc({ level: g.level });
        recorded.push(recordedAlert(alerts[i].id, g, alerts[i].raised));
      });
      await enqueue(tx, 'alerts.recorded', recorded);
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
    const [by, dir] = (q.sort ?? 'lastSeen:desc').split(':') as [AlertSortKey, 'asc' | 'desc'];
    const filter = { department: departmentScope(principal), status: q.status, level: q.level, ruleId: q.ruleId };
    const { items, total } = await this.stored.list(this.db, filter, { by, dir }, { limit: q.limit ?? 50, offset: q.offset ?? 0 });
    return { items: items.map((a) => this.forReader(a, principal)), total };
  }

  async get(id: string, principal: Principal) {
    const alert = await this.stored.find(this.db, id);
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
    return this.audit.change(async (m) => {
      const alert = await this.stored.find(m, id, true);
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
      await this.stored.saveStatus(m, alert);
      return { result: alert, record: { ...caller, action: `alert.${change.status}`, targetType: 'alert', targetId: id, before, after: { status: alert.status, resolution: alert.resolution, note: alert.statusNote } } };
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
