import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/index.js';
import type { Caller } from '../shared/principal.js';
import { departmentErrors } from './errors.js';

export interface DepartmentView {
  name: string;
  assets: number;
  users: number;
}

/** Spaces at either end and letter case do not make another department. */
const comparable = (name: string) => name.normalize('NFKC').trim().toLowerCase();

/**
 * The departments an administrator keeps. Renaming carries every asset and user along in the same
 * transaction; a department still holding any cannot be removed.
 */
@Injectable()
export class DepartmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<DepartmentView[]> {
    const rows = (await this.dataSource.query(
      `SELECT d.name,
              (SELECT count(*) FROM assets a WHERE a.department = d.name)::int AS assets,
              (SELECT count(*) FROM users u WHERE u.department = d.name)::int AS users
       FROM departments d ORDER BY d.name`,
    )) as DepartmentView[];
    return rows;
  }

  /**
   * The listed name a written one stands for (ignoring spaces at the ends, width and case), if any.
   * With `proposeNew`, a name not listed stands for a department to add, spelt as first written
   * (trimmed), so that '公安局' and ' 公安局' in one file add one department.
   */
  async resolve(written: string[], proposeNew = false): Promise<{ listed: Map<string, string>; proposed: Set<string> }> {
    const names = ((await this.dataSource.query(`SELECT name FROM departments`)) as { name: string }[]).map((r) => r.name);
    const byComparable = new Map(names.map((n) => [comparable(n), n]));
    const listed = new Map<string, string>();
    const proposed = new Set<string>();
    for (const w of written) {
      const known = byComparable.get(comparable(w));
      if (known !== undefined) listed.set(w, known);
      else if (proposeNew && w.trim()) {
        const name = w.trim();
        byComparable.set(comparable(name), name);
        proposed.add(name);
        listed.set(w, name);
      }
    }
    return { listed, proposed };
  }

  /** Lists departments an administrator's import named, inside the import's own transaction. */
  async addDuringImport(m: EntityManager, names: Iterable<string>): Promise<void> {
    for (const name of names) await m.query(`INSERT INTO departments (name) VALUES ($1) ON CONFLICT DO NOTHING`, [name]);
  }

  async add(name: string, caller: Caller): Promise<DepartmentView> {
    return this.audit.change(async (m) => {
      await this.assertFree(m, name);
      await m.query(`INSERT INTO departments (name) VALUES ($1)`, [name]);
      return { result: { name, assets: 0, users: 0 }, record: { ...caller, action: 'department.create', targetType: 'department', targetId: name, after: { name } } };
    });
  }

  async rename(from: string, to: string, caller: Caller): Promise<DepartmentView> {
    return this.audit.change(async (m) => {
      await this.assertExists(m, from);
      if (comparable(from) !== comparable(to)) await this.assertFree(m, to);
      await m.query(`UPDATE departments SET name = $2 WHERE name = $1`, [from, to]);
      const assets = (await m.query(`UPDATE assets SET department = $2, updated_at = now() WHERE department = $1`, [from, to]))[1] as number;
      const users = (await m.query(`UPDATE users SET department = $2 WHERE department = $1`, [from, to]))[1] as number;
      return { result: { name: to, assets, users }, record: { ...caller, action: 'department.rename', targetType: 'department', targetId: to, before: { name: from }, after: { name: to, assets, users } } };
    });
  }

  async remove(name: string, caller: Caller): Promise<void> {
    await this.audit.change(async (m) => {
      await this.assertExists(m, name);
      const [{ assets, users }] = (await m.query(
        `SELECT (SELECT count(*) FROM assets WHERE department = $1)::int AS assets, (SELECT count(*) FROM users WHERE department = $1)::int AS users`,
        [name],
      )) as { assets: number; users: number }[];
      if (assets || users) throw departmentErrors.in_use({ name, assets, users });
      await m.query(`DELETE FROM departments WHERE name = $1`, [name]);
      return { result: undefined, record: { ...caller, action: 'department.delete', targetType: 'department', targetId: name, before: { name } } };
    });
  }

  private async assertExists(m: EntityManager, name: string): Promise<void> {
    const rows = (await m.query(`SELECT 1 FROM departments WHERE name = $1 FOR UPDATE`, [name])) as unknown[];
    if (!rows.length) throw departmentErrors.not_found({ name });
  }

  private async assertFree(m: EntityManager, name: string): Promise<void> {
    const names = ((await m.query(`SELECT name FROM departments`)) as { name: string }[]).map((r) => r.name);
    const clash = names.find((n) => comparable(n) === comparable(name));
    if (clash) throw departmentErrors.exists({ name: clash });
  }
}
