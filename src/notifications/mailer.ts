import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { headerSafe } from './templates.js';

export interface OutgoingMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  kind: string;
}

/** Why a send failed, and whether trying again later can help. */
export class SendError extends Error {
  constructor(
    message: string,
    /** A 5xx answer: the server refused this message for good (unknown mailbox, policy). */
    readonly permanent: boolean,
    /** The server could not be reached or talked to at all, so other messages would fail too. */
    readonly connection: boolean,
  ) {
    super(message);
  }
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EAUTH', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);

/** The SMTP connection described by the TAISHI_SMTP_* settings; absent when no host is set. */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly transport: Transporter | undefined;

  constructor(@Inject(SETTINGS_TOKEN) private readonly settings: Settings) {
    const host = settings.TAISHI_SMTP_HOST;
    if (!host) return;
    const tls = settings.TAISHI_SMTP_TLS;
    this.transport = nodemailer.createTransport({
      host,
      port: settings.TAISHI_SMTP_PORT,
      secure: tls === 'tls',
      requireTLS: tls === 'starttls',
      ignoreTLS: tls === 'off',
      auth: settings.TAISHI_SMTP_USER ? { user: settings.TAISHI_SMTP_USER, pass: settings.TAISHI_SMTP_PASSWORD ?? '' } : undefined,
      // A dead server must not hold the delivery loop for minutes.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  get configured(): boolean {
    return this.transport !== undefined;
  }

  /** The SMTP settings as administrators may see them: never the password. */
  describe() {
    return {
      configured: this.configured,
      host: this.settings.TAISHI_SMTP_HOST ?? null,
      port: this.settings.TAISHI_SMTP_PORT,
      tls: this.settings.TAISHI_SMTP_TLS,
      user: this.settings.TAISHI_SMTP_USER ?? null,
      from: this.settings.TAISHI_SMTP_FROM,
    };
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string; response: string }> {
    if (!this.transport) throw new SendError('SMTP is not configured (TAISHI_SMTP_HOST)', false, true);
    try {
      const info = await this.transport.sendMail({
        from: this.settings.TAISHI_SMTP_FROM,
        to: { name: headerSafe(mail.to.name, 60), address: mail.to.address },
        subject: headerSafe(mail.subject),
        text: mail.text,
        html: mail.html,
        // RFC 3834: out-of-office robots must not answer notifications.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Taishi-Notification': mail.kind },
      });
      return { messageId: String(info.messageId), response: this.scrub(String(info.response ?? '')) };
    } catch (error) {
      const e = error as Error & { code?: string; responseCode?: number };
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.code !== 'EAUTH';
      const connection = !permanent && (e.responseCode === undefined || (e.code !== undefined && CONNECTION_CODES.has(e.code)));
      throw new SendError(this.scrub(`${e.code ? `${e.code}: ` : ''}${e.message}`).slice(0, 1000), permanent, connection);
    }
  }

  /** Servers sometimes echo what they were sent; the password must not reach the outbox or a log. */
  private scrub(text: string): string {
    const password = this.settings.TAISHI_SMTP_PASSWORD;
    return password ? text.split(password).join('***') : text;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
