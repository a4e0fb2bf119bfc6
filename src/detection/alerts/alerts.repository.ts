import type { Sql } from '../../database/index.js';
import type { Alert } from './alert.js';

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

export interface AlertFilter {
  /** Only this department's alerts (an owner's view). */
  department?: string;
  /** A status, or `unclosed` (open or acknowledged). */
  status?: string;
  level?: string;
  ruleId?: string;
}

/** A new alert's columns; the database gives it an id and its creation time. */
export type NewAlert = Omit<Alert, 'id' | 'createdAt'>;

/** How a batch of firings grows an open alert. */
export interface AlertGrowth {
  count: number;
  lastSeen: Date;
  firstSeen: Date;
  eventIds: string[];
  actors: string[];
}

const COLUMNS = `a.id, a.rule_id AS "ruleId", a.rule_title AS "ruleTitle", a.rule_kind AS "ruleKind", a.level, a.tags, a.group_key AS "groupKey",
  a.asset_id AS "assetId", a.department, a.status, a.resolution, a.status_note AS "statusNote", a.status_by AS "statusBy", a.status_at AS "statusAt",
  a.count, a.first_seen AS "firstSeen", a.last_seen AS "lastSeen", a.event_ids AS "eventIds", a.actors, a.created_at AS "createdAt"`;

function where(filter: AlertFilter): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const equals = (column: string, value: unknown) => conditions.push(`${column} = $${params.push(value)}`);
  if (filter.department !== undefined) equals('a.department', filter.department);
  if (filter.status === 'unclosed') conditions.push(`a.status <> 'closed'`);
  else if (filter.status) equals('a.status', filter.status);
  if (filter.level) equals('a.level', filter.level);
  if (filter.ruleId) equals('a.rule_id', filter.ruleId);
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** Alerts: grouping rule firings into open alerts, the sorted and filtered list, and triage status. */
export class AlertsRepository {
  /** The newest alert of the rule and group, not closed, last seen at or after `since`. */
  async openAlertId(sql: Sql, ruleId: string, groupKey: string, since: Date): Promise<string | undefined> {
    const [open] = await sql.query<{ id: string }>(
      `SELECT id FROM alerts WHERE rule_id = $1 AND group_key = $2 AND status <> 'closed' AND last_seen >= $3 ORDER BY last_seen DESC LIMIT 1`,
      [ruleId, groupKey, since],
    );
    return open?.id;
  }

  /** Folds firings into an alert, keeping at most `maxEventIds` event ids and `maxActors` distinct actors. */
  async grow(sql: Sql, id: string, growth: AlertGrowth, maxEventIds: number, maxActors: number): Promise<void> {
    await sql.query(
      `UPDATE alerts SET count = count + $2, last_seen = greatest(last_seen, $3), first_seen = least(first_seen, $4),
         event_ids = (event_ids || $5::text[])[1:${maxEventIds}],
         actors = (ARRAY(SELECT DISTINCT unnest(actors || $6::text[])))[1:${maxActors}] WHERE id = $1`,
      [id, growth.count, growth.lastSeen, growth.firstSeen, growth.eventIds, growth.actors],
    );
  }

  /** Answers the new alert's id. */
  async insert(sql: Sql, a: NewAlert): Promise<string> {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO alerts (rule_id, rule_title, rule_kind, level, tags, group_key, asset_id, department, status, resolution, status_note, status_by, status_at, count, first_seen, last_seen, event_ids, actors)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
      [a.ruleId, a.ruleTitle, a.ruleKind, a.level, a.tags, a.groupKey, a.assetId, a.department, a.status, a.resolution, a.statusNote, a.statusBy, a.statusAt, a.count, a.firstSeen, a.lastSeen, a.eventIds, a.actors],
    );
    return row.id;
  }

  /**
   * A page of the alerts the filter keeps, in the order asked across the whole list; ties fall back
   * to the newest first and then the id, so pages never overlap. `total` counts the whole list.
   */
  async list(sql: Sql, filter: AlertFilter, sort: { by: AlertSortKey; dir: 'asc' | 'desc' }, page: { limit: number; offset: number }): Promise<{ items: Alert[]; total: number }> {
    const { sql: condition, params } = where(filter);
    const order = [`${ALERT_SORT_EXPRESSIONS[sort.by]} ${sort.dir === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`, ...(sort.by !== 'lastSeen' ? ['a.last_seen DESC'] : []), 'a.id ASC'];
    const items = await sql.query<Alert>(
      `SELECT ${COLUMNS} FROM alerts a ${condition} ORDER BY ${order.join(', ')} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    const [{ total }] = await sql.query<{ total: number }>(`SELECT count(*)::int AS total FROM alerts a ${condition}`, params);
    return { items, total };
  }

  /** The alert, if any; `lock` holds its row for the rest of the transaction. */
  async find(sql: Sql, id: string, lock = false): Promise<Alert | undefined> {
    const [alert] = await sql.query<Alert>(`SELECT ${COLUMNS} FROM alerts a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return alert;
  }

  async saveStatus(sql: Sql, alert: Pick<Alert, 'id' | 'status' | 'resolution' | 'statusNote' | 'statusBy' | 'statusAt'>): Promise<void> {
    await sql.query(`UPDATE alerts SET status = $2, resolution = $3, status_note = $4, status_by = $5, status_at = $6 WHERE id = $1`, [
      alert.id,
      alert.status,
      alert.resolution,
      alert.statusNote,
      alert.statusBy,
      alert.statusAt,
    ]);
  }
}
