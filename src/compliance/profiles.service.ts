import { Injectable, type OnModuleInit } from '@nestjs/common';
import { invalidFields } from '../common/index.js';
import type { FieldIssue } from './findings-workflow.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventEmitter } from 'node:events';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/index.js';
import { actorName, type Caller } from '../auth/index.js';
import { isUniqueViolation } from '../database/index.js';
import { ControlCatalogue } from './control-catalogue.js';
import type { ProfileInputDto, ProfileUpdateDto } from './dto.js';
import { complianceErrors } from './errors.js';
import { cronProblem } from '../shared/index.js';

export interface Profile {
  id: string;
  name: string;
  description: string | null;
  /** null: every control of the catalogue, including controls added later. */
  controlIds: string[] | null;
  departments: string[] | null;
  assetIds: string[] | null;
  /** Cron expression in Beijing time; null: on demand only. */
  schedule: string | null;
  isDefault: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_PROFILE = {
  name: '全部控制项 / All controls',
  description: '目录中的全部控制项，覆盖全部资产；每周一 02:00 自动运行。 / Every control of the catalogue over every asset; runs Mondays at 02:00.',
  schedule: '0 2 * * 1',
};
/** Schedules run in Beijing time: the laws' deadlines and the office hours are Beijing's. */
export const SCHEDULE_TIME_ZONE = 'Asia/Shanghai';

interface ProfileRow {
  id: string;
  name: string;
  description: string | null;
  control_ids: string[] | null;
  departments: string[] | null;
  asset_ids: string[] | null;
  schedule: string | null;
  is_default: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

function toProfile(r: ProfileRow): Profile {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    controlIds: r.control_ids,
    departments: r.departments,
    assetIds: r.asset_ids,
    schedule: r.schedule,
    isDefault: r.is_default,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const COLUMNS = { name: 'name', description: 'description', controlIds: 'control_ids', departments: 'departments', assetIds: 'asset_ids', schedule: 'schedule' } as const;

@Injectable()
export class ProfilesService implements OnModuleInit {
  /** Emits 'changed' after a committed change, so the scheduler re-reads the schedules. */
  readonly changes = new EventEmitter();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly catalogue: ControlCatalogue,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensureDefault();
  }

  /** The "all controls" profile, created at first start (and again if someone renamed theirs into its place). */
  private async ensureDefault(): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `INSERT INTO compliance_profiles (name, description, schedule, is_default, created_by)
         SELECT $1, $2, $3, true, 'system' WHERE NOT EXISTS (SELECT 1 FROM compliance_profiles WHERE is_default)
         ON CONFLICT DO NOTHING RETURNING *`,
        [DEFAULT_PROFILE.name, DEFAULT_PROFILE.description, DEFAULT_PROFILE.schedule],
      )) as ProfileRow[];
      if (rows.length) await this.audit.record({ actor: 'system', action: 'compliance.profile.create', targetType: 'compliance_profile', targetId: rows[0].id, after: toProfile(rows[0]) }, m);
    });
  }

  async list(): Promise<Profile[]> {
    const rows = (await this.dataSource.query(`SELECT * FROM compliance_profiles ORDER BY is_default DESC, lower(name)`)) as ProfileRow[];
    return rows.map(toProfile);
  }

  async get(id: string, m: EntityManager = this.dataSource.manager, lock = false): Promise<Profile> {
    const [row] = (await m.query(`SELECT * FROM compliance_profiles WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) as ProfileRow[];
    if (!row) throw complianceErrors.profile_not_found({ id });
    return toProfile(row);
  }

  /** By id, or by name as the CLI takes it. */
  async find(idOrName: string): Promise<Profile> {
    const [row] = (await this.dataSource.query(`SELECT * FROM compliance_profiles WHERE id::text = $1 OR lower(name) = lower($1)`, [idOrName])) as ProfileRow[];
    if (!row) throw complianceErrors.profile_not_found({ id: JSON.stringify(idOrName) });
    return toProfile(row);
  }

  async listScheduled(): Promise<Profile[]> {
    return (await this.list()).filter((p) => p.schedule !== null);
  }

  private validate(input: ProfileUpdateDto): void {
    const problems: FieldIssue[] = [];
    if (input.schedule !== undefined && input.schedule !== null) {
      const problem = cronProblem(input.schedule);
      if (problem) problems.push({ field: 'schedule', constraint: 'isCron', message: `not a cron expression (minute hour day month weekday, e.g. "0 2 * * 1"): ${problem}` });
    }
    if (input.controlIds) {
      const known = new Set(this.catalogue.load().map((c) => c.id));
      const unknown = input.controlIds.filter((id) => !known.has(id));
      if (unknown.length) problems.push({ field: 'controlIds', constraint: 'isIn', message: `not in the catalogue: ${unknown.join(', ')}` });
      if (input.controlIds.length === 0) problems.push({ field: 'controlIds', constraint: 'arrayNotEmpty', message: 'list at least one control, or null for all' });
    }
    for (const field of ['departments', 'assetIds'] as const) if (input[field]?.length === 0) problems.push({ field, constraint: 'arrayNotEmpty', message: 'list at least one, or null for all' });
    if (problems.length) throw invalidFields(problems);
  }

  async create(input: ProfileInputDto, caller: Caller): Promise<Profile> {
    this.validate(input);
    const profile = await this.uniqueName(() =>
      this.dataSource.transaction(async (m) => {
        const [row] = (await m.query(
          `INSERT INTO compliance_profiles (name, description, control_ids, departments, asset_ids, schedule, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
          [input.name, input.description ?? null, input.controlIds ?? null, input.departments ?? null, input.assetIds ?? null, input.schedule ?? null, actorName(caller.principal)],
        )) as ProfileRow[];
        const created = toProfile(row);
        await this.audit.record({ ...caller, action: 'compliance.profile.create', targetType: 'compliance_profile', targetId: created.id, after: created }, m);
        return created;
      }),
    );
    this.changes.emit('changed');
    return profile;
  }

  async update(id: string, input: ProfileUpdateDto, caller: Caller): Promise<Profile> {
    this.validate(input);
    const profile = await this.uniqueName(() =>
      this.dataSource.transaction(async (m) => {
        const before = await this.get(id, m, true);
        const sets: string[] = [];
        const params: unknown[] = [id];
        for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
          if (input[field] === undefined) continue;
          if (field === 'name' && input.name === null) continue;
          params.push(input[field]);
          sets.push(`${column} = $${params.length}`);
        }
        if (sets.length === 0) return before;
        // TypeORM answers an UPDATE with [rows, count].
        const [[row]] = (await m.query(`UPDATE compliance_profiles SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING *`, params)) as [ProfileRow[], number];
        const after = toProfile(row);
        await this.audit.record({ ...caller, action: 'compliance.profile.update', targetType: 'compliance_profile', targetId: id, before, after }, m);
        return after;
      }),
    );
    this.changes.emit('changed');
    return profile;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.get(id, m, true);
      if (before.isDefault) throw complianceErrors.profile_default_undeletable();
      await m.query(`DELETE FROM compliance_profiles WHERE id = $1`, [id]);
      await this.audit.record({ ...caller, action: 'compliance.profile.delete', targetType: 'compliance_profile', targetId: id, before }, m);
    });
    this.changes.emit('changed');
  }

  private async uniqueName<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, 'compliance_profiles_name_key')) throw complianceErrors.profile_name_taken();
      throw error;
    }
  }
}
