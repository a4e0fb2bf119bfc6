import type { Sql } from '../database/index.js';
import type { ApiKeyScope } from '../shared/principal.js';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  keyHash: string;
  scopes: ApiKeyScope[];
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_COLUMNS = `id, name, prefix, key_hash AS "keyHash", scopes, created_by AS "createdBy", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** API keys, known by the hash of the secret only. */
export class ApiKeysRepository {
  /** The key with this hash, unless it was revoked. */
  async activeByHash(sql: Sql, keyHash: string): Promise<ApiKeyRow | undefined> {
    const [row] = await sql.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL LIMIT 1`, [keyHash]);
    return row;
  }

  async touch(sql: Sql, id: string, at: Date): Promise<void> {
    await sql.query(`UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, [id, at]);
  }

  async find(sql: Sql, id: string): Promise<ApiKeyRow | undefined> {
    const [row] = await sql.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1 LIMIT 1`, [id]);
    return row;
  }

  /** Newest first. */
  async list(sql: Sql): Promise<ApiKeyRow[]> {
    return sql.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC`);
  }

  async insert(sql: Sql, key: Pick<ApiKeyRow, 'name' | 'prefix' | 'keyHash' | 'scopes' | 'createdBy'>): Promise<string> {
    const [{ id }] = await sql.query<{ id: string }>(`INSERT INTO api_keys (name, prefix, key_hash, scopes, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
      key.name,
      key.prefix,
      key.keyHash,
      key.scopes,
      key.createdBy,
    ]);
    return id;
  }

  /** False when there is no such key or it was revoked already. */
  async revoke(sql: Sql, id: string, at: Date): Promise<boolean> {
    return (await sql.query(`UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING 1`, [id, at])).length > 0;
  }
}
