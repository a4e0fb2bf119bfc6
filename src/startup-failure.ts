import { listenFailure, StartupError } from './common/startup-error.js';
import { ConfigError, type Settings } from './config/index.js';

interface SocketError {
  code?: string;
  syscall?: string;
  port?: number;
}

/**
 * Which syslog listener a bind failure came from. UDP binds with `bind`, TCP and TLS with
 * `listen`; TLS is told from TCP by its port (the same port for both is refused anyway).
 */
function syslogListener(error: SocketError, settings: Settings): [what: string, setting: string] | undefined {
  if (error.syscall === 'bind' && error.port === settings.TAISHI_SYSLOG_UDP_PORT) return ['syslog UDP', 'TAISHI_SYSLOG_UDP_PORT'];
  if (error.syscall !== 'listen') return undefined;
  if (error.port === settings.TAISHI_SYSLOG_TLS_PORT && error.port !== settings.TAISHI_SYSLOG_TCP_PORT) return ['syslog TLS', 'TAISHI_SYSLOG_TLS_PORT'];
  if (error.port === settings.TAISHI_SYSLOG_TCP_PORT) return ['syslog TCP', 'TAISHI_SYSLOG_TCP_PORT'];
  return undefined;
}

/**
 * What a failed start prints: one line, Chinese first, naming the setting that fixes it when
 * there is one; and the exit code (2 for a bad setting, 1 otherwise).
 */
export function describeStartupFailure(error: unknown, settings: Settings | undefined): { line: string; exitCode: number } {
  if (error instanceof ConfigError) return { line: `配置错误 / Configuration error: ${error.message}`, exitCode: 2 };
  if (error instanceof StartupError) return { line: error.message, exitCode: 1 };
  const syslog = settings && syslogListener(error as SocketError, settings);
  const bindFailure = syslog && listenFailure(error, syslog[0], syslog[1], 'TAISHI_SYSLOG_HOST');
  if (bindFailure) return { line: `${bindFailure.zh}（设为 off 可关闭） / ${bindFailure.en} (off disables it)`, exitCode: 1 };
  const said = String((error as Error)?.message ?? error).split('\n')[0];
  return { line: `启动失败 / Start-up failed: ${said}（TAISHI_LOG_LEVEL=debug 显示详情 / TAISHI_LOG_LEVEL=debug shows the details）`, exitCode: 1 };
}
