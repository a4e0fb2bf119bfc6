import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { ApiKeysRepository, type ApiKeyRow } from './api-keys.repository.js';
import { Database, type Sql } from '../database/index.js';
import { Clock, type DomainError } from '../shared/index.js';
import { authErrors } from './errors.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { accountKey, LoginLockoutsRepository } from './login-lockouts.repository.js';
import { AttemptWindow, ConcurrencyGate } from './login-throttle.js';
import type { RequestPrincipal } from '../shared/principal.js';
import { dummyPasswordHash, generatePassword, hashPassword, hashSecret, newSecret, verifyPassword } from './secrets.js';
import { UsersRepository, type SessionUser } from './users.repository.js';

/**
 * Failed logins one source address may make per minute, and failed logins on one name from
 * anywhere (a distributed guess); successful logins are not counted. The per-name limit is higher,
 * because while it holds, the name's owner is slowed down too.
 */
const FAILURES_PER_SOURCE_PER_MINUTE = 20;
const FAILURES_PER_ACCOUNT_PER_MINUTE = 30;
/** Password checks (scrypt) at once, and how many may wait for one. */
const PASSWORD_CHECKS_AT_ONCE = 2;
const PASSWORD_CHECKS_WAITING = 16;

function tooManyAttempts(retryAfterMs: number): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return authErrors.too_many_attempts({ retryAfterSeconds }, { retryAfterSeconds });
}

function lockedOut(until: Date): DomainError {
  return authErrors.locked_out({ until: until.toISOString() });
}
/**
 * API keys are checked on every collector request; a short cache keeps that off the database.
 * A revocation on this instance takes effect at once; on other instances within this time, or
 * once the database is back when it is down.
 */
