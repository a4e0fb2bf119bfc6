import { spawn, type ChildProcess } from 'node:child_process';
import { StartupError } from '../common/index.js';
import type { Log, ServiceAccount } from './embedded-runtime.js';

export interface PostmasterOptions {
  postgres: string;
  dataDir: string;
  port: number;
  account?: ServiceAccount;
  /** Start it again, with backoff, when it dies under us. */
  supervise: boolean;
  log: Log;
  readyTimeoutMs?: number;
}

const READY = 'database system is ready to accept connections';
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** Up this long, a server that dies is restarted at once again rather than after the last delay. */
const STABLE_MS = 60_000;

/** The line of PostgreSQL's output that says why it stopped (its last FATAL or PANIC), else the last line. */
function lastWords(output: string): string {
  const lines = output.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  const last = [...lines].reverse().find((l) => /\b(FATAL|PANIC):/.test(l)) ?? lines.at(-1) ?? '';
  // Without the log line prefix (time, pid): "FATAL:  could not create any TCP/IP sockets".
  return last.replace(/^.*?\b(FATAL|PANIC|LOG|ERROR):\s+/, '$1: ');
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** Resolves once the server accepts connections; otherwise kills it and rejects with what it said. */
function untilReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new StartFailure(`${reason}: ${lastWords(output)}`, output));
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes(READY)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stderr?.off('data', onData);
      // Keep draining the pipe so a chatty server never blocks on a full buffer.
      child.stderr?.resume();
      resolve();
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited during start (${signal ?? `code ${code}`})`);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => fail(error.message));
  });
}

/**
 * The postmaster this process started. It runs detached, so it outlives a killed Taishi (the next
 * start attaches to it); while Taishi runs and `supervise` is set, a postmaster that dies (OOM
 * killer, a stray kill) is started again on the same port, so the pools reconnect to the same URL.
 */
export class Postmaster {
  private child: ChildProcess | undefined;
  private stopping = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private upSince = 0;
  private restartCount = 0;

  private constructor(private readonly options: PostmasterOptions) {}

  static async start(options: PostmasterOptions): Promise<Postmaster> {
    const postmaster = new Postmaster(options);
    try {
      await postmaster.launch();
    } catch (error) {
      const said = (error as Error).message;
      if (error instanceof StartFailure && /could not bind .* Address already in use/i.test(error.output))
        throw new StartupError(
          `启动失败：内置数据库的端口 ${options.port} 已被占用；请用 TAISHI_EMBEDDED_DB_PORT 换一个端口（0 自动选择）`,
          `Start-up failed: the embedded database's port ${options.port} is already in use; choose another with TAISHI_EMBEDDED_DB_PORT (0 picks a free one)`,
        );
      throw new StartupError(`启动失败：内置数据库未能启动（${said}）`, `Start-up failed: the embedded PostgreSQL did not start (${said})`);
    }
    return postmaster;
  }

  get up(): boolean {
    return this.upSince > 0;
  }

  get restarts(): number {
    return this.restartCount;
  }

  private async launch(): Promise<void> {
    const { postgres, dataDir, port, account } = this.options;
    const child = spawn(
      postgres,
      [
        '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', '',
        '-c', 'max_connections=60',
        // Sized for one box that also ingests logs: fewer forced checkpoints during bulk writes.
        '-c', 'shared_buffers=256MB',
        '-c', 'max_wal_size=2GB',
        '-c', 'checkpoint_timeout=15min',
      ],
      // Own process group: a Ctrl-C aimed at Taishi must not stop the database before Taishi
      // has flushed and closed its connections.
      { ...account, cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    this.child = child;
    await untilReady(child, this.options.readyTimeoutMs ?? 60_000);
    this.upSince = Date.now();
    child.once('exit', (code, signal) => this.exited(code, signal));
  }

  private exited(code: number | null, signal: string | null): void {
    const upFor = Date.now() - this.upSince;
    this.upSince = 0;
    if (this.stopping || !this.options.supervise) return;
    if (upFor > STABLE_MS) this.failures = 0;
    this.options.log('warn', `内置数据库已退出（${signal ?? `code ${code}`}），正在重启 / The embedded PostgreSQL exited (${signal ?? `code ${code}`}); restarting it`);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => void this.restart(), delay);
    this.retryTimer.unref();
  }

  private async restart(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopping) return;
    try {
      await this.launch();
    } catch (error) {
      if (this.stopping) return;
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures);
      this.options.log('warn', `内置数据库重启失败，${Math.round(delay / 1000)} 秒后重试 / Restarting the embedded PostgreSQL failed, retrying in ${Math.round(delay / 1000)} s: ${(error as Error).message}`);
      this.scheduleRestart();
      return;
    }
    this.restartCount++;
    this.options.log('log', `内置数据库已重启 / The embedded PostgreSQL is running again (restart ${this.restartCount})`);
  }

  /** PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  }
}
