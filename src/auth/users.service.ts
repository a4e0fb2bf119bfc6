import { Injectable } from '@nestjs/common';
import { authErrors } from './errors.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/index.js';
import { isUniqueViolation } from '../database/index.js';
import type { CreateApiKeyDto, CreateUserDto, UpdateMeDto, UpdateUserDto } from './dto.js';
import { AuthService } from './auth.service.js';
import { ApiKey, publicApiKey, publicUser, Session, User } from './entities.js';
import { accountKey, LoginLockoutsRepository } from './login-lockouts.repository.js';
import type { Caller, Principal, RequestPrincipal } from '../shared/principal.js';
import { hashPassword, newSecret, verifyPassword } from './secrets.js';

type UserPrincipal = Principal & { kind: 'user' };

@Injectable()
export class UsersService {
  private readonly lockouts = new LoginLockoutsRepository();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  async list() {
    const users = await this.dataSource.getRepository(User).find({ order: { username: 'ASC' } });
    const locked = await this.lockouts.lockedAccounts(this.dataSource.manager, new Date());
    return users.map((u) => publicUser(u, locked.get(accountKey(u.username)) ?? null));
  }

  /** Who incident work may be assigned to: active analysts and administrators, by name only. */
  async assignees(): Promise<{ id: string; username: string; displayName: string; role: string }[]> {
    const users = await this.dataSource.getRepository(User).find({ where: { disabled: false }, order: { username: 'ASC' } });
    return users.filter((u) => u.role === 'analyst' || u.role === 'admin').map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, role: u.role }));
  }

  async get(id: string) {
    const user = await this.find(id);
    const locked = await this.lockouts.lockedAccounts(this.dataSource.manager, new Date());
    return publicUser(user, locked.get(accountKey(user.username)) ?? null);
  }

  /** Who is calling: the key, or the user with the expiry of this session (the console schedules its "session expired" screen from it). */
  async me(principal: RequestPrincipal) {
    if (principal.kind === 'api-key') return publicApiKey(await this.dataSource.getRepository(ApiKey).findOneByOrFail({ id: principal.id }));
    const user = publicUser(await this.dataSource.getRepository(User).findOneByOrFail({ id: principal.id }));
    const session = await this.dataSource.getRepository(Session).findOneByOrFail({ id: principal.sessionId });
    return { ...user, sessionExpiresAt: session.expiresAt.toISOString() };
  }

  private async find(id: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id });
    if (!user) throw authErrors.user_not_found({ id });
    return user;
  }

  async create(dto: CreateUserDto, caller: Caller) {
    try {
      return await this.dataSource.transaction(async (m) => {
        const user = await m.save(
          m.create(User, {
            username: dto.username,
            displayName: dto.displayName ?? dto.username,
            email: dto.email ?? null,
            role: dto.role,
            department: dto.department ?? null,
            language: dto.language ?? 'zh-CN',
            passwordHash: await hashPassword(dto.password),
            disabled: false,
            updatedAt: new Date(),
          }),
        );
        const view = publicUser(user);
        await this.audit.record({ ...caller, action: 'user.create', targetType: 'user', targetId: user.id, after: view }, m);
        return view;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw authErrors.username_taken({ username: dto.username });
      throw error;
    }
  }

  async update(id: string, dto: UpdateUserDto, caller: Caller) {
    return this.dataSource.transaction(async (m) => {
      const user = await m.findOneBy(User, { id });
      if (!user) throw authErrors.user_not_found({ id });
      const before = publicUser(user);
      Object.assign(user, Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)), { updatedAt: new Date() });
      if (user.role === 'owner' && !user.department) throw authErrors.owner_needs_department();
      if (caller.principal.kind === 'user' && caller.principal.id === id && (user.role !== 'admin' || user.disabled)) {
        throw authErrors.no_self_demotion();
      }
      await m.save(user);
      if (user.disabled) await m.update(Session, { userId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
      const after = publicUser(user);
      await this.audit.record({ ...caller, action: 'user.update', targetType: 'user', targetId: id, before, after }, m);
      return after;
    });
  }

  async resetPassword(id: string, password: string, caller: Caller) {
    await this.dataSource.transaction(async (m) => {
      const user = await m.findOneBy(User, { id });
      if (!user) throw authErrors.user_not_found({ id });
      await m.update(User, id, { passwordHash: await hashPassword(password), passwordChangedAt: new Date(), updatedAt: new Date() });
      await this.lockouts.clearAccount(m, accountKey(user.username));
      // A reset password means the old one may be known: end every session made with it.
      await m.update(Session, { userId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
      await this.audit.record({ ...caller, action: 'user.password-reset', targetType: 'user', targetId: id }, m);
    });
  }

  async unlock(id: string, caller: Caller) {
    await this.dataSource.transaction(async (m) => {
      const user = await m.findOneBy(User, { id });
      if (!user) throw authErrors.user_not_found({ id });
      await this.lockouts.clearAccount(m, accountKey(user.username));
      await this.audit.record({ ...caller, action: 'user.unlock', targetType: 'user', targetId: id }, m);
    });
  }

  /**
   * A wrong current password counts towards the lockout of this name from this address, like a
   * failed login, and is audited; otherwise a stolen session could guess the password freely.
   */
  async updateMe(principal: UserPrincipal, dto: UpdateMeDto, sourceIp: string | null) {
    const outcome = await this.dataSource.transaction(async (m) => {
      const user = await m.findOneByOrFail(User, { id: principal.id });
      const before = publicUser(user);
      if (dto.newPassword !== undefined) {
        const account = accountKey(user.username);
        const source = sourceIp ?? 'unknown';
        const lockedUntil = await this.auth.lockedUntil(m, account, source);
        const matches = dto.currentPassword !== undefined && (await verifyPassword(dto.currentPassword, user.passwordHash));
        if (lockedUntil || !matches) {
          if (!lockedUntil) await this.auth.recordFailure(m, account, source, new Date());
          await this.audit.record({ principal, sourceIp, action: 'user.password-change', targetType: 'user', targetId: user.id, outcome: 'failure', after: { reason: lockedUntil ? 'locked out' : 'current password wrong' } }, m);
          return { error: lockedUntil ? authErrors.password_locked_out({ until: lockedUntil.toISOString() }) : authErrors.current_password_wrong() };
        }
        await this.lockouts.clear(m, account, source);
        user.passwordHash = await hashPassword(dto.newPassword);
        user.passwordChangedAt = new Date();
        await m.update(Session, { userId: user.id, revokedAt: IsNull() }, { revokedAt: new Date() });
      }
      if (dto.language) user.language = dto.language;
      if (dto.timeZone !== undefined) user.timeZone = dto.timeZone;
      if (dto.displayName !== undefined) user.displayName = dto.displayName;
      user.updatedAt = new Date();
      await m.save(user);
      const after = publicUser(user);
      await this.audit.record({ principal, sourceIp, action: dto.newPassword ? 'user.password-change' : 'user.update-self', targetType: 'user', targetId: user.id, before, after }, m);
      return { after };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.after;
  }

  async listApiKeys() {
    return (await this.dataSource.getRepository(ApiKey).find({ order: { createdAt: 'DESC' } })).map(publicApiKey);
  }

  /** The only time the key itself is returned; afterwards only its hash exists. */
  async createApiKey(dto: CreateApiKeyDto, caller: Caller) {
    const { secret, hash } = newSecret('tsk');
    return this.dataSource.transaction(async (m) => {
      const key = await m.save(
        m.create(ApiKey, {
          name: dto.name,
          prefix: secret.slice(0, 12),
          keyHash: hash,
          scopes: [...new Set(dto.scopes)],
          createdBy: caller.principal.kind === 'user' ? caller.principal.id : null,
        }),
      );
      const view = publicApiKey(key);
      await this.audit.record({ ...caller, action: 'api-key.create', targetType: 'api-key', targetId: key.id, after: view }, m);
      return { ...view, key: secret };
    });
  }

  async revokeApiKey(id: string, caller: Caller) {
    await this.dataSource.transaction(async (m) => {
      const result = await m.update(ApiKey, { id, revokedAt: IsNull() }, { revokedAt: new Date() });
      if (!result.affected) throw authErrors.api_key_not_found({ id });
      await this.audit.record({ ...caller, action: 'api-key.revoke', targetType: 'api-key', targetId: id }, m);
    });
    this.auth.forgetApiKey(id);
  }
}