const API_KEY_CACHE_MS = 30_000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');
  private readonly apiKeys = new Map<string, { principal: RequestPrincipal; until: number }>();
  private readonly lockouts = new LoginLockoutsRepository();
  private readonly users = new UsersRepository();
  private readonly keys = new ApiKeysRepository();
  private readonly perSource: AttemptWindow;
  private readonly perAccount: AttemptWindow;
  private readonly passwordChecks = new ConcurrencyGate(PASSWORD_CHECKS_AT_ONCE, PASSWORD_CHECKS_WAITING);
  private readonly throttled;

  constructor(
    private readonly db: Database,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    metrics: MetricsRegistry,
  ) {
    this.perSource = new AttemptWindow(FAILURES_PER_SOURCE_PER_MINUTE, 60_000, () => clock.nowMs());
    this.perAccount = new AttemptWindow(FAILURES_PER_ACCOUNT_PER_MINUTE, 60_000, () => clock.nowMs());
    this.throttled = metrics.counter('taishi_login_throttled_total', 'Login attempts refused before any password check, by what limited them (source, account, load)');
  }

  /** First start: with no users at all, create `admin` so someone can log in. */
  async ensureInitialAdmin(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.users.lockAgainstNewUsers(tx);
      if ((await this.users.count(tx)) > 0) return;
      const password = this.settings.TAISHI_ADMIN_PASSWORD ?? generatePassword();
      const id = await this.users.insert(tx, {
        username: 'admin',
        displayName: 'Administrator',
        email: null,
        role: 'admin',
        department: null,
        language: 'zh-CN',
        passwordHash: await hashPassword(password),
        disabled: false,
        updatedAt: new Date(),
      });
      await this.audit.record({ actor: 'system', action: 'user.create', targetType: 'user', targetId: id, after: { username: 'admin', role: 'admin' } }, tx);
      if (!this.settings.TAISHI_ADMIN_PASSWORD) {
        // Printed once on purpose: it is the only way in on a fresh install without the setting.
        process.stdout.write(
          `\n  首次启动：已创建管理员 admin，初始密码 / Initial admin password: ${password}\n  请登录后立即修改 / Change it after your first login.\n\n`,
        );
      }
    });
  }

  async login(username: string, password: string, sourceIp: string | null): Promise<{ token: string; expiresAt: string }> {
    const source = sourceIp ?? 'unknown';
    const account = accountKey(username);
    // Throttles first: they cost no database work and no password hashing.
    for (const [window, key] of [[this.perSource, source], [this.perAccount, account]] as const) {
      const verdict = window.take(key);
      if (!verdict.allowed) {
        this.throttled.inc({ by: window === this.perSource ? 'source' : 'account' });
        throw tooManyAttempts(verdict.retryAfterMs);
      }
    }
    const outcome = await this.passwordChecks.run(() => this.checkPassword(username, account, password, source, sourceIp));
    if (!outcome) {
      this.throttled.inc({ by: 'load' });
      throw tooManyAttempts(1_000);
    }
    if ('error' in outcome.value) throw outcome.value.error;
    this.perSource.forgive(source);
    this.perAccount.forgive(account);
    return outcome.value;
  }

  /**
   * Unknown, disabled and locked accounts take the same path as a wrong password: the same hash
   * work, the same answer, so neither the reply nor its timing tells whether a name exists.
   * The transaction commits failures too (counter, lock, audit record); the error is thrown after.
   */
  private checkPassword(username: string, account: string, password: string, source: string, sourceIp: string | null) {
    const now = new Date();
    return this.db.transaction(async (tx): Promise<{ token: string; expiresAt: string } | { error: DomainError }> => {
      const user = await this.users.byAccount(tx, account);
      const usable = user && !user.disabled ? user : undefined;
      const matches = await verifyPassword(password, usable?.passwordHash ?? (await dummyPasswordHash()));
      const refuse = async (reason: string, error: DomainError) => {
        await this.audit.record({ actor: username, action: 'auth.login', targetType: 'user', targetId: user?.id, outcome: 'failure', sourceIp, after: { reason } }, tx);
        return { error };
      };
      const lockedUntil = await this.lockouts.lockedUntil(tx, account, source, now);
      if (lockedUntil) return refuse('locked out', lockedOut(lockedUntil));
      if (!usable || !matches) {
        const locks = await this.recordFailure(tx, account, source, now);
        const reason = !user ? 'unknown user' : user.disabled ? 'account disabled' : 'wrong password';
        return refuse(locks ? `${reason}; locked out` : reason, authErrors.invalid_credentials());
      }
      await this.lockouts.clear(tx, account, source);
      const { secret, hash } = newSecret('tss');
      const expiresAt = new Date(now.getTime() + this.settings.TAISHI_SESSION_TTL_MINUTES * 60_000);
      const sessionId = await this.users.insertSession(tx, { userId: usable.id, tokenHash: hash, sourceIp, expiresAt });
      await this.audit.record({ actor: usable.username, action: 'auth.login', targetType: 'session', targetId: sessionId, sourceIp }, tx);
      return { token: secret, expiresAt: expiresAt.toISOString() };
    });
  }

  /** A failed password check (at login or when changing one's own password); true when it locks. */
  async recordFailure(sql: Sql, account: string, source: string, now: Date): Promise<boolean> {
    const lockedUntil = await this.lockouts.recordFailure(sql, account, source, now, this.settings.TAISHI_LOCKOUT_THRESHOLD, this.settings.TAISHI_LOCKOUT_MINUTES * 60_000);
    if (lockedUntil) this.logger.warn(`Login name ${account} locked for source ${source} until ${lockedUntil.toISOString()} after repeated failures`);
    return lockedUntil !== null;
  }

  /** Whether this source is locked out of this name (for checks of the current password outside login). */
  lockedUntil(sql: Sql, account: string, source: string): Promise<Date | null> {
    return this.lockouts.lockedUntil(sql, account, source, new Date());
  }

  async logout(principal: RequestPrincipal & { kind: 'user' }, sourceIp: string | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.users.revokeSession(tx, principal.sessionId, new Date());
      await this.audit.record({ principal, action: 'auth.logout', targetType: 'session', targetId: principal.sessionId, sourceIp }, tx);
    });
  }

  /** Called when a key is revoked, so this instance refuses it from the next request on. */
  forgetApiKey(id: string): void {
    for (const [hash, entry] of this.apiKeys) if (entry.principal.id === id) this.apiKeys.delete(hash);
  }

  /**
   * Resolves a bearer credential to a principal, or throws 401. When the database cannot be
   * reached, an API key verified before keeps working from the cache (collectors go on spooling
   * through an outage); anything else is 503 with Retry-After, never a 500.
   */
  async authenticate(credential: string): Promise<RequestPrincipal> {
    const hash = hashSecret(credential);
    if (credential.startsWith('tsk_')) {
      const cached = this.apiKeys.get(hash);
      if (cached && cached.until > this.clock.nowMs()) return cached.principal;
      let key: ApiKeyRow | undefined;
      try {
        key = await this.keys.activeByHash(this.db, hash);
        if (key) await this.keys.touch(this.db, key.id, new Date());
      } catch (error) {
        if (cached) return cached.principal;
        throw this.databaseUnavailable(error);
      }
      if (!key) {
        this.apiKeys.delete(hash);
        throw authErrors.api_key_invalid();
      }
      const principal: RequestPrincipal = { kind: 'api-key', id: key.id, name: key.name, scopes: key.scopes };
      if (this.apiKeys.size > 10_000) this.apiKeys.clear();
      this.apiKeys.set(hash, { principal, until: this.clock.nowMs() + API_KEY_CACHE_MS });
      return principal;
    }
    let user: SessionUser | undefined;
    try {
      user = await this.users.sessionUser(this.db, hash);
    } catch (error) {
      throw this.databaseUnavailable(error);
    }
    if (!user || user.disabled) throw authErrors.session_expired();
    return { kind: 'user', id: user.id, username: user.username, role: user.role, department: user.department, sessionId: user.sessionId, language: user.language };
  }

  private databaseUnavailable(error: unknown): DomainError {
    this.logger.warn(`Cannot check credentials: the database is unavailable (${error instanceof Error ? error.message : String(error)})`);
    return authErrors.database_unavailable({}, { retryAfterSeconds: 5 });
  }
}
