import { Injectable, type OnModuleInit } from '@nestjs/common';
import { invalidFields } from '../common/index.js';
import type { FieldIssue } from './findings-workflow.js';
import { EventEmitter } from 'node:events';
import { AuditService } from '../audit/index.js';
import { actorName, type Caller } from '../auth/index.js';
import { Database, isUniqueViolation, type Sql } from '../database/index.js';
import { ProfilesRepository, type ProfileColumns, type ProfileRow } from './profiles.repository.js';
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

const COLUMNS = { name: 'name', description: 'description', controlIds: 'control_ids', departments: 'departments', assetIds: 'asset_ids', schedule: 'schedule' } as const satisfies Record<string, keyof ProfileColumns>;

@Injectable()
export class ProfilesService implements OnModuleInit {
  /** Emits 'changed' after a committed change, so the scheduler re-reads the schedules. */
  readonly changes = new EventEmitter();
  private readonly stored = new ProfilesRepository();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly catalogue: ControlCatalogue,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensureDefault();
  }

  /** The "all controls" profile, created at first start (and again if someone renamed theirs into its place). */
  private async ensureDefault(): Promise<void> {
    await this.audit.change(async (m) => {
      const row = await this.stored.insertDefaultIfMissing(m, DEFAULT_PROFILE);
      return { result: undefined, record: row ? { actor: 'system', action: 'compliance.profile.create', targetType: 'compliance_profile', targetId: row.id, after: toProfile(row) } : null };
    });
  }

  async list(): Promise<Profile[]> {
    return (await this.stored.list(this.db)).map(toProfile);
  }

  async get(id: string): Promise<Profile> {
    return this.found(await this.stored.byId(this.db, id), id);
  }

  /** The profile, locked until the transaction ends. */
  private async lock(tx: Sql, id: string): Promise<Profile> {
    return this.found(await this.stored.byId(tx, id, true), id);
  }

  private found(row: ProfileRow | undefined, id: string): Profile {
    if (!row) throw complianceErrors.profile_not_found({ id });
    return toProfile(row);
  }

  /** By id, or by name as the CLI takes it. */
  async find(idOrName: string): Promise<Profile> {
    return this.found(await this.stored.byIdOrName(this.db, idOrName), JSON.stringify(idOrName));
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
      this.audit.change(async (m) => {
        const row = await this.stored.insert(m, {
          name: input.name,
          description: input.description ?? null,
          control_ids: input.controlIds ?? null,
          departments: input.departments ?? null,
          asset_ids: input.assetIds ?? null,
          schedule: input.schedule ?? null,
          created_by: actorName(caller.principal),
        });
        const created = toProfile(row);
        return { result: created, record: { ...caller, action: 'compliance.profile.create', targetType: 'compliance_profile', targetId: created.id, after: created } };
      }),
    );
    this.changes.emit('changed');
    return profile;
  }

  async update(id: string, input: ProfileUpdateDto, caller: Caller): Promise<Profile> {
    this.validate(input);
    const profile = await this.uniqueName(() =>
      this.audit.change(async (m) => {
        const before = await this.lock(m, id);
        const changes: Partial<ProfileColumns> = {};
        for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, keyof ProfileColumns][]) {
          if (input[field] === undefined) continue;
          if (field === 'name' && input.name === null) continue;
          Object.assign(changes, { [column]: input[field] });
        }
        if (Object.keys(changes).length === 0) return { result: before, record: null };
        const after = toProfile(await this.stored.update(m, id, changes));
        return { result: after, record: { ...caller, action: 'compliance.profile.update', targetType: 'compliance_profile', targetId: id, before, after } };
      }),
    );
    this.changes.emit('changed');
    return profile;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    await this.audit.change(async (m) => {
      const before = await this.lock(m, id);
      if (before.isDefault) throw complianceErrors.profile_default_undeletable();
      await this.stored.delete(m, id);
      return { result: undefined, record: { ...caller, action: 'compliance.profile.delete', targetType: 'compliance_profile', targetId: id, before } };
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
