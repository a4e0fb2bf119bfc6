import { Injectable } from '@nestjs/common';
import { authErrors } from './errors.js';
import { AuditService } from '../audit/index.js';
import { Database, isUniqueViolation, type Sql } from '../database/index.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { CreateApiKeyDto, CreateUserDto, UpdateMeDto, UpdateUserDto } from './dto.js';
import { AuthService } from './auth.service.js';
import { accountKey, LoginLockoutsRepository } from './login-lockouts.repository.js';
import { listedDepartment } from '../shared/index.js';
import type { Caller, Principal, RequestPrincipal } from '../shared/principal.js';
import { hashPassword, newSecret, verifyPassword } from './secrets.js';
import { UsersRepository, type UserChanges, type UserRow } from './users.repository.js';
import { publicApiKey, publicUser } from './views.js';

type UserPrincipal = Principal & { kind: 'user' };

@Injectable()
export class UsersService {
  private readonly lockouts = new LoginLockoutsRepository();
  private readonly users = new UsersRepository();
  private readonly keys = new ApiKeysRepository();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  async list() {
    const users = await this.users.list(this.db);
    const locked = await this.lockouts.lockedAccounts(this.db, new Date());
    return users.map((u) => publicUser(u, locked.get(accountKey(u.username)) ?? null));
  }

