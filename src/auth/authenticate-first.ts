import type { NextFunction, Request, Response } from 'express';
import { requestCredential, type PreAuthenticatedRequest } from './credentials.js';
import { authErrors } from './errors.js';
import type { AuthService } from './auth.service.js';

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Nobody gets a request body read, let alone parsed, before they have proved who they are: an
 * anonymous request with a body (other than to a public route such as login) is refused at once
 * and its connection closed, so anonymous megabytes can no longer occupy the service. The route's
 * access policy is still enforced by the guard afterwards.
 */
export function authenticateBeforeBody(auth: AuthService, publicRoutes: readonly { method: string; path: string }[]) {
  return async (req: PreAuthenticatedRequest, res: Response, next: NextFunction) => {
    const path = req.originalUrl.split('?')[0];
    if (!hasBody(req) || publicRoutes.some((r) => r.method === req.method && r.path === path)) return next();
    const found = requestCredential(req);
    try {
      if (!found) throw authErrors.login_required();
      req.preAuthenticated = { credential: found.credential, principal: await auth.authenticate(found.credential) };
      next();
    } catch (error) {
      // The body stays unread: close the connection rather than drain it.
      res.setHeader('Connection', 'close');
      next(error);
    }
  };
}
