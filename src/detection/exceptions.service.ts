import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/index.js';
import type { Caller } from '../shared/principal.js';
import type { StoredEvent } from '../events/index.js';
import type { RuleFiring } from './detection-engine.js';
import { ruleErrors } from './errors.js';

export interface RuleException {
  id: string;
  ruleId: string;
  field: string;
  value: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  suppressed: number;
}

function fieldText(event: StoredEvent, path: string): string | undefined {
  let v: unknown = event;
  for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  if (Array.isArray(v)) v = v[0];
  return v === undefined || v === null ? undefined : String(v).toLowerCase();
}

/**
 * Exceptions to rules, managed through the API with who, why and until when: the way an analyst
 * silences a known-benign source without editing the rule file. Expired ones stop applying on
 * their own and stay listed as a record.
 */
@Injectable()
export class ExceptionsService {
  private active: RuleException[] = [];
  private loadedAt = 0;
  private readonly pendingCounts = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<RuleException[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, rule_id, field, value, reason, created_by, created_at, expires_at, suppressed FROM rule_exceptions ORDER BY created_at DESC`,
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      ruleId: r.rule_id as string,
      field: r.field as string,
      value: r.value as string,
      reason: r.reason as string,
      createdBy: r.created_by as string,
      createdAt: (r.created_at as Date).toISOString(),
      expiresAt: (r.expires_at as Date).toISOString(),
      suppressed: Number(r.suppressed),
    }));
  }

  async create(input: { ruleId: string; field: string; value: string; reason: string; expiresAt: string }, caller: Caller): Promise<RuleException> {
    if (Date.parse(input.expiresAt) <= Date.now()) throw ruleErrors.exception_expiry_past();
    const who = caller.principal.kind === 'user' ? caller.principal.username : caller.principal.kind;
    const id = await this.dataSource.transaction(async (m) => {
      const [row] = (await m.query(
        `INSERT INTO rule_exceptions (rule_id, field, value, reason, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [input.ruleId, input.field, input.value, input.reason, who, input.expiresAt],
      )) as { id: string }[];
      await this.audit.record({ ...caller, action: 'rule-exception.create', targetType: 'rule', targetId: input.ruleId, after: { ...input, id: row.id } }, m);
      return row.id;
    });
    this.loadedAt = 0;
    return (await this.list()).find((e) => e.id === id)!;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const [row] = (await m.query(`DELETE FROM rule_exceptions WHERE id = $1 RETURNING rule_id, field, value, reason`, [id])) as Record<string, string>[];
      if (!row) throw ruleErrors.exception_not_found({ id });
      await this.audit.record({ ...caller, action: 'rule-exception.delete', targetType: 'rule', targetId: row.rule_id, before: row }, m);
    });
    this.loadedAt = 0;
  }

  /** Drops the firings an unexpired exception covers, and counts them against it. */
  async filter(firings: RuleFiring[]): Promise<RuleFiring[]> {
    if (Date.now() - this.loadedAt > 10_000) {
      this.active = (await this.list()).filter((e) => Date.parse(e.expiresAt) > Date.now());
      this.loadedAt = Date.now();
    }
    if (this.active.length === 0) return firings;
    const now = Date.now();
    const kept = firings.filter((f) => {
      const hit = this.active.find((e) => e.ruleId === f.ruleId && Date.parse(e.expiresAt) > now && fieldText(f.event, e.field) === e.value.toLowerCase());
      if (hit) this.pendingCounts.set(hit.id, (this.pendingCounts.get(hit.id) ?? 0) + 1);
      return !hit;
    });
    for (const [id, n] of this.pendingCounts) await this.dataSource.query(`UPDATE rule_exceptions SET suppressed = suppressed + $2 WHERE id = $1`, [id, n]);
    this.pendingCounts.clear();
    return kept;
  }
}
