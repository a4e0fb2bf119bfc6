import type { Request } from 'express';
import type { RequestPrincipal } from '../shared/principal.js';
import { sessionCookieCredential } from './session-cookie.js';

/** What the early check learned, for the access guard to reuse instead of asking the database again. */
export type PreAuthenticatedRequest = Request & { preAuthenticated?: { credential: string; principal: RequestPrincipal } };

export function bearerCredential(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

/** The caller's credential: the Authorization header first, else the console's session cookie. */
export function requestCredential(req: Request): { credential: string; viaCookie: boolean } | undefined {
  const bearer = bearerCredential(req.headers.authorization);
  if (bearer) return { credential: bearer, viaCookie: false };
  const cookie = sessionCookieCredential(req);
  return cookie ? { credential: cookie, viaCookie: true } : undefined;
}
