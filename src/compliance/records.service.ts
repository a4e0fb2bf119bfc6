import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/index.js';
import { actorName, departmentScope, type Caller, type Principal } from '../auth/index.js';
import type { ComplianceRecordDto } from './dto.js';
import { RECORD_FIELDS, type ComplianceRecord } from './facts/asset-facts.js';
import { complianceErrors } from './errors.js';

export interface RecordView {
  assetId: string;
  record: ComplianceRecord;
  updatedBy: string | null;
  updatedAt: string | null;
}

/** What owners and compliance officers record about a system for the audits (see ComplianceRecord). */
@Injectable()
export class RecordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Owners get 404 for other departments' assets, as in the registry. */
  private async visibleAsset(m: EntityManager, assetId: string, principal: Principal): Promise<void> {
    const [asset] = (await m.query(`SELECT department FROM assets WHERE id = $1`, [assetId])) as { department: string }[];
    const scope = departmentScope(principal);
    if (!asset || (scope !== undefined && asset.department !== scope)) throw complianceErrors.asset_not_found({ id: assetId });
  }

  private async read(m: EntityManager, assetId: string, lock = false): Promise<RecordView> {
    const [row] = (await m.query(`SELECT record, updated_by, updated_at FROM asset_compliance WHERE asset_id = $1${lock ? ' FOR UPDATE' : ''}`, [assetId])) as {
      record: ComplianceRecord;
      updated_by: string;
      updated_at: Date;
    }[];
    return { assetId, record: row?.record ?? {}, updatedBy: row?.updated_by ?? null, updatedAt: row?.updated_at.toISOString() ?? null };
  }

  async get(assetId: string, principal: Principal): Promise<RecordView> {
    await this.visibleAsset(this.dataSource.manager, assetId, principal);
    return this.read(this.dataSource.manager, assetId);
  }

  async update(assetId: string, input: ComplianceRecordDto, caller: Caller): Promise<RecordView> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT 1 FROM assets WHERE id = $1 FOR UPDATE`, [assetId]);
      await this.visibleAsset(m, assetId, caller.principal);
      const before = await this.read(m, assetId, true);
      const record: ComplianceRecord = { ...before.record };
      for (const field of RECORD_FIELDS) {
        const value = input[field];
        if (value === null) delete record[field];
        // DTO instances carry their prototype; the record is stored as plain JSON.
        else if (value !== undefined) Object.assign(record, { [field]: JSON.parse(JSON.stringify(value)) });
      }
      const actor = actorName(caller.principal);
      await m.query(
        `INSERT INTO asset_compliance (asset_id, record, updated_by, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (asset_id) DO UPDATE SET record = excluded.record, updated_by = excluded.updated_by, updated_at = now()`,
        [assetId, JSON.stringify(record), actor],
      );
      await this.audit.record({ ...caller, action: 'compliance.record.update', targetType: 'asset', targetId: assetId, before: before.record, after: record }, m);
      return this.read(m, assetId);
    });
  }
}
