import type { Sql } from '../database/index.js';
import type { Role } from '../shared/principal.js';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  department: string | null;
  language: 'zh-CN' | 'en';
  timeZone: string | null;
  passwordHash: string;
  passwordChangedAt: Date;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type NewUser = Pick<UserRow, 'username' | 'displayName' | 'email' | 'role' | 'department' | 'language' | 'passwordHash' | 'disabled' | 'updatedAt'>;
export type UserChanges = Partial<Pick<UserRow, 'displayName' | 'email' | 'role' | 'department' | 'language' | 'timeZone' | 'passwordHash' | 'passwordChangedAt' | 'disabled' | 'updatedAt'>>;

/** The user a live session belongs to. */
export interface SessionUser extends Pick<UserRow, 'id' | 'username' | 'role' | 'department' | 'language' | 'disabled'> {
  sessionId: string;
}

const USER_COLUMNS = `id, username, display_name AS "displayName", email, role, department, language, time_zone AS "timeZone",
  password_hash AS "passwordHash", password_changed_at AS "passwordChangedAt", disabled, created_at AS "createdAt", updated_at AS "updatedAt"`;

const CHANGEABLE: Record<keyof UserChanges, string> = {
  displayName: 'display_name',
  email: 'email',
  role: 'role',
  department: 'department',
  language: 'language',
  timeZone: 'time_zone',
  passwordHash: 'password_hash',
  passwordChangedAt: 'password_changed_at',
  disabled: 'disabled',
  updatedAt: 'updated_at',
};

/** Users and their login sessions. */
export class UsersRepository {
  /** Keeps other transactions from adding users until this one ends: the first administrator is created once. */
  async lockAgainstNewUsers(sql: Sql): Promise<void> {
    await sql.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
  }

  async count(sql: Sql): Promise<number> {
    const [{ n }] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return n;
  }

  /** Answers the new user's id; the columns not given take their defaults. */
  async insert(sql: Sql, user: NewUser): Promise<string> {
    const [{ id }] = await sql.query<{ id: string }>(
      `INSERT INTO users (username, display_name, email, role, department, language, password_hash, disabled, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [user.username, user.displayName, user.email, user.role, user.department, user.language, user.passwordHash, user.disabled, user.updatedAt],
    );
    return id;
  }

  async find(sql: Sql, id: string): Promise<UserRow | undefined> {
    const [row] = await sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 LIMIT 1`, [id]);
    return row;
  }

  /** The user a login name (already lower-cased: names match whatever their case) belongs to. */
  async byAccount(sql: Sql, account: string): Promise<UserRow | undefined> {
    const [row] = await sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = $1`, [account]);
    return row;
  }

  async list(sql: Sql, options: { activeOnly?: boolean } = {}): Promise<UserRow[]> {
    return sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ${options.activeOnly ? 'WHERE disabled = false' : ''} ORDER BY username ASC`);
  }

  /**
   * The department list, share-locked until the transaction ends against renaming and removal. The
   * list is the departments module's, but that module builds on this one, so users read it here.
   */
  async heldDepartments(sql: Sql): Promise<string[]> {
    return (await sql.query<{ name: string }>(`SELECT name FROM departments FOR SHARE`)).map((r) => r.name);
  }

  /** Writes the given columns only. */
  async update(sql: Sql, id: string, changes: UserChanges): Promise<void> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined) as [keyof UserChanges, unknown][];
    if (entries.length === 0) return;
    await sql.query(`UPDATE users SET ${entries.map(([k], i) => `${CHANGEABLE[k]} = $${i + 2}`).join(', ')} WHERE id = $1`, [id, ...entries.map(([, v]) => v)]);
  }

  async insertSession(sql: Sql, session: { userId: string; tokenHash: string; sourceIp: string | null; expiresAt: Date }): Promise<string> {
    const [{ id }] = await sql.query<{ id: string }>(`INSERT INTO sessions (user_id, token_hash, source_ip, expires_at) VALUES ($1, $2, $3, $4) RETURNING id`, [
      session.userId,
      session.tokenHash,
      session.sourceIp,
      session.expiresAt,
    ]);
    return id;
  }

  /** The live (not revoked, not expired) session of a token hash, with its user. */
  async sessionUser(sql: Sql, tokenHash: string): Promise<SessionUser | undefined> {
    const [row] = await sql.query<SessionUser>(
      `SELECT s.id AS "sessionId", u.id, u.username, u.role, u.department, u.language, u.disabled
       FROM sessions s INNER JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
    );
    return row;
  }

  async sessionExpiry(sql: Sql, sessionId: string): Promise<Date | undefined> {
    const [row] = await sql.query<{ expiresAt: Date }>(`SELECT expires_at AS "expiresAt" FROM sessions WHERE id = $1 LIMIT 1`, [sessionId]);
    return row?.expiresAt;
  }

  async revokeSession(sql: Sql, sessionId: string, at: Date): Promise<void> {
    await sql.query(`UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [sessionId, at]);
  }

  async revokeSessionsOf(sql: Sql, userId: string, at: Date): Promise<void> {
    await sql.query(`UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [userId, at]);
  }
}
