import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Departments become a list an administrator keeps, so users and assets pick from it instead of
 * typing names that drift apart. Seeded from every department already named, so nothing breaks.
 */
export class Departments1796440000000 implements MigrationInterface {
  name = 'Departments1796440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE departments (name text PRIMARY KEY CHECK (length(btrim(name)) > 0), created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO departments (name) SELECT department FROM assets UNION SELECT department FROM users WHERE department IS NOT NULL ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE departments`);
  }
}
