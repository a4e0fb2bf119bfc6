import pg from 'pg';
import { StartupError } from '../common/index.js';

/** The URL as it may be printed: without its password. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * One connection and `SELECT 1` before anything else is built on the server, so an unreachable
 * server or a wrong password is one line at start rather than a chain of retries and stacks.
 */
export async function probeServer(url: string, timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const e = error as Error & { code?: string };
    const reason = [e.code, e.message.split('\n')[0]].filter(Boolean).join(': ');
    throw new StartupError(
      `启动失败：无法连接数据库 ${redactedUrl(url)}（${reason}）；请检查 DATABASE_URL 以及数据库服务器是否在运行`,
      `Start-up failed: cannot reach the database ${redactedUrl(url)} (${reason}); check DATABASE_URL and that the server is running`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
