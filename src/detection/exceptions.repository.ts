import type { Sql } from '../database/index.js';

export interface RuleException {
  id: string;
  ruleId: string;
  field: string;
  value: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  suppressed: number;
}

/** The exception's fields as its removal's audit record keeps them. */
export interface RemovedException {
  rule_id: string;
  field: string;
  value: string;
  reason: string;
}

/** Rule exceptions, newest first, and the count of firings each has suppressed. */
export class ExceptionsRepository {
  async list(sql: Sql): Promise<RuleException[]> {
    const rows = await sql.query<Omit<RuleException, 'createdAt' | 'expiresAt' | 'suppressed'> & { createdAt: Date; expiresAt: Date; suppressed: string }>(
      `SELECT id, rule_id AS "ruleId", field, value, reason, created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt", suppressed
       FROM rule_exceptions ORDER BY created_at DESC`,
    );
    // suppressed is a bigint, which pg answers as a string.
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), expiresAt: r.expiresAt.toISOString(), suppressed: Number(r.suppressed) }));
  }

  /** Answers the new exception's id. */
  async insert(sql: Sql, input: { ruleId: string; field: string; value: string; reason: string; expiresAt: string }, createdBy: string): Promise<string> {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO rule_exceptions (rule_id, field, value, reason, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [input.ruleId, input.field, input.value, input.reason, createdBy, input.expiresAt],
    );
    return row.id;
  }

  /** Deletes the exception and answers what it was; undefined when there was none. */
  async delete(sql: Sql, id: string): Promise<RemovedException | undefined> {
    const [row] = await sql.query<RemovedException>(`DELETE FROM rule_exceptions WHERE id = $1 RETURNING rule_id, field, value, reason`, [id]);
    return row;
  }

  async addSuppressed(sql: Sql, id: string, count: number): Promise<void> {
    await sql.query(`UPDATE rule_exceptions SET suppressed = suppressed + $2 WHERE id = $1`, [id, count]);
  }
}
