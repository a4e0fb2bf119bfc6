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

/** One group of a batch's firings: what a new alert starts with, or what grows an open one last seen at or after `since`. */
export interface AlertFold extends Pick<Alert, 'ruleId' | 'ruleTitle' | 'ruleKind' | 'level' | 'tags' | 'groupKey' | 'assetId' | 'department' | 'count' | 'firstSeen' | 'lastSeen' | 'eventIds' | 'actors'> {
  since: Date;
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
  /**
   * Folds each group's firings into the newest alert of its rule and group key that is not closed
   * and was last seen at or after the group's `since`, or raises a new alert where there is none,
   * keeping at most `maxEventIds` event ids and `maxActors` distinct actors. One statement for the
   * whole batch: a look-up and a write per group cost two statements for each of the two dozen
   * groups a batch of city logs brings. Answers each group's alert, in the order given. The
   * groups' (rule, group key) pairs must be distinct, as they are after grouping.
   */
  async fold(sql: Sql, groups: readonly AlertFold[], maxEventIds: number, maxActors: number): Promise<{ id: string; raised: boolean }[]> {
    if (groups.length === 0) return [];
    const rows = await sql.query<{ n: number; id: string; raised: boolean }>(
      `WITH g AS (
         SELECT * FROM json_to_recordset($1::json) AS x(n int, rule_id text, rule_title text, rule_kind text, level text, tags text[], group_key text, asset_id uuid,
           department text, count int, first_seen timestamptz, last_seen timestamptz, since timestamptz, event_ids text[], actors text[])
       ), open AS (
         SELECT g.n, (SELECT a.id FROM alerts a WHERE a.rule_id = g.rule_id AND a.group_key = g.group_key AND a.status <> 'closed' AND a.last_seen >= g.since
                      ORDER BY a.last_seen DESC LIMIT 1) AS id
         FROM g
       ), grown AS (
         UPDATE alerts a SET count = a.count + g.count, last_seen = greatest(a.last_seen, g.last_seen), first_seen = least(a.first_seen, g.first_seen),
           event_ids = (a.event_ids || g.event_ids)[1:$2::int],
           actors = (ARRAY(SELECT DISTINCT unnest(a.actors || g.actors)))[1:$3::int]
         FROM open o JOIN g ON g.n = o.n
         WHERE a.id = o.id
         RETURNING o.n, a.id
       ), raised AS (
         INSERT INTO alerts (rule_id, rule_title, rule_kind, level, tags, group_key, asset_id, department, status, count, first_seen, last_seen, event_ids, actors)
         SELECT g.rule_id, g.rule_title, g.rule_kind, g.level, g.tags, g.group_key, g.asset_id, g.department, 'open', g.count, g.first_seen, g.last_seen, g.event_ids, g.actors
         FROM g JOIN open o ON o.n = g.n WHERE o.id IS NULL
         ORDER BY g.n
         RETURNING rule_id, group_key, id
       )
       SELECT n, id, false AS raised FROM grown
       UNION ALL
       SELECT g.n, r.id, true FROM raised r JOIN g ON g.rule_id = r.rule_id AND g.group_key = r.group_key`,
      [JSON.stringify(groups.map((g, n) => ({ n, rule_id: g.ruleId, rule_title: g.ruleTitle, rule_kind: g.ruleKind, level: g.level, tags: g.tags, group_key: g.groupKey, asset_id: g.assetId, department: g.department, count: g.count, first_seen: g.firstSeen, last_seen: g.lastSeen, since: g.since, event_ids: g.eventIds, actors: g.actors }))), maxEventIds, maxActors],
    );
    const answers: { id: string; raised: boolean }[] = new Array(groups.length);
    for (const row of rows) answers[row.n] = { id: row.id, raised: row.raised };
    return answers;
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
