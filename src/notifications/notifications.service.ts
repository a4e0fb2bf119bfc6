import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { Database } from '../database/index.js';
import { actorName, type Caller, type Role } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { Mailer, SendError } from './mailer.js';
import { PREFERENCE_KINDS, type DigestRecipient, type DigestSection, type DigestSource, type Language, type Notification, type PreferenceKind } from './notification.js';
import { OutboxService, type NewOutboxRow } from './outbox.service.js';
import { beijingTime, renderMail, type MailContent, type RenderedMail } from './templates.js';
import { notificationErrors } from './errors.js';
import { Scheduler } from '../platform/index.js';
import { NotificationsRepository, type RecipientRow } from './notifications.repository.js';

export interface Recipients {
  userIds?: string[];
  roles?: Role[];
  /** Analysts (and administrators) who marked themselves on duty; every analyst when nobody did. */
  onDutyAnalysts?: boolean;
}

export interface Preferences {
  onDuty: boolean;
  kinds: Record<PreferenceKind, boolean>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ON_DUTY_ROLES: readonly Role[] = ['analyst', 'admin'];
const DIGEST_TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

const preferencesOf = (row: { on_duty: boolean; muted: string[] }): Preferences => ({
  onDuty: row.on_duty,
  kinds: Object.fromEntries(PREFERENCE_KINDS.map((k) => [k, !row.muted.includes(k)])) as Record<PreferenceKind, boolean>,
});

/**
 * Decides who hears about what and in which language, and hands the rendered mails to the
 * outbox. Other modules call `notify`; the daily digest gathers what registered sources say.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private readonly digestSources = new Map<string, DigestSource>();
  private readonly queued;
  private readonly skipped;
  private readonly users = new NotificationsRepository();

  constructor(
    private readonly db: Database,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly outbox: OutboxService,
    private readonly mailer: Mailer,
    private readonly audit: AuditService,
    private readonly scheduler: Scheduler,
    metrics: MetricsRegistry,
  ) {
    this.queued = metrics.counter('taishi_notifications_queued_total', 'Notification e-mails written to the outbox');
    this.skipped = metrics.counter('taishi_notifications_skipped_total', 'Notifications not mailed to a user, by reason (no_address, disabled, muted, no_recipient)');
  }

  onModuleInit(): void {
    const cron = this.settings.TAISHI_DIGEST_CRON;
    if (cron === false) return;
    // Every instance watches the schedule; the first to claim the day's slot sends the digest.
    this.scheduler.cron('daily-digest', cron, DIGEST_TIME_ZONE, async (slot) => {
      if (await this.scheduler.claim('daily-digest', 1000, slot.getTime())) await this.sendDigest(slot);
    });
  }

  onApplicationShutdown(): void {
    this.scheduler.cancel('daily-digest');
  }

  /**
   * Queues one mail per recipient, each in the recipient's language. Disabled users and users who
   * muted this kind are left out (counted in metrics); a user without an address, or a
   * notification nobody could receive, leaves a `skipped` row so administrators see it. The same
   * dedupe key reaches each recipient once, however often it is notified.
   */
  async notify(notification: Notification, to: Recipients, options: { dedupeKey?: string } = {}): Promise<{ queued: number; skipped: number }> {
    const users = await this.recipients(to);
    const active = users.filter((u) => !u.disabled);
    if (users.length > active.length) this.skipped.inc({ reason: 'disabled' }, users.length - active.length);
    const wanting = active.filter((u) => !u.muted.includes(notification.kind));
    if (active.length > wanting.length) this.skipped.inc({ reason: 'muted' }, active.length - wanting.length);

    const content = await this.withNames(notification);
    const rendered = new Map<Language, RenderedMail>();
    const render = (language: Language) => rendered.get(language) ?? rendered.set(language, renderMail(content, language, { publicUrl: this.settings.TAISHI_PUBLIC_URL })).get(language)!;
    const dedupeKey = options.dedupeKey ?? null;
    const rows: NewOutboxRow[] = wanting.map((u) => this.rowFor(u, notification.kind, render(u.language), dedupeKey));
    if (active.length === 0) {
      rows.push({
        kind: notification.kind,
        userId: null,
        address: null,
        language: 'zh-CN',
        mail: render('zh-CN'),
        dedupeKey,
        skipReason: { code: 'no_recipient', params: { to: JSON.stringify(to) } },
      });
    }
    return this.write(rows);
  }

  /** Sources contribute sections to the daily digest; registering a name again replaces it. */
  registerDigestSource(source: DigestSource): void {
    this.digestSources.set(source.name, source);
  }

  /**
   * Mails each user who has not muted the digest what the sources say about the last 24 hours.
   * Keyed by the Beijing date, so a second run that day (another instance, a restart) sends nothing.
   */
  async sendDigest(now = new Date()): Promise<{ queued: number; skipped: number }> {
    const date = beijingTime(now).slice(0, 10);
    const window = { from: new Date(now.getTime() - DAY_MS), to: now };
    const users = (await this.users.activeUsers(this.db)).filter((u) => !u.muted.includes('digest'));
    const rows: NewOutboxRow[] = [];
    for (const user of users) {
      const recipient: DigestRecipient = { userId: user.id, role: user.role, department: user.department, language: user.language };
      const sections: DigestSection[] = [];
      for (const source of this.digestSources.values()) {
        try {
          sections.push(...(await source.sections(recipient, window)).filter((s) => s.lines.length > 0));
        } catch (error) {
          this.logger.error(`Digest source ${source.name} failed for ${user.username}: ${(error as Error).message}`);
          sections.push({
            title: { 'zh-CN': `「${source.name}」摘要生成失败`, en: `The ${source.name} digest could not be produced` },
            lines: [{ 'zh-CN': '详情见服务日志。', en: 'See the service log for details.' }],
          });
        }
      }
      if (sections.length === 0) continue;
      rows.push(this.rowFor(user, 'digest', renderMail({ kind: 'digest', date, sections }, user.language), `digest:${date}`));
    }
    return this.write(rows);
  }

