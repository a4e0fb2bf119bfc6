import type { Sql } from '../database/index.js';

/** The account key of a login name: names are matched case-insensitively. */
export const accountKey = (username: string) => username.toLowerCase();

/** Failed logins per (account name, source address), and the lockouts they lead to. */
export class LoginLockoutsRepository {
  /** Until when this source is locked out of this name, if it is. */
  async lockedUntil(sql: Sql, account: string, source: string, now: Date): Promise<Date | null> {
    const [row] = await sql.query<{ lockedUntil: Date }>(
      `SELECT locked_until AS "lockedUntil" FROM login_lockouts WHERE account = $1 AND source = $2 AND locked_until > $3`,
      [account, source, now],
    );
    return row?.lockedUntil ?? null;
  }

  /** Counts a failure; at `threshold` failures in a row the pair is locked until `now + lockMs`. */
  async recordFailure(sql: Sql, account: string, source: string, now: Date, threshold: number, lockMs: number): Promise<Date | null> {
    const [row] = await sql.query<{ lockedUntil: Date | null }>(
      `INSERT INTO login_lockouts AS l (account, source, failures, locked_until, updated_at)
            VALUES ($1, $2, 1, CASE WHEN $4::int <= 1 THEN $3::timestamptz + make_interval(secs => $5) END, $3)
       ON CONFLICT (account, source) DO UPDATE SET
            -- A lock that has run out starts the count again.
            failures = CASE WHEN l.locked_until IS NOT NULL THEN 1 ELSE l.failures + 1 END,
            locked_until = CASE WHEN (CASE WHEN l.locked_until IS NOT NULL THEN 1 ELSE l.failures + 1 END) >= $4
                                THEN $3::timestamptz + make_interval(secs => $5) END,
            updated_at = $3
       RETURNING locked_until AS "lockedUntil"`,
      [account, source, now, threshold, lockMs / 1000],
    );
    return row.lockedUntil;
  }

  async clear(sql: Sql, account: string, source: string): Promise<void> {
    await sql.query(`DELETE FROM login_lockouts WHERE account = $1 AND source = $2`, [account, source]);
  }

  /** An administrator's unlock: every source, for this name. */
  async clearAccount(sql: Sql, account: string): Promise<number> {
    return (await sql.query(`DELETE FROM login_lockouts WHERE account = $1 RETURNING 1`, [account])).length;
  }

  /** For the user list: the latest lockout still running per account. */
  async lockedAccounts(sql: Sql, now: Date): Promise<Map<string, Date>> {
    const rows = await sql.query<{ account: string; until: Date }>(
      `SELECT account, max(locked_until) AS until FROM login_lockouts WHERE locked_until > $1 GROUP BY account`,
      [now],
    );
    return new Map(rows.map((r) => [r.account, r.until]));
  }

  /** Old failures that never reached a lock are forgotten after a day. */
  async prune(sql: Sql, now: Date): Promise<void> {
    await sql.query(`DELETE FROM login_lockouts WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $1)`, [new Date(now.getTime() - 86_400_000)]);
  }
}
