import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** SMTP envelope recipients: who the message really went to, whatever its headers say. */
  rcptTo: string[];
  mailFrom: string;
  /** The message exactly as it arrived. */
  raw: string;
  parsed: ParsedMail;
  /** Credentials the client logged in with, when it did. */
  auth?: { username: string; password: string };
}

/**
 * A real SMTP server on a loopback port that keeps what it receives, for tests that check what
 * Taishi really sends. It can be stopped and started again on the same port to play an outage.
 */
export class SmtpListener {
  readonly received: ReceivedMail[] = [];
  /** Recipients refused for good (550), as a real server does for an unknown mailbox. */
  readonly refuse = new Set<string>();
  private server: SMTPServer | undefined;
  port = 0;

  /** `credentials` makes the server demand a login with exactly these. */
  constructor(private readonly credentials?: { username: string; password: string }) {}

  async start(): Promise<this> {
    const credentials = this.credentials;
    const server = new SMTPServer({
      secure: false,
      // Plain connections only: the tests check content, not TLS.
      disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      authOptional: !credentials,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (credentials && auth.username === credentials.username && auth.password === credentials.password) return callback(null, { user: { username: auth.username!, password: auth.password! } });
        callback(new Error('Invalid username or password'));
      },
      onRcptTo: (address, _session, callback) => {
        if (!this.refuse.has(address.address)) return callback();
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed) => {
              this.received.push({
                rcptTo: session.envelope.rcptTo.map((r) => r.address),
                mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                raw,
                parsed,
                auth: session.user as ReceivedMail['auth'],
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves with the first mail (in arrival order) that matches, or fails after the timeout. */
  async waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No matching mail within ${timeoutMs} ms; received: ${JSON.stringify(this.received.map((m) => ({ to: m.rcptTo, subject: m.parsed.subject })))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Mails sent to one address. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.rcptTo.includes(address));
  }
}
