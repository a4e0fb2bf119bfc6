import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import path from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import { actorName, actorRole, type Principal } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { AuditRecord } from './audit-record.entity.js';
import { ChainWalk, GENESIS_HASH, keyedChainHash, redactSecrets, type ChainAnchor, type ChainReport } from './chain.js';
import { loadAuditKey, readAnchor, writeAnchor, type AuditKey } from './trail-files.js';
import { LockId, lockForTransaction } from '../database/index.js';
import { type Cancel, Clock } from '../shared/index.js';

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

export interface ChainVerification extends ChainReport {
  /** The head last anchored outside the database, which the trail must still hold. */
  anchor: ChainAnchor | null;
  /** The service's database role can neither change nor delete records, nor switch the append-only triggers off. */
  appendOnlyForService: boolean;
}

@Injectable()
export class AuditService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly anchorFile: string;
  private keyLoad?: Promise<AuditKey>;
  private anchoring: Promise<void> = Promise.resolve();
  private stopAnchoring?: Cancel;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly clock: Clock,
  ) {
    this.anchorFile = path.resolve(settings.TAISHI_DATA_DIR, 'audit-anchor.json');
  }

  private key(): Promise<AuditKey> {
    return (this.keyLoad ??= loadAuditKey(this.settings.TAISHI_AUDIT_KEY, this.settings.TAISHI_DATA_DIR));
  }

  /**
   * Refuses to start with a key that is not the chain's, seals an old unkeyed chain behind a
   * keyed boundary record, and anchors the head now and then every TAISHI_AUDIT_ANCHOR_SECONDS.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.transaction((m) => this.lockedHead(m));
    await this.anchor();
    // On the clock, not the scheduler: the platform module sits above audit (it uses metrics, which uses auth).
    this.stopAnchoring = this.clock.every(this.settings.TAISHI_AUDIT_ANCHOR_SECONDS * 1000, () =>
      this.anchor().catch((e: Error) => this.logger.error(`审计链锚定失败 / Anchoring the audit trail failed: ${e.message}`)),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopAnchoring?.();
    await this.anchor().catch((e: Error) => this.logger.error(`审计链锚定失败 / Anchoring the audit trail failed: ${e.message}`));
  }

  /**
   * Appends one record. Pass the transaction's manager so the record commits or rolls back with
   * the change it describes (or use `change`); the advisory lock keeps the chain linear across
   * concurrent writers.
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    if (!manager) return this.dataSource.transaction((m) => this.record(entry, m));
    const prevHash = await this.lockedHead(manager);
    await this.append(manager, prevHash, {
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
    });
  }

  /** Runs a change and appends its audit record in one transaction: both are kept, or neither. */
  async change<T>(work: (m: EntityManager) => Promise<{ result: T; record: AuditEntry }>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      const { result, record } = await work(m);
      await this.record(record, m);
      return result;
    });
  }

  /**
   * Takes the chain lock and answers the hash the next record links to. An old unkeyed chain is
   * first closed with a keyed boundary record; a chain keyed with another key is not written to.
   */
  private async lockedHead(m: EntityManager): Promise<string> {
    await lockForTransaction(m, LockId.AuditChain);
    const key = await this.key();
    const [last] = (await m.query('SELECT hash, key_id AS "keyId" FROM audit_log ORDER BY id DESC LIMIT 1')) as { hash: string; keyId: string | null }[];
    if (!last) return GENESIS_HASH;
    if (last.keyId === key.id) return last.hash;
    if (last.keyId !== null) {
      throw new Error(
        `审计链由密钥 ${last.keyId} 签署，而本实例的密钥（${key.source}）是 ${key.id}：请恢复原密钥，或在每个实例上设置同一个 TAISHI_AUDIT_KEY / ` +
          `The audit trail is keyed with key ${last.keyId}, but this instance's key (${key.source}) is ${key.id}: restore the original key, or set the same TAISHI_AUDIT_KEY on every instance`,
      );
    }
    const [{ n }] = (await m.query('SELECT count(*)::int AS n FROM audit_log WHERE key_id IS NULL')) as { n: number }[];
    return this.append(m, last.hash, {
      at: new Date(),
      actor: 'system',
      actorRole: null,
      action: 'audit.chain.keyed',
      targetType: 'audit_log',
      targetId: null,
      outcome: 'success',
      sourceIp: null,
      before: null,
      after: { unkeyedRecords: n, unkeyedHead: last.hash },
    });
  }

  private async append(m: EntityManager, prevHash: string, fields: Omit<AuditRecord, 'id' | 'prevHash' | 'hash' | 'keyId'>): Promise<string> {
    const key = await this.key();
    const hash = keyedChainHash(key.key, prevHash, fields);
    await m.insert(AuditRecord, { ...fields, prevHash, hash, keyId: key.id });
    return hash;
  }

  /**
   * Writes the head to the anchor file and the log, when it moved. An anchor the trail no longer
   * holds is kept as the evidence it is, and reported.
   */
  anchor(): Promise<void> {
    const run = this.anchoring.then(async () => {
      const [head] = (await this.dataSource.query('SELECT id::text AS id, hash FROM audit_log ORDER BY id DESC LIMIT 1')) as { id: string; hash: string }[];
      if (!head) return;
      const previous = await readAnchor(this.anchorFile);
      if (previous?.id === head.id && previous.hash === head.hash) return;
      if (previous) {
        const [held] = (await this.dataSource.query('SELECT hash FROM audit_log WHERE id = $1', [previous.id])) as { hash: string }[];
        if (held?.hash !== previous.hash) {
          this.logger.error(
            `审计链不再包含 ${previous.at} 锚定的记录 ${previous.id}：记录被删除或改写；锚点保留为证据，请运行 npx taishi audit verify / ` +
              `The audit trail no longer holds record ${previous.id} as anchored at ${previous.at}: records were deleted or rewritten. The anchor is kept as evidence; run npx taishi audit verify`,
          );
          return;
        }
      }
      const anchor = { id: head.id, hash: head.hash, at: new Date().toISOString() };
      await writeAnchor(this.anchorFile, anchor);
      this.logger.log(`审计链锚点 / Audit trail anchored: record ${anchor.id} hash ${anchor.hash}`);
    });
    this.anchoring = run.catch(() => undefined);
    return run;
  }

  /** Walks the whole chain in id order and names the first record that does not fit. */
  async verify(batchSize = 1000): Promise<ChainVerification> {
    const anchor = (await readAnchor(this.anchorFile)) ?? null;
    const walk = new ChainWalk(await this.key(), anchor ?? undefined);
    const repo = this.dataSource.getRepository(AuditRecord);
    let afterId = '0';
    for (;;) {
      const batch = await repo.createQueryBuilder('a').where('a.id > :afterId', { afterId }).orderBy('a.id', 'ASC').limit(batchSize).getMany();
      if (batch.length === 0 || !batch.every((record) => walk.next(record))) break;
      afterId = batch[batch.length - 1].id;
    }
    return { ...walk.finish(), anchor, appendOnlyForService: await this.appendOnlyForService() };
  }

  private async appendOnlyForService(): Promise<boolean> {
    const [row] = (await this.dataSource.query(`
      SELECT NOT (r.rolsuper OR pg_has_role(current_user, c.relowner, 'MEMBER')
                  OR has_table_privilege('audit_log', 'UPDATE') OR has_table_privilege('audit_log', 'DELETE')
                  OR has_table_privilege('audit_log', 'TRUNCATE') OR has_table_privilege('audit_log', 'TRIGGER')) AS "appendOnly"
      FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'audit_log'::regclass`)) as { appendOnly: boolean }[];
    return row.appendOnly;
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
