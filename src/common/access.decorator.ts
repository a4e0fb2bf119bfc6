import { SetMetadata } from '@nestjs/common';
import type { SettingName } from '../config/index.js';
import type { ApiKeyScope, Role } from '../shared/principal.js';

/**
 * Every route declares who may call it. A route without a policy is refused (and the RBAC matrix
 * test fails), so forgetting the decorator can never open a route.
 */
export type AccessPolicy = { public: true } | { public: false; roles: Role[]; scopes: ApiKeyScope[]; publicWhen?: SettingName };

export const ACCESS_POLICY = 'taishi:access-policy';

export const Access = {
  /** No authentication: health probes only. */
  public: () => SetMetadata(ACCESS_POLICY, { public: true } satisfies AccessPolicy),
  /** Logged-in users with one of these roles. */
  roles: (...roles: Role[]) => SetMetadata(ACCESS_POLICY, { public: false, roles, scopes: [] } satisfies AccessPolicy),
  /** API keys carrying this scope (and, optionally, users with these roles). */
  scope: (scope: ApiKeyScope, ...roles: Role[]) =>
    SetMetadata(ACCESS_POLICY, { public: false, roles, scopes: [scope] } satisfies AccessPolicy),
  /** These roles, or anyone when the named boolean setting is true (e.g. metrics on a trusted network). */
  rolesUnless: (setting: SettingName, ...roles: Role[]) =>
    SetMetadata(ACCESS_POLICY, { public: false, roles, scopes: [], publicWhen: setting } satisfies AccessPolicy),
};
