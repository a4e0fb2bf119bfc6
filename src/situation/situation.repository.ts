import type { Sql } from '../database/index.js';

/**
 * The counts the situation page reads across the alert and asset tables, in one place; optionally
 * for one department (an owner's scope).
 */
export class SituationRepository {
  async openAlertsByLevel(sql: Sql, department: string | undefined): Promise<{ level: string; n: number }[]> {
    return sql.query(
      `SELECT level, count(*)::int AS n FROM alerts WHERE status <> 'closed' ${department !== undefined ? 'AND department = $1' : ''} GROUP BY level`,
      department !== undefined ? [department] : [],
    );
  }

  /** New alerts per bucket (index `i` from `from`) and level, by when they were first seen. */
  async newAlertsPerBucket(sql: Sql, department: string | undefined, from: Date, bucketMs: number): Promise<{ i: number; level: string; n: number }[]> {
    const params: unknown[] = [bucketMs / 1000, from];
    if (department !== undefined) params.push(department);
    // Arithmetic, not date_bin: PostgreSQL 13 lacks it.
    return sql.query(
      `SELECT floor(extract(epoch FROM first_seen - $2::timestamptz) / $1)::int AS i, level, count(*)::int AS n
       FROM alerts WHERE first_seen >= $2 ${department !== undefined ? 'AND department = $3' : ''}
       GROUP BY 1, 2`,
      params,
    );
  }

  /** Open alerts per asset and level, with the asset's name, department and criticality (null once the asset is gone). */
  async openAlertsPerAsset(
    sql: Sql,
    department: string | undefined,
  ): Promise<{ asset_id: string | null; name: string | null; department: string | null; criticality: string | null; level: string; n: number }[]> {
    return sql.query(
      `SELECT al.asset_id, a.name, a.department, a.criticality, al.level, count(*)::int AS n
       FROM alerts al LEFT JOIN assets a ON a.id = al.asset_id
       WHERE al.status <> 'closed' ${department !== undefined ? 'AND al.department = $1' : ''}
       GROUP BY 1, 2, 3, 4, 5`,
      department !== undefined ? [department] : [],
    );
  }
}
