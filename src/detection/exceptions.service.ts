import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { Database } from '../database/index.js';
import type { Caller } from '../shared/principal.js';
import { valueAt } from '../shared/object-path.js';
import type { StoredEvent } from '../events/index.js';
import type { RuleFiring } from './detection-engine.js';
import { ruleErrors } from './errors.js';
import { ExceptionsRepository, type RuleException } from './exceptions.repository.js';

function fieldText(event: StoredEvent, path: string): string | undefined {
  let v = valueAt(event, path.split('.'));
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
  private fields: readonly string[] = [];
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private readonly pendingCounts = new Map<string, number>();
  private readonly stored = new ExceptionsRepository();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  list(): Promise<RuleException[]> {
    return this.stored.list(this.db);
  }

  async create(input: { ruleId: string; field: string; value: string; reason: string; expiresAt: string }, caller: Caller): Promise<RuleException> {
    if (Date.parse(input.expiresAt) <= Date.now()) throw ruleErrors.exception_expiry_past();
    const who = caller.principal.kind === 'user' ? caller.principal.username : caller.principal.kind;
    const id = await this.audit.change(async (m) => {
      const id = await this.stored.insert(m, input, who);
      return { result: id, record: { ...caller, action: 'rule-exception.create', targetType: 'rule', targetId: input.ruleId, after: { ...input, id } } };
    });
    this.loadedAt = 0;
    return (await this.list()).find((e) => e.id === id)!;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    await this.audit.change(async (m) => {
      const row = await this.stored.delete(m, id);
      if (!row) throw ruleErrors.exception_not_found({ id });
      return { result: undefined, record: { ...caller, action: 'rule-exception.delete', targetType: 'rule', targetId: row.rule_id, before: row } };
    });
    this.loadedAt = 0;
  }

  private get stale(): boolean {
    return Date.now() - this.loadedAt > 10_000;
  }

  private async load(): Promise<void> {
    this.active = (await this.list()).filter((e) => Date.parse(e.expiresAt) > Date.now());
    this.fields = [...new Set(this.active.map((e) => e.field))];
    this.loadedAt = Date.now();
  }

  /**
   * The fields unexpired exceptions compare, as last loaded (a stale list is reloaded in the
   * background): the correlation feed keeps them with the matches it stores.
   */
  fieldsCompared(): readonly string[] {
    if (this.stale && !this.loading) {
      this.loading = this.load()
        .catch(() => undefined)
        .finally(() => (this.loading = undefined));
    }
    return this.fields;
  }

  /** Drops the firings an unexpired exception covers, and counts them against it. */
  async filter(firings: RuleFiring[]): Promise<RuleFiring[]> {
    if (this.stale) await this.load();
    if (this.active.length === 0) return firings;
    const now = Date.now();
    const kept = firings.filter((f) => {
      const hit = this.active.find((e) => e.ruleId === f.ruleId && Date.parse(e.expiresAt) > now && fieldText(f.event, e.field) === e.value.toLowerCase());
      if (hit) this.pendingCounts.set(hit.id, (this.pendingCounts.get(hit.id) ?? 0) + 1);
      return !hit;
    });
    for (const [id, n] of this.pendingCounts) await this.stored.addSuppressed(this.db, id, n);
    this.pendingCounts.clear();
    return kept;
  }
}