  /** Delivers every due message now; `now` later than the clock skips backoff waits (tests). */
  flush(now?: Date) {
    return this.outbox.flush(now);
  }

  async preferences(userId: string): Promise<Preferences & { email: string | null; language: Language }> {
    const row = (await this.users.user(this.db, userId))!;
    return { ...preferencesOf(row), email: row.email, language: row.language };
  }

  /** Changes only what is given; being on duty is for analysts and administrators. */
  async updatePreferences(userId: string, change: { onDuty?: boolean; kinds?: Partial<Record<PreferenceKind, boolean>> }, caller: Caller) {
    if (change.onDuty === undefined && (change.kinds === undefined || Object.keys(change.kinds).length === 0)) {
      throw notificationErrors.nothing_to_change();
    }
    await this.db.transaction(async (tx) => {
      const row = (await this.users.lockUser(tx, userId))!;
      if (change.onDuty && !ON_DUTY_ROLES.includes(row.role)) throw notificationErrors.on_duty_role({ role: row.role });
      const before = preferencesOf(row);
      const kinds = { ...before.kinds, ...change.kinds };
      const after: Preferences = { onDuty: change.onDuty ?? before.onDuty, kinds };
      const muted = PREFERENCE_KINDS.filter((k) => !kinds[k]);
      await this.users.savePreferences(tx, userId, after.onDuty, muted);
      await this.audit.record({ ...caller, action: 'notification.preferences.update', targetType: 'user', targetId: userId, before, after }, tx);
    });
    return this.preferences(userId);
  }

  /** Sends a test mail at once (not through the outbox) and says what the server answered. */
  async sendTest(to: string | undefined, userId: string, caller: Caller) {
    if (!this.mailer.configured) throw notificationErrors.smtp_not_configured();
    const me = (await this.users.mailIdentity(this.db, userId))!;
    const address = to ?? me.email;
    if (!address) throw notificationErrors.no_address();
    const mail = renderMail({ kind: 'test', sentBy: actorName(caller.principal), at: new Date().toISOString() }, me.language);
    try {
      const result = await this.mailer.send({ to: { name: to ? '' : me.name, address }, ...mail, kind: 'test' });
      await this.audit.record({ ...caller, action: 'notification.test', targetType: 'notification', after: { to: address, response: result.response } });
      return { ok: true, to: address, ...result };
    } catch (error) {
      const message = error instanceof SendError ? error.message : (error as Error).message;
      await this.audit.record({ ...caller, action: 'notification.test', targetType: 'notification', outcome: 'failure', after: { to: address, error: message } });
      throw notificationErrors.smtp_refused({ reason: message });
    }
  }

  private async recipients(to: Recipients): Promise<RecipientRow[]> {
    const ids = [...new Set(to.userIds ?? [])];
    const bad = ids.filter((id) => !UUID.test(id));
    if (bad.length) throw new Error(`notify: not user ids: ${bad.join(', ')}`);
    const rows = await this.users.candidates(this.db, ids, to.roles ?? [], to.onDutyAnalysts === true, ON_DUTY_ROLES);
    if (!to.onDutyAnalysts) return rows;
    const named = (u: RecipientRow) => ids.includes(u.id) || (to.roles ?? []).includes(u.role);
    const candidates = rows.filter((u) => !u.disabled && ON_DUTY_ROLES.includes(u.role));
    const onDuty = candidates.filter((u) => u.on_duty);
    // Nobody on duty must not mean nobody told: then every analyst (or, with none, every admin) is.
    const duty = onDuty.length ? onDuty : candidates.some((u) => u.role === 'analyst') ? candidates.filter((u) => u.role === 'analyst') : candidates;
    return rows.filter((u) => named(u) || duty.includes(u));
  }

  /** An assignee given as a user id is shown by name. */
  private async withNames(notification: Notification): Promise<MailContent> {
    if (notification.kind !== 'incident_assigned' || !UUID.test(notification.assignee)) return notification;
    const name = await this.users.mailName(this.db, notification.assignee);
    return name !== undefined ? { ...notification, assignee: name } : notification;
  }

  private rowFor(user: RecipientRow, kind: string, mail: RenderedMail, dedupeKey: string | null): NewOutboxRow {
    return {
      kind,
      userId: user.id,
      address: user.email,
      language: user.language,
      mail,
      dedupeKey,
      skipReason: user.email ? undefined : { code: 'no_address' },
    };
  }

  private async write(rows: NewOutboxRow[]): Promise<{ queued: number; skipped: number }> {
    if (rows.length === 0) return { queued: 0, skipped: 0 };
    const statuses = await this.db.transaction((tx) => this.outbox.enqueue(rows, tx));
    const skipped = statuses.filter((s) => s === 'skipped').length;
    const queued = statuses.length - skipped;
    if (skipped) {
      this.skipped.inc({ reason: rows.some((r) => r.userId === null) ? 'no_recipient' : 'no_address' }, skipped);
      this.logger.warn(`${skipped} notification(s) of kind ${rows[0].kind} could not be addressed; see GET /api/notifications/outbox?status=skipped`);
    }
    if (queued) this.queued.inc({ kind: rows[0].kind }, queued);
    if (queued) this.outbox.kick();
    return { queued, skipped };
  }
}
