import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { actorName, departmentScope, type Caller, type Principal } from '../auth/index.js';
import type { ComplianceRecordDto } from './dto.js';
import { RECORD_FIELDS, type ComplianceRecord } from './facts/asset-facts.js';
import { complianceErrors } from './errors.js';
import { Database, type Sql } from '../database/index.js';
import { RecordsRepository } from './records.repository.js';

export interface RecordView {
  assetId: string;
  record: ComplianceRecord;
  updatedBy: string | null;
  updatedAt: string | null;
}

/** What owners and compliance officers record about a system for the audits (see ComplianceRecord). */
@Injectable()
export class RecordsService {
  private readonly stored = new RecordsRepository();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  /** Owners get 404 for other departments' assets, as in the registry. */
  private async visibleAsset(sql: Sql, assetId: string, principal: Principal): Promise<void> {
    const department = await this.stored.assetDepartment(sql, assetId);
    const scope = departmentScope(principal);
    if (department === undefined || (scope !== undefined && department !== scope)) throw complianceErrors.asset_not_found({ id: assetId });
  }

  private async read(sql: Sql, assetId: string, lock = false): Promise<RecordView> {
    const row = await this.stored.byAsset(sql, assetId, lock);
    return { assetId, record: row?.record ?? {}, updatedBy: row?.updated_by ?? null, updatedAt: row?.updated_at.toISOString() ?? null };
  }

  async get(assetId: string, principal: Principal): Promise<RecordView> {
    await this.visibleAsset(this.db, assetId, principal);
    return this.read(this.db, assetId);
  }

  async update(assetId: string, input: ComplianceRecordDto, caller: Caller): Promise<RecordView> {
    return this.audit.change(async (m) => {
      await this.stored.lockAsset(m, assetId);
      await this.visibleAsset(m, assetId, caller.principal);
      const before = await this.read(m, assetId, true);
      const record: ComplianceRecord = { ...before.record };
      for (const field of RECORD_FIELDS) {
        const value = input[field];
        if (value === null) delete record[field];
        // DTO instances carry their prototype; the record is stored as plain JSON.
        else if (value !== undefined) Object.assign(record, { [field]: JSON.parse(JSON.stringify(value)) });
      }
      await this.stored.save(m, assetId, record, actorName(caller.principal));
      return { result: await this.read(m, assetId), record: { ...caller, action: 'compliance.record.update', targetType: 'asset', targetId: assetId, before: before.record, after: record } };
    });
  }
}
