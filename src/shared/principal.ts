import type { Language } from './localised.js';

export type { Language };

export const ROLES = ['admin', 'analyst', 'compliance', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const API_KEY_SCOPES = ['ingest'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * Who is making an HTTP request: a logged-in user or a collector's API key. `language` is what
 * they read: a user's setting, or what an API client asked for with Accept-Language.
 */
export type RequestPrincipal =
  | { kind: 'user'; id: string; username: string; role: Role; department: string | null; sessionId: string; language: Language }
  | { kind: 'api-key'; id: string; name: string; scopes: ApiKeyScope[]; language?: Language };

export type Principal =
  | RequestPrincipal
  /** An operator at the server's console running `taishi` commands: full rights, as an OS login already implies. */
  | { kind: 'cli'; name: string }
  /** Taishi itself acting on a policy, e.g. grouping alerts into incidents; named by the job. */
  | { kind: 'system'; name: string };

/** Who asked for a change and from where: what every audited service method needs. */
export interface Caller {
  principal: Principal;
  sourceIp: string | null;
}

/** The department an owner is confined to; undefined for roles that see every department. */
export function departmentScope(principal: Principal): string | undefined {
  return principal.kind === 'user' && principal.role === 'owner' ? (principal.department ?? '') : undefined;
}

/** The name the audit trail records for a principal. */
export function actorName(principal: Principal | undefined): string {
  if (!principal) return 'anonymous';
  if (principal.kind === 'cli') return `cli:${principal.name}`;
  if (principal.kind === 'system') return `taishi:${principal.name}`;
  return principal.kind === 'user' ? principal.username : `api-key:${principal.name}`;
}

export function actorRole(principal: Principal | undefined): string | null {
  if (!principal) return null;
  return principal.kind === 'user' ? principal.role : principal.kind;
}

/** The language a principal reads; zh-CN when nothing says otherwise (Taishi itself, the CLI). */
export function readerLanguage(principal: Principal | undefined): Language {
  return (principal && 'language' in principal && principal.language) || 'zh-CN';
}
