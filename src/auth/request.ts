import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './access.guard.js';
import type { RequestPrincipal } from '../shared/principal.js';

/** The authenticated caller; routes using it are never public, so it is always set. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestPrincipal => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal!;
});

/** The caller's address as the audit trail records it (honours TAISHI_TRUST_PROXY via express). */
export const SourceIp = createParamDecorator((_: unknown, ctx: ExecutionContext): string | null => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().ip ?? null;
});
