import type { Sql } from '../database/index.js';
import type { Role } from '../shared/principal.js';
import type { Language } from './notification.js';

/** A user as notifications see one: address, language and preferences. */
export interface RecipientRow {
  id: string;
  username: string;
  email: string | null;
  role: Role;
  department: string | null;
  language: Language;
  disabled: boolean;
  on_duty: boolean;
  muted: string[];
}

/** How a mail addresses a user: the display name, else the user name. */
export const MAIL_NAME = `coalesce(nullif(display_name, ''), username)`;

const USERS_WITH_PREFERENCES = `SELECT u.id, u.username, u.email, u.role, u.department, u.language, u.disabled,
  coalesce(p.on_duty, false) AS on_duty, coalesce(p.muted, '{}') AS muted
  FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id`;

/** Who may be notified, and each user's notification preferences. */
export class NotificationsRepository {
  /** Users named by id or by role, and (when `onDuty`) every user of `dutyRoles`: the candidates for one notification. */
  async candidates(sql: Sql, ids: string[], roles: Role[], onDuty: boolean, dutyRoles: readonly Role[]): Promise<RecipientRow[]> {
    return sql.query<RecipientRow>(`${USERS_WITH_PREFERENCES} WHERE u.id = ANY($1::uuid[]) OR u.role = ANY($2::text[]) OR ($3 AND u.role = ANY($4::text[])) ORDER BY u.username`, [
      ids,
      roles,
      onDuty,
      dutyRoles,
    ]);
  }

  async activeUsers(sql: Sql): Promise<RecipientRow[]> {
    return sql.query<RecipientRow>(`${USERS_WITH_PREFERENCES} WHERE NOT u.disabled ORDER BY u.username`);
  }

  async user(sql: Sql, userId: string): Promise<RecipientRow | undefined> {
    const [row] = await sql.query<RecipientRow>(`${USERS_WITH_PREFERENCES} WHERE u.id = $1`, [userId]);
    return row;
  }

  /** The user's row, locked against other preference changes until the transaction ends. */
  async lockUser(sql: Sql, userId: string): Promise<RecipientRow | undefined> {
    const [row] = await sql.query<RecipientRow>(`${USERS_WITH_PREFERENCES} WHERE u.id = $1 FOR NO KEY UPDATE OF u`, [userId]);
    return row;
  }

  async savePreferences(sql: Sql, userId: string, onDuty: boolean, muted: string[]): Promise<void> {
    await sql.query(
      `INSERT INTO notification_preferences (user_id, on_duty, muted, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (user_id) DO UPDATE SET on_duty = excluded.on_duty, muted = excluded.muted, updated_at = now()`,
      [userId, onDuty, muted],
    );
  }

  async mailName(sql: Sql, userId: string): Promise<string | undefined> {
    const [row] = await sql.query<{ name: string }>(`SELECT ${MAIL_NAME} AS name FROM users WHERE id = $1`, [userId]);
    return row?.name;
  }

  async mailIdentity(sql: Sql, userId: string): Promise<{ email: string | null; language: Language; name: string } | undefined> {
    const [row] = await sql.query<{ email: string | null; language: Language; name: string }>(
      `SELECT email, language, ${MAIL_NAME} AS name FROM users WHERE id = $1`,
      [userId],
    );
    return row;
  }
}
