import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lockouts per account name and source address instead of per account: failed logins from one
 * address lock that address out of that name, so anyone who can reach the login page can no longer
 * lock the administrator out. Names that do not exist are counted the same way, so a lockout says
 * nothing about whether an account exists.
 */
export class LoginLockouts1796429135106 implements MigrationInterface {
  name = 'LoginLockouts1796429135106';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_lockouts (
        account text NOT NULL,
        source text NOT NULL,
        failures integer NOT NULL,
        locked_until timestamptz,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (account, source)
      )`);
    await q.query(`CREATE INDEX login_lockouts_updated_idx ON login_lockouts (updated_at)`);
    await q.query(`ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz`);
    await q.query(`DROP TABLE login_lockouts`);
  }
}
