import type { Sql } from '../database/index.js';
import type { Language } from './notification.js';
import { MAIL_NAME } from './notifications.repository.js';

export const OUTBOX_STATUSES = ['queued', 'retrying', 'sent', 'failed', 'held', 'skipped'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** An outbox row as the administrators' list shows it, with the recipient's user name. */
export interface OutboxRecord {
  id: string;
  kind: string;
  user_id: string | null;
  username: string | null;
  address: string | null;
  language: Language;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface NewOutboxMail {
  kind: string;
  userId: string | null;
  address: string | null;
  language: Language;
  subject: string;
  text: string;
  html: string;
  status: OutboxStatus;
  lastError: string | null;
  dedupeKey: string | null;
}

/** A row claimed for sending, with what the mail needs. */
export interface ClaimedMail {
  id: string;
  kind: string;
  address: string;
  subject: string;
  text: string;
  html: string;
  attempts: number;
  name: string | null;
}

const SELECT_VIEW = `SELECT o.id, o.kind, o.user_id, u.username, o.address, o.language, o.subject, o.status, o.attempts, o.next_attempt_at,
  o.last_error, o.dedupe_key, o.created_at, o.sent_at FROM notification_outbox o LEFT JOIN users u ON u.id = o.user_id`;

/** The notification e-mail outbox. */
export class OutboxRepository {
  /** False when the dedupe key was used for this recipient already (nothing is written). */
  async insert(sql: Sql, mail: NewOutboxMail): Promise<boolean> {
    const inserted = await sql.query(
      `INSERT INTO notification_outbox (kind, user_id, address, language, subject, text, html, status, next_attempt_at, last_error, dedupe_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 = 'queued' THEN now() END, $9, $10)
       ON CONFLICT DO NOTHING RETURNING status`,
      [mail.kind, mail.userId, mail.address, mail.language, mail.subject, mail.text, mail.html, mail.status, mail.lastError, mail.dedupeKey],
    );
    return inserted.length > 0;
  }

  /**
   * Claims up to `limit` rows due at `now` (SKIP LOCKED: instances never claim one row twice),
   * counting the attempt and leasing each row for `leaseMs`: a row neither sent nor rescheduled
   * by then is due again.
   *
   * A new row is stamped due by the database's clock, to the microsecond; `now` is the service's,
   * to the millisecond, and may run behind (the same millisecond, or another host's clock). The
   * later of the two decides, or a row queued just before a delivery run would wait for the next.
   */
  async claimDue(sql: Sql, now: Date, limit: number, leaseMs: number): Promise<ClaimedMail[]> {
    return sql.query<ClaimedMail>(
      `UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = greatest($2::timestamptz, now()) + make_interval(secs => $3)
         WHERE id IN (SELECT id FROM notification_outbox WHERE status IN ('queued', 'retrying') AND next_attempt_at <= greatest($2::timestamptz, now())
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, address, subject, text, html, attempts,
                   (SELECT ${MAIL_NAME} FROM users WHERE users.id = notification_outbox.user_id) AS name`,
      [limit, now, leaseMs / 1000],
    );
  }

  async markSent(sql: Sql, id: string): Promise<void> {
    await sql.query(`UPDATE notification_outbox SET status = 'sent', sent_at = now(), next_attempt_at = NULL, last_error = NULL WHERE id = $1`, [id]);
  }

  async markUnsent(sql: Sql, id: string, status: 'failed' | 'retrying', nextAttemptAt: Date | null, lastError: string): Promise<void> {
    await sql.query(`UPDATE notification_outbox SET status = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1`, [id, status, nextAttemptAt, lastError]);
  }

  /** Gives claimed rows that were never tried their attempt back, and a new time. */
  async release(sql: Sql, ids: string[], nextAttemptAt: Date): Promise<void> {
    await sql.query(`UPDATE notification_outbox SET attempts = attempts - 1, next_attempt_at = $2 WHERE id = ANY($1::uuid[])`, [ids, nextAttemptAt]);
  }

  /** A page of rows, newest first, the number of rows the filter matches, and the number of rows per status. */
  async list(sql: Sql, query: { status?: OutboxStatus; kind?: string; limit: number; offset: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status) where.push(`o.status = $${params.push(query.status)}`);
    if (query.kind) where.push(`o.kind = $${params.push(query.kind)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [items, [{ total }], counts] = await Promise.all([
      sql.query<OutboxRecord>(`${SELECT_VIEW} ${filter} ORDER BY o.created_at DESC, o.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, query.limit, query.offset]),
      sql.query<{ total: number }>(`SELECT count(*)::int AS total FROM notification_outbox o ${filter}`, params),
      sql.query<{ status: OutboxStatus; n: number }>(`SELECT status, count(*)::int AS n FROM notification_outbox GROUP BY status`),
    ]);
    return { items, total, counts };
  }

  async find(sql: Sql, id: string, options: { lock?: boolean } = {}): Promise<OutboxRecord | undefined> {
    const [row] = await sql.query<OutboxRecord>(`${SELECT_VIEW} WHERE o.id = $1${options.lock ? ' FOR UPDATE OF o' : ''}`, [id]);
    return row;
  }

  /** The address of an active user, if the user has one. */
  async activeUserEmail(sql: Sql, userId: string | null): Promise<string | null> {
    const [user] = await sql.query<{ email: string | null }>(`SELECT email FROM users WHERE id = $1 AND NOT disabled`, [userId]);
    return user?.email ?? null;
  }

  async requeue(sql: Sql, id: string, address: string | null): Promise<void> {
    await sql.query(`UPDATE notification_outbox SET status = 'queued', attempts = 0, next_attempt_at = now(), address = $2 WHERE id = $1`, [id, address]);
  }
}
