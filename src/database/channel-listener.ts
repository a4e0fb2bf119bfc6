import pg from 'pg';

const MAX_RETRY_MS = 30_000;

/** What a listener hears: each notice, and the moments its connection is lost and back. */
export interface ChannelHandlers {
  notice(): void;
  /** Listening again after a loss: notices sent meanwhile were missed, so act as if one came. */
  resumed(): void;
  lost(retryInSeconds: string, reason: string | undefined): void;
}

export interface ChannelListening {
  close(): Promise<void>;
}

/**
 * Holds one connection LISTENing on a PostgreSQL channel. A lost connection (a database restart)
 * is reopened with exponential backoff up to 30 s; the first attempt's failure does not stop the
 * service, which goes on retrying.
 */
export async function listenOnChannel(connectionString: string, channel: string, applicationName: string, handlers: ChannelHandlers): Promise<ChannelListening> {
  // LISTEN takes no parameters: the name goes into the statement, so only plain names are allowed.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`Not a plain channel name: ${channel}`);
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;

  const lost = (which: pg.Client, reason?: string) => {
    if (closed || retryTimer || (client && client !== which)) return;
    client = undefined;
    const delay = Math.min(MAX_RETRY_MS, 500 * 2 ** failures++);
    if (failures === 1 || reason) handlers.lost((delay / 1000).toFixed(1), reason);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect(true);
    }, delay);
    retryTimer.unref();
  };

  const connect = async (resuming: boolean): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: applicationName });
    next.on('notification', () => handlers.notice());
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      lost(next, (error as Error).message);
      await next.end().catch(() => undefined);
      return;
    }
    if (closed) return void (await next.end().catch(() => undefined));
    client = next;
    failures = 0;
    if (resuming) handlers.resumed();
  };

  await connect(false);
  return {
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    },
  };
}

/** Called inside the transaction that changes what the channel watches: delivered at commit, not at all on rollback. */
export async function notifyChannel(tx: { query(text: string, params?: unknown[]): Promise<unknown> }, channel: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, NULL)', [channel]);
}
