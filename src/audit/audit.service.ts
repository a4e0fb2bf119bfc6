import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { actorName, actorRole, type Principal } from '../auth/roles.js';
import { AuditRecord } from './audit-record.entity.js';
import { chainHash, GENESIS_HASH, redactSecrets } from './chain.js';

export interface AuditEntry {
  principal?: Principal;
  /** Overrides the actor name, e.g. the username of a failed login or `cli:root`. */
  actor?: string;
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  sourceIp?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBroken?: { id: string; reason: string };
}

// Any constant works; it only has to be the same for every writer of the chain.
const CHAIN_LOCK = 0x7461_6973;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends one record. Pass the transaction's manager so the record commits or rolls back with
   * the change it describes; the advisory lock keeps the chain linear across concurrent writers.
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    if (!manager) return this.dataSource.transaction((m) => this.record(entry, m));
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const [last] = (await manager.query('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1')) as { hash: string }[];
    const fields = {
      at: new Date(),
      actor: entry.actor ?? actorName(entry.principal),
      actorRole: actorRole(entry.principal),
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      outcome: entry.outcome ?? 'success',
      sourceIp: entry.sourceIp ?? null,
      before: entry.before === undefined ? null : (redactSecrets(entry.before) as object),
      after: entry.after === undefined ? null : (redactSecrets(entry.after) as object),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    await manager.insert(AuditRecord, { ...fields, prevHash, hash: chainHash(prevHash, fields) });
  }

  /** Walks the whole chain in id order and names the first record that does not fit. */
  async verify(batchSize = 1000): Promise<ChainVerification> {
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let afterId = '0';
    const repo = this.dataSource.getRepository(AuditRecord);
    for (;;) {
      const batch = await repo
        .createQueryBuilder('a')
        .where('a.id > :afterId', { afterId })
        .orderBy('a.id', 'ASC')
        .limit(batchSize)
        .getMany();
      if (batch.length === 0) return { ok: true, checked };
      for (const record of batch) {
        if (record.prevHash !== prevHash) {
          return { ok: false, checked, firstBroken: { id: record.id, reason: 'previous-hash link does not match the record before it (a record was removed or inserted)' } };
        }
        if (chainHash(prevHash, record) !== record.hash) {
          return { ok: false, checked, firstBroken: { id: record.id, reason: 'content does not match its hash (the record was altered)' } };
        }
        prevHash = record.hash;
        checked++;
      }
      afterId = batch[batch.length - 1].id;
    }
  }

  async list(query: { limit: number; beforeId?: string; targetType?: string; targetId?: string; actor?: string }) {
    const qb = this.dataSource.getRepository(AuditRecord).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(query.limit);
    if (query.beforeId) qb.andWhere('a.id < :beforeId', { beforeId: query.beforeId });
    if (query.targetType) qb.andWhere('a.target_type = :targetType', { targetType: query.targetType });
    if (query.targetId) qb.andWhere('a.target_id = :targetId', { targetId: query.targetId });
    if (query.actor) qb.andWhere('a.actor = :actor', { actor: query.actor });
    return qb.getMany();
  }
}
