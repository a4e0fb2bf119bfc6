import { HttpException, HttpStatus, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { ApiKey, Session, User } from './entities.js';
import type { RequestPrincipal } from './roles.js';
import { dummyPasswordHash, generatePassword, hashPassword, hashSecret, newSecret, verifyPassword } from './secrets.js';

const INVALID_CREDENTIALS = 'Invalid username or password';
/**
 * API keys are checked on every collector request; a short cache keeps that off the database.
 * A revocation on this instance takes effect at once; on other instances within this time.
 */
const API_KEY_CACHE_MS = 30_000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');
  private readonly apiKeys = new Map<string, { principal: RequestPrincipal; until: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
  ) {}

  /** First start: with no users at all, create `admin` so someone can log in. */
  async ensureInitialAdmin(): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
      if ((await m.count(User)) > 0) return;
      const password = this.settings.TAISHI_ADMIN_PASSWORD ?? generatePassword();
      const user = await m.save(
        m.create(User, {
          username: 'admin',
          displayName: 'Administrator',
          role: 'admin',
          language: 'zh-CN',
          passwordHash: await hashPassword(password),
          failedLogins: 0,
          disabled: false,
          updatedAt: new Date(),
        }),
      );
      await this.audit.record({ actor: 'system', action: 'user.create', targetType: 'user', targetId: user.id, after: { username: 'admin', role: 'admin' } }, m);
      if (!this.settings.TAISHI_ADMIN_PASSWORD) {
        // Printed once on purpose: it is the only way in on a fresh install without the setting.
        process.stdout.write(
          `\n  首次启动：已创建管理员 admin，初始密码 / Initial admin password: ${password}\n  请登录后立即修改 / Change it after your first login.\n\n`,
        );
      }
    });
  }

  async login(username: string, password: string, sourceIp: string | null): Promise<{ token: string; expiresAt: string }> {
    const now = new Date();
    // The transaction commits failures too (counter, lock, audit record); the error is thrown after.
    const outcome = await this.dataSource.transaction(async (m) => {
      // Row lock: concurrent guesses must each count towards the lockout.
      const user = await m
        .getRepository(User)
        .createQueryBuilder('u')
        .setLock('pessimistic_write')
        .where('lower(u.username) = lower(:username)', { username })
        .getOne();
      const refuse = async (reason: string, error: HttpException) => {
        await this.audit.record({ actor: username, action: 'auth.login', targetType: 'user', targetId: user?.id, outcome: 'failure', sourceIp, after: { reason } }, m);
        return { error };
      };
      const invalid = new HttpException(INVALID_CREDENTIALS, HttpStatus.UNAUTHORIZED);
      if (!user) {
        await verifyPassword(password, await dummyPasswordHash());
        return refuse('unknown user', invalid);
      }
      if (user.lockedUntil && user.lockedUntil > now) {
        return refuse(
          'account locked',
          new HttpException(`Account locked until ${user.lockedUntil.toISOString()} after repeated failed logins`, HttpStatus.LOCKED),
        );
      }
      if (user.disabled) return refuse('account disabled', invalid);
      if (!(await verifyPassword(password, user.passwordHash))) {
        const failedLogins = user.failedLogins + 1;
        const locks = failedLogins >= this.settings.TAISHI_LOCKOUT_THRESHOLD;
        const lockedUntil = locks ? new Date(now.getTime() + this.settings.TAISHI_LOCKOUT_MINUTES * 60_000) : null;
        await m.update(User, user.id, { failedLogins: locks ? 0 : failedLogins, lockedUntil });
        if (locks) this.logger.warn(`Account ${user.username} locked for ${this.settings.TAISHI_LOCKOUT_MINUTES} min after ${failedLogins} failed logins`);
        return refuse(locks ? 'wrong password; account locked' : 'wrong password', invalid);
      }
      await m.update(User, user.id, { failedLogins: 0, lockedUntil: null });
      const { secret, hash } = newSecret('tss');
      const expiresAt = new Date(now.getTime() + this.settings.TAISHI_SESSION_TTL_MINUTES * 60_000);
      const session = await m.save(m.create(Session, { userId: user.id, tokenHash: hash, sourceIp, expiresAt }));
      await this.audit.record({ actor: user.username, action: 'auth.login', targetType: 'session', targetId: session.id, sourceIp }, m);
      return { token: secret, expiresAt: expiresAt.toISOString() };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome;
  }

  async logout(principal: RequestPrincipal & { kind: 'user' }, sourceIp: string | null): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.update(Session, { id: principal.sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
      await this.audit.record({ principal, action: 'auth.logout', targetType: 'session', targetId: principal.sessionId, sourceIp }, m);
    });
  }

  /** Called when a key is revoked, so this instance refuses it from the next request on. */
  forgetApiKey(id: string): void {
    for (const [hash, entry] of this.apiKeys) if (entry.principal.id === id) this.apiKeys.delete(hash);
  }

  /** Resolves a bearer credential to a principal, or throws 401. */
  async authenticate(credential: string): Promise<RequestPrincipal> {
    const hash = hashSecret(credential);
    if (credential.startsWith('tsk_')) {
      const cached = this.apiKeys.get(hash);
      if (cached && cached.until > Date.now()) return cached.principal;
      const key = await this.dataSource.getRepository(ApiKey).findOneBy({ keyHash: hash, revokedAt: IsNull() });
      if (!key) {
        this.apiKeys.delete(hash);
        throw new UnauthorizedException('Unknown or revoked API key');
      }
      await this.dataSource.getRepository(ApiKey).update(key.id, { lastUsedAt: new Date() });
      const principal: RequestPrincipal = { kind: 'api-key', id: key.id, name: key.name, scopes: key.scopes };
      if (this.apiKeys.size > 10_000) this.apiKeys.clear();
      this.apiKeys.set(hash, { principal, until: Date.now() + API_KEY_CACHE_MS });
      return principal;
    }
    const row = await this.dataSource
      .getRepository(Session)
      .createQueryBuilder('s')
      .innerJoinAndMapOne('s.user', User, 'u', 'u.id = s.user_id')
      .where('s.token_hash = :hash AND s.revoked_at IS NULL AND s.expires_at > now()', { hash })
      .getOne();
    const user = (row as (Session & { user?: User }) | null)?.user;
    if (!row || !user || user.disabled) throw new UnauthorizedException('Session expired or invalid; log in again');
    return { kind: 'user', id: user.id, username: user.username, role: user.role, department: user.department, sessionId: row.id, language: user.language };
  }
}
