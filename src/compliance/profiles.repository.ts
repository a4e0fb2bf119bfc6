import type { Sql } from '../database/index.js';

export interface ProfileRow {
  id: string;
  name: string;
  description: string | null;
  control_ids: string[] | null;
  departments: string[] | null;
  asset_ids: string[] | null;
  schedule: string | null;
  is_default: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const SETTABLE = ['name', 'description', 'control_ids', 'departments', 'asset_ids', 'schedule'] as const;
/** The columns a person sets. */
export type ProfileColumns = Pick<ProfileRow, (typeof SETTABLE)[number]>;

/** Audit profiles: which controls run over which assets, and when. */
export class ProfilesRepository {
  /** Creates the default profile unless one is marked default (or its name is taken); answers it when created. */
  async insertDefaultIfMissing(sql: Sql, profile: { name: string; description: string; schedule: string }): Promise<ProfileRow | undefined> {
    const [row] = await sql.query<ProfileRow>(
      `INSERT INTO compliance_profiles (name, description, schedule, is_default, created_by)
       SELECT $1, $2, $3, true, 'system' WHERE NOT EXISTS (SELECT 1 FROM compliance_profiles WHERE is_default)
       ON CONFLICT DO NOTHING RETURNING *`,
      [profile.name, profile.description, profile.schedule],
    );
    return row;
  }

  /** The default first, then by name. */
  async list(sql: Sql): Promise<ProfileRow[]> {
    return sql.query<ProfileRow>(`SELECT * FROM compliance_profiles ORDER BY is_default DESC, lower(name)`);
  }

  /** `lock` holds the row until the transaction ends. */
  async byId(sql: Sql, id: string, lock = false): Promise<ProfileRow | undefined> {
    const [row] = await sql.query<ProfileRow>(`SELECT * FROM compliance_profiles WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row;
  }

  /** By id, or by name in any case. */
  async byIdOrName(sql: Sql, idOrName: string): Promise<ProfileRow | undefined> {
    const [row] = await sql.query<ProfileRow>(`SELECT * FROM compliance_profiles WHERE id::text = $1 OR lower(name) = lower($1)`, [idOrName]);
    return row;
  }

  async insert(sql: Sql, profile: ProfileColumns & { created_by: string }): Promise<ProfileRow> {
    const [row] = await sql.query<ProfileRow>(
      `INSERT INTO compliance_profiles (name, description, control_ids, departments, asset_ids, schedule, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [profile.name, profile.description, profile.control_ids, profile.departments, profile.asset_ids, profile.schedule, profile.created_by],
    );
    return row;
  }

  /**
   * Sets the columns given (at least one; undefined ones are left as they are) and answers the
   * row. Read through a CTE so every `Sql` answers the UPDATE with plain rows.
   */
  async update(sql: Sql, id: string, changes: Partial<ProfileColumns>): Promise<ProfileRow> {
    const params: unknown[] = [id];
    const sets: string[] = [];
    for (const column of SETTABLE) {
      if (changes[column] === undefined) continue;
      params.push(changes[column]);
      sets.push(`${column} = $${params.length}`);
    }
    const [row] = await sql.query<ProfileRow>(`UPDATE compliance_profiles SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING *`, params);
    return row;
  }

  async delete(sql: Sql, id: string): Promise<void> {
    await sql.query(`DELETE FROM compliance_profiles WHERE id = $1`, [id]);
  }
}
