import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { authErrors } from './errors.js';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ACCESS_POLICY, type AccessPolicy } from '../common/index.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { AuthService } from './auth.service.js';
import { requestCredential, type PreAuthenticatedRequest } from './credentials.js';
import type { RequestPrincipal } from '../shared/principal.js';
import { languageFromAcceptLanguage } from '../shared/index.js';
import { clearSessionCookie, CSRF_HEADER, passesCsrfCheck } from './session-cookie.js';

export type AuthenticatedRequest = Request & { principal?: RequestPrincipal };

/** Global guard: authenticates the bearer credential (or session cookie) and enforces the route's declared policy. */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!policy) {
      // Fail closed: a route someone forgot to annotate is not open to anyone.
      this.logger.error(`Route ${request.method} ${request.path} has no access policy; refusing`);
      throw authErrors.no_access_policy();
    }
    if (policy.public || (policy.publicWhen && this.settings[policy.publicWhen] === true)) return true;
    const found = requestCredential(request);
    if (!found) throw authErrors.login_required();
    let principal: RequestPrincipal;
    try {
      const early = (request as PreAuthenticatedRequest).preAuthenticated;
      principal = early?.credential === found.credential ? early.principal : await this.auth.authenticate(found.credential);
    } catch (error) {
      // A dead session cookie is removed, so the browser stops sending it.
      if (found.viaCookie) clearSessionCookie(request, context.switchToHttp().getResponse<Response>());
      throw error;
    }
    if (found.viaCookie && !passesCsrfCheck(request)) {
      throw authErrors.csrf_header_required({ header: CSRF_HEADER });
    }
    // API clients have no language setting: they say what they read, per request.
    request.principal = principal.kind === 'api-key' ? { ...principal, language: languageFromAcceptLanguage(request.headers['accept-language']) } : principal;
    const allowed =
      principal.kind === 'user' ? policy.roles.includes(principal.role) : principal.scopes.some((s) => policy.scopes.includes(s));
    if (!allowed) throw principal.kind === 'user' ? authErrors.role_forbidden({ role: principal.role }) : authErrors.scope_forbidden();
    return true;
  }
}
