import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import path from 'node:path';
import { actorName, actorRole, type Principal } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { AuditRepository, type AuditFilter } from './audit.repository.js';
import { ChainWalk, GENESIS_HASH, keyedChainHash, redactSecrets, type ChainAnchor, type ChainedFields, type ChainReport } from './chain.js';
import { loadAuditKey, readAnchor, writeAnchor, type AuditKey } from './trail-files.js';
import { Database, LockId, lockForTransaction, type Sql } from '../database/index.js';
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
  private readonly trail = new AuditRepository();

  constructor(
    private readonly db: Database,
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
    await this.db.transaction((tx) => this.lockedHead(tx));
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
   * Appends one record. Pass the transaction so the record commits or rolls back with the change
   * it describes (or use `change`); the advisory lock keeps the chain linear across concurrent
   * writers.
   */
  async record(entry: AuditEntry, tx?: Sql): Promise<void> {
    if (!tx) return this.db.transaction((t) => this.record(entry, t));
    const prevHash = await this.lockedHead(tx);
    await this.append(tx, prevHash, {
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

  /**
   * Runs a change and appends its audit record in one transaction: both are kept, or neither. Work
   * that found nothing to do (a slot another instance took, an update that sets nothing) answers
   * `record: null`, and nothing is recorded.
   */
  async change<T>(work: (tx: Sql) => Promise<{ result: T; record: AuditEntry | null }>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const { result, record } = await work(tx);
      if (record) await this.record(record, tx);
      return result;
    });
  }

  /**
   * Takes the chain lock and answers the hash the next record links to. An old unkeyed chain is
   * first closed with a keyed boundary record; a chain keyed with another key is not written to.
   */
  private async lockedHead(tx: Sql): Promise<string> {
    await lockForTransaction(tx, LockId.AuditChain);
    const key = await this.key();
    const last = await this.trail.head(tx);
    if (!last) return GENESIS_HASH;
    if (last.keyId === key.id) return last.hash;
    if (last.keyId !== null) {
      throw new Error(
        `审计链由密钥 ${last.keyId} 签署，而本实例的密钥（${key.source}）是 ${key.id}：请恢复原密钥，或在每个实例上设置同一个 TAISHI_AUDIT_KEY / ` +
          `The audit trail is keyed with key ${last.keyId}, but this instance's key (${key.source}) is ${key.id}: restore the original key, or set the same TAISHI_AUDIT_KEY on every instance`,
      );
    }
    const n = await this.trail.unkeyedCount(tx);
    return this.append(tx, last.hash, {
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

  private async append(tx: Sql, prevHash: string, fields: ChainedFields): Promise<string> {
    const key = await this.key();
    const hash = keyedChainHash(key.key, prevHash, fields);
    await this.trail.append(tx, { ...fields, prevHash, hash, keyId: key.id });
    return hash;
  }

  /**
   * Writes the head to the anchor file and the log, when it moved. An anchor the trail no longer
   * holds is kept as the evidence it is, and reported.
   */
  anchor(): Promise<void> {
    const run = this.anchoring.then(async () => {
      const head = await this.trail.head(this.db);
      if (!head) return;
      const previous = await readAnchor(this.anchorFile);
      if (previous?.id === head.id && previous.hash === head.hash) return;
      if (previous) {
        if ((await this.trail.hashOf(this.db, previous.id)) !== previous.hash) {
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
    let afterId = '0';
    for (;;) {
      const batch = await this.trail.linksAfter(this.db, afterId, batchSize);
      if (batch.length === 0 || !batch.every((record) => walk.next(record))) break;
      afterId = batch[batch.length - 1].id;
    }
    return { ...walk.finish(), anchor, appendOnlyForService: await this.trail.appendOnlyForCurrentRole(this.db) };
  }

  list(query: AuditFilter) {
    return this.trail.list(this.db, query);
  }
}
