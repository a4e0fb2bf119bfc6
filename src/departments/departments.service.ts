import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { Database, type Sql } from '../database/index.js';
import { departmentKey as comparable, listedDepartment } from '../shared/index.js';
import type { Caller } from '../shared/principal.js';
import { DepartmentsRepository, type DepartmentView } from './departments.repository.js';
import { departmentErrors } from './errors.js';

/**
 * The departments an administrator keeps. Renaming carries every asset and user along in the same
 * transaction; a department still holding any cannot be removed.
 */
@Injectable()
export class DepartmentsService {
  private readonly departments = new DepartmentsRepository();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  list(): Promise<DepartmentView[]> {
    return this.departments.list(this.db);
  }

  /**
   * The listed name a written one stands for (ignoring spaces at the ends, width and case), if any.
   * With `proposeNew`, a name not listed stands for a department to add, spelt as first written
   * (trimmed), so that '公安局' and ' 公安局' in one file add one department.
   */
  async resolve(written: string[], proposeNew = false): Promise<{ listed: Map<string, string>; proposed: Set<string> }> {
    const names = await this.departments.names(this.db);
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

  /**
   * The listed spelling of the department an asset is written with (undefined if none), the list
   * held until the transaction ends: a rename or removal alongside waits, then sees the asset.
   */
  async holdListed(tx: Sql, written: string): Promise<string | undefined> {
    return listedDepartment(await this.departments.names(tx, true), written);
  }

  /** Lists departments an administrator's import named, inside the import's own transaction. */
  addDuringImport(tx: Sql, names: Iterable<string>): Promise<void> {
    return this.departments.insertMissing(tx, names);
  }

  async add(name: string, caller: Caller): Promise<DepartmentView> {
    return this.audit.change(async (m) => {
      await this.assertFree(m, name);
      await this.departments.insert(m, name);
      return { result: { name, assets: 0, users: 0 }, record: { ...caller, action: 'department.create', targetType: 'department', targetId: name, after: { name } } };
    });
  }

  async rename(from: string, to: string, caller: Caller): Promise<DepartmentView> {
    return this.audit.change(async (m) => {
      await this.assertExists(m, from);
      if (comparable(from) !== comparable(to)) await this.assertFree(m, to);
      const { assets, users } = await this.departments.rename(m, from, to);
      return { result: { name: to, assets, users }, record: { ...caller, action: 'department.rename', targetType: 'department', targetId: to, before: { name: from }, after: { name: to, assets, users } } };
    });
  }

  async remove(name: string, caller: Caller): Promise<void> {
    await this.audit.change(async (m) => {
      await this.assertExists(m, name);
      const { assets, users } = await this.departments.holdings(m, name);
      if (assets || users) throw departmentErrors.in_use({ name, assets, users });
      await this.departments.delete(m, name);
      return { result: undefined, record: { ...caller, action: 'department.delete', targetType: 'department', targetId: name, before: { name } } };
    });
  }

  private async assertExists(tx: Sql, name: string): Promise<void> {
    if (!(await this.departments.lockIfListed(tx, name))) throw departmentErrors.not_found({ name });
  }

  private async assertFree(tx: Sql, name: string): Promise<void> {
    const names = await this.departments.names(tx);
    const clash = names.find((n) => comparable(n) === comparable(name));
    if (clash) throw departmentErrors.exists({ name: clash });
  }
}
