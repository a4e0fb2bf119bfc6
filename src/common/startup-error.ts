/**
 * A reason the service cannot start that the person starting it can fix: said in one line,
 * Chinese first, naming the setting or step that fixes it. No stack: the stack is ours, not theirs.
 */
export class StartupError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
  }
}

/** The short reason of a failed file-system or socket call: "EACCES: permission denied". */
export function systemReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (!e?.code) return String((error as Error)?.message ?? error).split('\n')[0];
  const text = /^\w+: ([^,]+)/.exec(e.message)?.[1] ?? e.message;
  return `${e.code}: ${text}`;
}

interface ListenerError {
  code?: string;
  port?: number;
  address?: string;
}

/**
 * A listener that could not bind, as a StartupError naming the setting that moves it, or
 * undefined when the error is not a bind failure.
 */
export function listenFailure(error: unknown, what: string, portSetting: string, hostSetting: string): StartupError | undefined {
  const { code, port, address } = (error ?? {}) as ListenerError;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `启动失败：端口 ${port}（${what}）已被其他程序占用；请停止该程序，或用 ${portSetting} 换一个端口`,
        `Start-up failed: port ${port} (${what}) is already in use by another program; stop it, or choose another port with ${portSetting}`,
      );
    case 'EACCES':
      return new StartupError(
        `启动失败：无权监听端口 ${port}（${what}），1024 以下的端口需要 root 权限；请用 ${portSetting} 换一个端口`,
        `Start-up failed: not allowed to listen on port ${port} (${what}); ports below 1024 need root, so choose another with ${portSetting}`,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(
        `启动失败：地址 ${address} 不属于本机（${what}）；请检查 ${hostSetting}`,
        `Start-up failed: address ${address} is not one of this machine's (${what}); check ${hostSetting}`,
      );
    default:
      return undefined;
  }
}
