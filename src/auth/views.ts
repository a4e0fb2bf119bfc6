import type { ApiKeyRow } from './api-keys.repository.js';
import type { UserRow } from './users.repository.js';

/**
 * What the API shows of a user: never the password hash; `lockedUntil` is the latest lockout from any address.
 * A user or key just created is shown as it was written, without `createdAt` (the database sets it).
 */
export function publicUser(user: Pick<UserRow, 'id' | 'username' | 'displayName' | 'email' | 'role' | 'department' | 'language' | 'timeZone' | 'disabled'> & { createdAt?: Date }, lockedUntil: Date | null = null) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    role: user.role,
    department: user.department,
    language: user.language,
    timeZone: user.timeZone ?? null,
    disabled: user.disabled,
    lockedUntil: lockedUntil?.toISOString() ?? null,
    createdAt: user.createdAt?.toISOString(),
  };
}

export function publicApiKey(key: Pick<ApiKeyRow, 'id' | 'name' | 'prefix' | 'scopes'> & Partial<Pick<ApiKeyRow, 'createdAt' | 'lastUsedAt' | 'revokedAt'>>) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt?.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
