import type { Request, Response } from 'express';

/**
 * Browser sessions: the console keeps its session token in an HttpOnly cookie so page scripts
 * never hold it. A cookie rides along with cross-site requests too, so every state-changing
 * request authenticated by it must also carry a header a cross-site form cannot set.
 */
export const SESSION_COOKIE = 'taishi_session';
export const CSRF_HEADER = 'x-taishi-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session token from the request's cookie, if it carries one (API keys never travel in cookies). */
export function sessionCookieCredential(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = decodeURIComponent(part.slice(eq + 1).trim());
    return value.startsWith('tss_') ? value : undefined;
  }
  return undefined;
}

/** Whether a cookie-authenticated request may go ahead without the anti-forgery header. */
export function passesCsrfCheck(req: Request): boolean {
  return SAFE_METHODS.has(req.method) || req.headers[CSRF_HEADER] === '1';
}

export function setSessionCookie(req: Request, res: Response, token: string, expiresAt: Date): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}
