import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { Database, type Sql } from '../database/index.js';
import type { Caller } from '../shared/principal.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { Clock } from '../shared/index.js';
import { Mailer, SendError } from './mailer.js';
import type { Language } from './notification.js';
import type { RenderedMail } from './templates.js';
import { notificationErrors } from './errors.js';
import { Scheduler } from '../platform/index.js';
import { OUTBOX_STATUSES, OutboxRepository, type OutboxRecord, type OutboxStatus } from './outbox.repository.js';

/** After the last try a message is `failed`: 1+2+4+…+60 minutes of backoff is about two hours. */
export const MAX_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;
// A claimed row that is neither sent nor rescheduled within this time (the process died while
// sending) becomes due again: delivery is at least once.
const LEASE_MS = 10 * 60_000;
const BATCH = 20;
const POLL_MS = 15_000;

export const NOTIFICATIONS_OPTIONS = Symbol('NotificationsOptions');
export interface NotificationsOptions {
  /** False for CLI jobs: they queue mail but leave delivery to the running service. */
  listen: boolean;
}

export interface NewOutboxRow {
  kind: string;
  userId: string | null;
  address: string | null;
  language: Language;
  mail: RenderedMail;
  dedupeKey: string | null;
  /** Why nothing will be sent (no address, nobody to send to). */
  skipReason?: UnsentReason;
}

/**
 * Why a row was not sent, as a code the console words in the reader's language. Stored in
 * `last_error` as the code, then its parameters as JSON; transport errors stay there as the mail
 * server's own text, which is technical detail with no translation.
 */
export interface UnsentReason {
  code: 'no_address' | 'no_recipient' | 'smtp_not_configured';
  params?: Record<string, string>;
}
const UNSENT_REASON = /^(no_address|no_recipient|smtp_not_configured)(?: (\{.*\}))?$/s;
const storedReason = (r: UnsentReason) => (r.params ? `${r.code} ${JSON.stringify(r.params)}` : r.code);
function readReason(stored: string | null): UnsentReason | null {
  const m = stored === null ? null : UNSENT_REASON.exec(stored);
  if (!m) return null;
  return m[2] ? { code: m[1] as UnsentReason['code'], params: JSON.parse(m[2]) as Record<string, string> } : { code: m[1] as UnsentReason['code'] };
}

const view = (r: OutboxRecord) => {
  const reason = readReason(r.last_error);
  return {
    id: r.id,
    kind: r.kind,
    userId: r.user_id,
    username: r.username,
    address: r.address,
    language: r.language,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
    reason,
    lastError: reason ? null : r.last_error,
    dedupeKey: r.dedupe_key,
    createdAt: r.created_at.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
  };
};
export type OutboxView = ReturnType<typeof view>;

export const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));

/**
 * The durable outbox: a mail is a row before it is anything else, and a row only leaves the
 * queue as sent, failed after every retry, or by an administrator's hand. An SMTP server that is
 * down only delays delivery.
 */
