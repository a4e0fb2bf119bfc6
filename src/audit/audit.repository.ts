import type { Sql } from '../database/index.js';
import type { ChainedFields, StoredLink } from './chain.js';

export interface AuditFilter {
  limit: number;
  beforeId?: string;
  targetType?: string;
  targetId?: string;
  actor?: string;
}

// Ordered by `audit_log.id`: a bare `id` would be the text the select list makes of it, and "10" sorts before "9".
const LINK_COLUMNS = `id::text AS id, at, actor, actor_role AS "actorRole", action, target_type AS "targetType", target_id AS "targetId",
  outcome, source_ip AS "sourceIp", before, after, prev_hash AS "prevHash", hash, key_id AS "keyId"`;

// JSONB values go in as JSON text: pg would turn a JS array into a PostgreSQL array literal.
const jsonb = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** The append-only audit trail: its head, new links, and reads for verification and the console. */
export class AuditRepository {
  async head(sql: Sql): Promise<{ id: string; hash: string; keyId: string | null } | undefined> {
    const [row] = await sql.query<{ id: string; hash: string; keyId: string | null }>('SELECT id::text AS id, hash, key_id AS "keyId" FROM audit_log ORDER BY audit_log.id DESC LIMIT 1');
    return row;
  }

  async unkeyedCount(sql: Sql): Promise<number> {
    const [{ n }] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE key_id IS NULL');
    return n;
  }

  async append(sql: Sql, link: ChainedFields & { prevHash: string; hash: string; keyId: string }): Promise<void> {
    await sql.query(
      `INSERT INTO audit_log (at, actor, actor_role, action, target_type, target_id, outcome, source_ip, before, after, prev_hash, hash, key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [link.at, link.actor, link.actorRole, link.action, link.targetType, link.targetId, link.outcome, link.sourceIp, jsonb(link.before), jsonb(link.after), link.prevHash, link.hash, link.keyId],
    );
  }

  async hashOf(sql: Sql, id: string): Promise<string | undefined> {
    const [row] = await sql.query<{ hash: string }>('SELECT hash FROM audit_log WHERE id = $1', [id]);
    return row?.hash;
  }

  /** The next `limit` records after `afterId`, in chain order. */
  async linksAfter(sql: Sql, afterId: string, limit: number): Promise<StoredLink[]> {
    return sql.query<StoredLink>(`SELECT ${LINK_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY audit_log.id ASC LIMIT $2`, [afterId, limit]);
  }

  /** Newest first. */
  async list(sql: Sql, filter: AuditFilter): Promise<StoredLink[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.beforeId) where.push(`id < $${params.push(filter.beforeId)}`);
    if (filter.targetType) where.push(`target_type = $${params.push(filter.targetType)}`);
    if (filter.targetId) where.push(`target_id = $${params.push(filter.targetId)}`);
    if (filter.actor) where.push(`actor = $${params.push(filter.actor)}`);
    return sql.query<StoredLink>(`SELECT ${LINK_COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY audit_log.id DESC LIMIT $${params.push(filter.limit)}`, params);
  }

  /** The service's role can neither change nor delete records, nor switch the append-only triggers off. */
  async appendOnlyForCurrentRole(sql: Sql): Promise<boolean> {
    const [row] = await sql.query<{ appendOnly: boolean }>(`
      SELECT NOT (r.rolsuper OR pg_has_role(current_user, c.relowner, 'MEMBER')
                  OR has_table_privilege('audit_log', 'UPDATE') OR has_table_privilege('audit_log', 'DELETE')
                  OR has_table_privilege('audit_log', 'TRUNCATE') OR has_table_privilege('audit_log', 'TRIGGER')) AS "appendOnly"
      FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'audit_log'::regclass`);
    return row.appendOnly;
  }
}
