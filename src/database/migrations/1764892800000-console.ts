import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The console remembers each user's display time zone; null means the default, Asia/Shanghai. */
export class Console1764892800000 implements MigrationInterface {
  name = 'Console1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN time_zone text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN time_zone`);
  }
}