@Injectable()
export class OutboxService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private delivering: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private readonly sent;
  private readonly sendErrors;
  private readonly failed;
  private readonly outbox = new OutboxRepository();

  constructor(
    private readonly db: Database,
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: NotificationsOptions,
    private readonly mailer: Mailer,
    private readonly audit: AuditService,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    metrics: MetricsRegistry,
  ) {
    this.sent = metrics.counter('taishi_notifications_sent_total', 'Notification e-mails accepted by the SMTP server');
    this.sendErrors = metrics.counter('taishi_notifications_send_errors_total', 'Failed attempts to send a notification e-mail (each is retried until it fails for good)');
    this.failed = metrics.counter('taishi_notifications_failed_total', 'Notification e-mails given up on after every retry, or refused by the server for good');
  }

  onModuleInit(): void {
    if (!this.options.listen) return;
    if (!this.mailer.configured) {
      this.logger.warn('未配置 SMTP，通知邮件将保留在发件箱中而不发送 / TAISHI_SMTP_HOST is not set: notification e-mail is kept in the outbox as held and not sent');
      return;
    }
    this.scheduler.every('notification-delivery', POLL_MS, () => this.kick());
    this.kick();
  }

  /**
   * Before the database closes: the run under way finishes, and mail queued from here on (by
   * other modules' own shutdown work) waits in the outbox for the next start.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.scheduler.cancel('notification-delivery');
    await this.delivering;
  }

  /** Writes rows; a dedupe key already used for the same recipient writes nothing. Returns the statuses written. */
  async enqueue(rows: NewOutboxRow[], sql: Sql = this.db): Promise<OutboxStatus[]> {
    const written: OutboxStatus[] = [];
    for (const row of rows) {
      const status: OutboxStatus = row.skipReason ? 'skipped' : this.mailer.configured ? 'queued' : 'held';
      const reason = row.skipReason ?? (status === 'held' ? { code: 'smtp_not_configured' as const } : null);
      const lastError = reason && storedReason(reason);
      const { subject, text, html } = row.mail;
      if (await this.outbox.insert(sql, { kind: row.kind, userId: row.userId, address: row.address, language: row.language, subject, text, html, status, lastError, dedupeKey: row.dedupeKey })) {
        written.push(status);
      }
    }
    return written;
  }

  /** Starts a delivery run unless this process is only a CLI job; runs never overlap. */
  kick(): void {
    if (!this.options.listen || !this.mailer.configured || this.stopping) return;
    void this.flush().catch((error: Error) => this.logger.error(`Delivering notifications failed: ${error.message}`));
  }

  /**
   * Sends every row due at `now` (tests pass a later time to skip the backoff wait). Runs are
   * queued one after another in this process; rows are claimed with SKIP LOCKED, so several
   * instances share the work without sending a row twice.
   */
  flush(now = this.clock.now()): Promise<{ sent: number; retrying: number; failed: number }> {
    const run = this.delivering.catch(() => undefined).then(() => this.deliverDue(now));
    this.delivering = run;
    return run;
  }

  private async deliverDue(now: Date) {
    const tally = { sent: 0, retrying: 0, failed: 0 };
    if (!this.mailer.configured) return tally;
    for (;;) {
      const claimed = await this.outbox.claimDue(this.db, now, BATCH, LEASE_MS);
      if (claimed.length === 0) return tally;
      for (const [index, row] of claimed.entries()) {
        try {
          await this.mailer.send({ to: { name: row.name ?? '', address: row.address }, subject: row.subject, text: row.text, html: row.html, kind: row.kind });
          await this.outbox.markSent(this.db, row.id);
          this.sent.inc({ kind: row.kind });
          tally.sent++;
        } catch (error) {
          const e = error instanceof SendError ? error : new SendError((error as Error).message, false, false);
          this.sendErrors.inc({ kind: row.kind });
          const giveUp = e.permanent || row.attempts >= MAX_ATTEMPTS;
          const retryAt = new Date(now.getTime() + backoffMs(row.attempts));
          await this.outbox.markUnsent(this.db, row.id, giveUp ? 'failed' : 'retrying', giveUp ? null : retryAt, `attempt ${row.attempts}: ${e.message}`);
          if (giveUp) {
            this.failed.inc({ kind: row.kind });
            this.logger.error(`Notification ${row.id} to ${row.address} failed for good: ${e.message}`);
            tally.failed++;
          } else tally.retrying++;
          if (e.connection) {
            // The server is unreachable: the rest of this batch was never tried, so it keeps its
            // attempt count and waits as long as the one that was.
            const untried = claimed.slice(index + 1).map((r) => r.id);
            if (untried.length) await this.outbox.release(this.db, untried, retryAt);
            this.logger.warn(`SMTP server unreachable, retrying at ${retryAt.toISOString()}: ${e.message}`);
            return tally;
          }
        }
      }
      if (claimed.length < BATCH) return tally;
    }
  }

  async list(query: { status?: OutboxStatus; kind?: string; limit?: number; offset?: number }) {
    const { items, total, counts } = await this.outbox.list(this.db, { status: query.status, kind: query.kind, limit: query.limit ?? 50, offset: query.offset ?? 0 });
    return {
      smtp: this.mailer.describe(),
      counts: Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, counts.find((c) => c.status === s)?.n ?? 0])),
      total,
      items: items.map(view),
    };
  }

  /**
   * Puts a row back in the queue with a fresh set of attempts. A skipped row is sent to the
   * address its user has now, so mail missed for want of an address can still go out.
   */
  async retry(id: string, caller: Caller): Promise<OutboxView> {
    const result = await this.db.transaction(async (tx) => {
      const row = await this.outbox.find(tx, id, { lock: true });
      if (!row) throw notificationErrors.message_not_found({ id });
      if (row.status === 'sent') throw notificationErrors.already_sent({ id, sentAt: row.sent_at?.toISOString() ?? '' });
      if (!this.mailer.configured) throw notificationErrors.smtp_not_configured();
      let address = row.address;
      if (row.status === 'skipped') {
        const email = await this.outbox.activeUserEmail(tx, row.user_id);
        if (!email) throw row.user_id ? notificationErrors.recipient_unreachable() : notificationErrors.no_recipient();
        address = email;
      }
      await this.outbox.requeue(tx, id, address);
      await this.audit.record(
        { ...caller, action: 'notification.retry', targetType: 'notification', targetId: id, before: { status: row.status, attempts: row.attempts, lastError: row.last_error }, after: { status: 'queued', address } },
        tx,
      );
      return view((await this.outbox.find(tx, id))!);
    });
    this.kick();
    return result;
  }
}
