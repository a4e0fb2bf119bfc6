import type { Sql } from '../database/index.js';

export interface DepartmentView {
  name: string;
  assets: number;
  users: number;
}

/**
 * The department list, and the asset and user rows that name a department: a rename or a removal
 * must see and move them in the same transaction as the list itself.
 */
export class DepartmentsRepository {
  async list(sql: Sql): Promise<DepartmentView[]> {
    return sql.query<DepartmentView>(
      `SELECT d.name,
              (SELECT count(*) FROM assets a WHERE a.department = d.name)::int AS assets,
              (SELECT count(*) FROM users u WHERE u.department = d.name)::int AS users
       FROM departments d ORDER BY d.name`,
    );
  }

  /** With `hold`, the rows stay share-locked until the transaction ends, against renaming and removal. */
  async names(sql: Sql, hold = false): Promise<string[]> {
    return (await sql.query<{ name: string }>(`SELECT name FROM departments${hold ? ' FOR SHARE' : ''}`)).map((r) => r.name);
  }

  async insert(sql: Sql, name: string): Promise<void> {
    await sql.query(`INSERT INTO departments (name) VALUES ($1)`, [name]);
  }

  /** Lists names not listed yet; one already there (another import, say) is left as it is. */
  async insertMissing(sql: Sql, names: Iterable<string>): Promise<void> {
    for (const name of names) await sql.query(`INSERT INTO departments (name) VALUES ($1) ON CONFLICT DO NOTHING`, [name]);
  }

  /** Whether the department is listed, locking its row until the transaction ends. */
  async lockIfListed(sql: Sql, name: string): Promise<boolean> {
    return (await sql.query(`SELECT 1 FROM departments WHERE name = $1 FOR UPDATE`, [name])).length > 0;
  }

  /** Renames the department and carries its assets and users along; answers how many moved. */
  async rename(sql: Sql, from: string, to: string): Promise<{ assets: number; users: number }> {
    await sql.query(`UPDATE departments SET name = $2 WHERE name = $1`, [from, to]);
    const [moved] = await sql.query<{ assets: number; users: number }>(
      `WITH a AS (UPDATE assets SET department = $2, updated_at = now() WHERE department = $1 RETURNING 1),
            u AS (UPDATE users SET department = $2 WHERE department = $1 RETURNING 1)
       SELECT (SELECT count(*) FROM a)::int AS assets, (SELECT count(*) FROM u)::int AS users`,
      [from, to],
    );
    return moved;
  }

  async holdings(sql: Sql, name: string): Promise<{ assets: number; users: number }> {
    const [row] = await sql.query<{ assets: number; users: number }>(
      `SELECT (SELECT count(*) FROM assets WHERE department = $1)::int AS assets, (SELECT count(*) FROM users WHERE department = $1)::int AS users`,
      [name],
    );
    return row;
  }

  async delete(sql: Sql, name: string): Promise<void> {
    await sql.query(`DELETE FROM departments WHERE name = $1`, [name]);
  }
}