  /** Who incident work may be assigned to: active analysts and administrators, by name only. */
  async assignees(): Promise<{ id: string; username: string; displayName: string; role: string }[]> {
    const users = await this.users.list(this.db, { activeOnly: true });
    return users.filter((u) => u.role === 'analyst' || u.role === 'admin').map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, role: u.role }));
  }

  async get(id: string) {
    const user = await this.find(this.db, id);
    const locked = await this.lockouts.lockedAccounts(this.db, new Date());
    return publicUser(user, locked.get(accountKey(user.username)) ?? null);
  }

  /** Who is calling: the key, or the user with the expiry of this session (the console schedules its "session expired" screen from it). */
  async me(principal: RequestPrincipal) {
    if (principal.kind === 'api-key') return publicApiKey(found(await this.keys.find(this.db, principal.id), 'api key', principal.id));
    const user = publicUser(found(await this.users.find(this.db, principal.id), 'user', principal.id));
    const sessionExpiresAt = found(await this.users.sessionExpiry(this.db, principal.sessionId), 'session', principal.sessionId);
    return { ...user, sessionExpiresAt: sessionExpiresAt.toISOString() };
  }

  private async find(sql: Sql, id: string): Promise<UserRow> {
    const user = await this.users.find(sql, id);
    if (!user) throw authErrors.user_not_found({ id });
    return user;
  }

  async create(dto: CreateUserDto, caller: Caller) {
    try {
      return await this.db.transaction(async (tx) => {
        const fields = {
          username: dto.username,
          displayName: dto.displayName ?? dto.username,
          email: dto.email ?? null,
          role: dto.role,
          department: dto.department === undefined ? null : await this.listedDepartment(tx, dto.department),
          language: dto.language ?? 'zh-CN',
          passwordHash: await hashPassword(dto.password),
          disabled: false,
          updatedAt: new Date(),
        };
        const id = await this.users.insert(tx, fields);
        const view = publicUser({ ...fields, id, timeZone: null });
        await this.audit.record({ ...caller, action: 'user.create', targetType: 'user', targetId: id, after: view }, tx);
        return view;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw authErrors.username_taken({ username: dto.username });
      throw error;
    }
  }

  async update(id: string, dto: UpdateUserDto, caller: Caller) {
    return this.db.transaction(async (tx) => {
      const department = dto.department === undefined ? undefined : await this.listedDepartment(tx, dto.department);
      const user = await this.find(tx, id);
      const before = publicUser(user);
      const changes: UserChanges = { ...(Object.fromEntries(Object.entries({ ...dto, department }).filter(([, v]) => v !== undefined)) as UpdateUserDto), updatedAt: new Date() };
      Object.assign(user, changes);
      if (user.role === 'owner' && !user.department) throw authErrors.owner_needs_department();
      if (caller.principal.kind === 'user' && caller.principal.id === id && (user.role !== 'admin' || user.disabled)) {
        throw authErrors.no_self_demotion();
      }
      await this.users.update(tx, id, changes);
      if (user.disabled) await this.users.revokeSessionsOf(tx, id, new Date());
      const after = publicUser(user);
      await this.audit.record({ ...caller, action: 'user.update', targetType: 'user', targetId: id, before, after }, tx);
      return after;
    });
  }

  /** The department as the list spells it, held until the write commits; one not listed is refused. */
  private async listedDepartment(tx: Sql, written: string): Promise<string> {
    const listed = listedDepartment(await this.users.heldDepartments(tx), written);
    if (listed === undefined) throw authErrors.department_unknown({ department: written });
    return listed;
  }

  async resetPassword(id: string, password: string, caller: Caller) {
    await this.db.transaction(async (tx) => {
      const user = await this.find(tx, id);
      await this.users.update(tx, id, { passwordHash: await hashPassword(password), passwordChangedAt: new Date(), updatedAt: new Date() });
      await this.lockouts.clearAccount(tx, accountKey(user.username));
      // A reset password means the old one may be known: end every session made with it.
      await this.users.revokeSessionsOf(tx, id, new Date());
      await this.audit.record({ ...caller, action: 'user.password-reset', targetType: 'user', targetId: id }, tx);
    });
  }

  async unlock(id: string, caller: Caller) {
    await this.db.transaction(async (tx) => {
      const user = await this.find(tx, id);
      await this.lockouts.clearAccount(tx, accountKey(user.username));
      await this.audit.record({ ...caller, action: 'user.unlock', targetType: 'user', targetId: id }, tx);
    });
  }

  /**
   * A wrong current password counts towards the lockout of this name from this address, like a
   * failed login, and is audited; otherwise a stolen session could guess the password freely.
   */
  async updateMe(principal: UserPrincipal, dto: UpdateMeDto, sourceIp: string | null) {
    const outcome = await this.db.transaction(async (tx) => {
      const user = found(await this.users.find(tx, principal.id), 'user', principal.id);
      const before = publicUser(user);
      const changes: UserChanges = {};
      if (dto.newPassword !== undefined) {
        const account = accountKey(user.username);
        const source = sourceIp ?? 'unknown';
        const lockedUntil = await this.auth.lockedUntil(tx, account, source);
        const matches = dto.currentPassword !== undefined && (await verifyPassword(dto.currentPassword, user.passwordHash));
        if (lockedUntil || !matches) {
          if (!lockedUntil) await this.auth.recordFailure(tx, account, source, new Date());
          await this.audit.record({ principal, sourceIp, action: 'user.password-change', targetType: 'user', targetId: user.id, outcome: 'failure', after: { reason: lockedUntil ? 'locked out' : 'current password wrong' } }, tx);
          return { error: lockedUntil ? authErrors.password_locked_out({ until: lockedUntil.toISOString() }) : authErrors.current_password_wrong() };
        }
        await this.lockouts.clear(tx, account, source);
        changes.passwordHash = await hashPassword(dto.newPassword);
        changes.passwordChangedAt = new Date();
        await this.users.revokeSessionsOf(tx, user.id, new Date());
      }
      if (dto.language) changes.language = dto.language;
      if (dto.timeZone !== undefined) changes.timeZone = dto.timeZone;
      if (dto.displayName !== undefined) changes.displayName = dto.displayName;
      changes.updatedAt = new Date();
      await this.users.update(tx, user.id, changes);
      const after = publicUser({ ...user, ...changes });
      await this.audit.record({ principal, sourceIp, action: dto.newPassword ? 'user.password-change' : 'user.update-self', targetType: 'user', targetId: user.id, before, after }, tx);
      return { after };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.after;
  }

  async listApiKeys() {
    return (await this.keys.list(this.db)).map(publicApiKey);
  }

  /** The only time the key itself is returned; afterwards only its hash exists. */
  async createApiKey(dto: CreateApiKeyDto, caller: Caller) {
    const { secret, hash } = newSecret('tsk');
    return this.db.transaction(async (tx) => {
      const fields = {
        name: dto.name,
        prefix: secret.slice(0, 12),
        keyHash: hash,
        scopes: [...new Set(dto.scopes)],
        createdBy: caller.principal.kind === 'user' ? caller.principal.id : null,
      };
      const id = await this.keys.insert(tx, fields);
      const view = publicApiKey({ ...fields, id });
      await this.audit.record({ ...caller, action: 'api-key.create', targetType: 'api-key', targetId: id, after: view }, tx);
      return { ...view, key: secret };
    });
  }

  async revokeApiKey(id: string, caller: Caller) {
    await this.db.transaction(async (tx) => {
      if (!(await this.keys.revoke(tx, id, new Date()))) throw authErrors.api_key_not_found({ id });
      await this.audit.record({ ...caller, action: 'api-key.revoke', targetType: 'api-key', targetId: id }, tx);
    });
    this.auth.forgetApiKey(id);
  }
}

/** Rows the caller's own credential names: gone only if removed since it was checked. */
function found<T>(row: T | undefined, what: string, id: string): T {
  if (row === undefined) throw new Error(`No ${what} ${id}`);
  return row;
}
