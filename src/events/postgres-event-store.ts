import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { once } from 'node:events';
import { clientSql, LockId, lockForTransaction } from '../database/index.js';
import { POOL_DEFAULTS } from '../database/index.js';
import { DAY_MS, decodeCursor, encodeCursor, filingTime, type EventPage, type EventQuery, type EventStore, type FilterField, type PreparedWrite, type StoredEvent, type TimeBucket, type WriteResult } from './event-store.js';
import { COPY_COLUMNS, COPY_HEADER, COPY_TRAILER, copyChunks, UUID } from './postgres-copy.js';

/** Filter fields and the columns that hold them. */
const COLUMNS: Record<FilterField, { column: string; type: 'text' | 'inet' | 'int' | 'uuid' | 'array' }> = {
  'event.action': { column: 'action', type: 'text' },
  'event.outcome': { column: 'outcome', type: 'text' },
  'event.dataset': { column: 'dataset', type: 'text' },
  'event.module': { column: 'module', type: 'text' },
  'event.category': { column: 'category', type: 'array' },
  'event.kind': { column: 'kind', type: 'text' },
  'source.ip': { column: 'source_ip', type: 'inet' },
  'destination.ip': { column: 'destination_ip', type: 'inet' },
  'destination.port': { column: 'destination_port', type: 'int' },
  'user.name': { column: 'user_name', type: 'text' },
  'host.name': { column: 'host_name', type: 'text' },
  'observer.name': { column: 'observer_name', type: 'text' },
  'device.id': { column: 'device_id', type: 'text' },
  'taishi.asset_id': { column: 'asset_id', type: 'uuid' },
  'taishi.department': { column: 'department', type: 'text' },
  'taishi.zone': { column: 'zone', type: 'text' },
};

function partitionName(day: number): string {
  return `events_${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/**
 * Writes the chunks straight into the COPY stream: a stream pipeline around it cost an abort
 * controller, and the DOMException its clean-up makes, on every batch.
 */
async function copy(client: pg.PoolClient, table: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${COPY_COLUMNS.join(',')}) FROM STDIN (FORMAT binary)`));
  const done = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.on('error', reject);
  });
  stream.write(COPY_HEADER);
  for (const chunk of chunks) {
    if (stream.destroyed) break;
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), done]);
  }
  stream.end(COPY_TRAILER);
  await done;
}

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly partitions = new Set<string>();

  constructor(connectionString: string, poolSize = 6) {
    this.pool = new pg.Pool({ connectionString, max: poolSize, application_name: 'taishi-events', ...POOL_DEFAULTS });
    // Idle clients losing their server are already logged by the client itself; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'`,
    );
    for (const r of rows) this.partitions.add(r.name);
  }

  /** Creates the days' partitions that are not known to exist, in a transaction of their own. */
  private async ensurePartitions(client: pg.PoolClient, days: Set<number>): Promise<void> {
    const missing = [...days].filter((day) => !this.partitions.has(partitionName(day)));
    if (missing.length === 0) return;
    await client.query('BEGIN');
    for (const day of missing) {
      const name = partitionName(day);
      // Serialised across writers (and Taishi instances): IF NOT EXISTS alone still races.
      await lockForTransaction(clientSql(client), LockId.EventPartition, name);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events FOR VALUES FROM ('${new Date(day * DAY_MS).toISOString()}') TO ('${new Date((day + 1) * DAY_MS).toISOString()}')`,
      );
    }
    await client.query('COMMIT');
    for (const day of missing) this.partitions.add(partitionName(day));
  }

  /**
   * Fast path: COPY straight into the partitioned table. A retry or replay that repeats an id
   * makes COPY fail on the primary key; then, and only then, the batch goes through a staging
   * table and INSERT … ON CONFLICT DO NOTHING, so repeated ids land once.
   */
  async write(events: StoredEvent[], prepared?: PreparedWrite): Promise<WriteResult> {
    if (events.length === 0) return { written: 0, duplicateIds: [] };
    const now = Date.now();
    const filed = prepared?.filed ?? events.map((event) => filingTime(event, now));
    // Serialised chunk by chunk as COPY consumes them, so the server parses one chunk while the next is built.
    const rows = (): Iterable<Uint8Array> => (prepared ? prepared.rows : copyChunks(events, filed, 500));
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      await this.ensurePartitions(client, new Set(filed.map((ts) => Math.floor(ts / DAY_MS))));
      // One statement is its own transaction: a COPY that fails leaves nothing behind, and one
      // that succeeds needs no BEGIN, savepoint or COMMIT (three round trips a batch fewer).
      try {
        await copy(client, 'events', rows());
        return { written: events.length, duplicateIds: [] };
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
      }
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE IF NOT EXISTS events_stage (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
      await copy(client, 'events_stage', rows());
      const inserted = await client.query<{ id: string }>(`INSERT INTO events SELECT * FROM events_stage ON CONFLICT DO NOTHING RETURNING id`);
      await client.query('COMMIT');
      return { written: inserted.rows.length, duplicateIds: notInserted(events, inserted.rows) };
    } catch (error) {
      failure = error as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // A failed write may have lost its connection: the pool discards a client released with an error.
      client.release(failure);
    }
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const { rows } = await this.pool.query<{ doc: StoredEvent }>('SELECT doc FROM events WHERE id = $1 LIMIT 1', [id]);
    return rows[0]?.doc;
  }

  private where(query: EventQuery, params: unknown[]): string {
    const clauses: string[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.from) clauses.push(`ts >= ${param(query.from)}`);
    if (query.to) clauses.push(`ts < ${param(query.to)}`);
    for (const [field, values] of Object.entries(query.filters ?? {}) as [FilterField, string[]][]) {
      if (!values?.length) continue;
      const { column, type } = COLUMNS[field];
      if (type === 'array') clauses.push(`${column} && ${param(values)}::text[]`);
      else clauses.push(`${column} = ANY(${param(values)}::${type === 'int' ? 'int' : type}[])`);
    }
    if (query.text) clauses.push(`message ILIKE ${param(`%${query.text.replace(/[\\%_]/g, '\\$&')}%`)}`);
    if (query.departments) clauses.push(`department = ANY(${param(query.departments)}::text[])`);
    return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  }

  async search(query: EventQuery, page: { limit: number; after?: string; order?: 'asc' | 'desc' }): Promise<EventPage> {
    const params: unknown[] = [];
    let where = this.where(query, params);
    const order = page.order ?? 'desc';
    if (page.after) {
      const [ts, id] = decodeCursor(page.after);
      params.push(ts, id);
      const keyset = `(ts, id) ${order === 'desc' ? '<' : '>'} ($${params.length - 1}::timestamptz, $${params.length})`;
      where = where ? `${where} AND ${keyset}` : `WHERE ${keyset}`;
    }
    params.push(page.limit + 1);
    const { rows } = await this.pool.query<{ ts: Date; id: string; doc: StoredEvent }>(
      `SELECT ts, id, doc FROM events ${where} ORDER BY ts ${order}, id ${order} LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = shown.at(-1);
    return { events: shown.map((r) => r.doc), ...(more && last ? { next: encodeCursor(last.ts.toISOString(), last.id) } : {}) };
  }

  async countBy(field: FilterField, query: EventQuery, size: number): Promise<{ value: string; count: number }[]> {
    const params: unknown[] = [];
    const where = this.where(query, params);
    const { column, type } = COLUMNS[field];
    const expression = type === 'array' ? `unnest(${column})` : type === 'inet' ? `host(${column})` : `${column}::text`;
    params.push(size);
    const { rows } = await this.pool.query<{ value: string; count: string }>(
      `SELECT value, count(*) AS count FROM (SELECT ${expression} AS value FROM events ${where}) v WHERE value IS NOT NULL GROUP BY value ORDER BY count DESC, value LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ value: r.value, count: Number(r.count) }));
  }

  async histogram(query: EventQuery, bucket: TimeBucket): Promise<{ start: string; count: number }[]> {
    const params: unknown[] = [];
    const where = this.where(query, params);
    const { rows } = await this.pool.query<{ start: Date; count: string }>(
      `SELECT date_trunc('${bucket}', ts, 'UTC') AS start, count(*) AS count FROM events ${where} GROUP BY 1 ORDER BY 1`,
      params,
    );
    return rows.map((r) => ({ start: r.start.toISOString(), count: Number(r.count) }));
  }

  async deleteBefore(cutoff: Date): Promise<number> {
    const firstKeptDay = Math.floor(cutoff.getTime() / DAY_MS);
    const { rows } = await this.pool.query<{ name: string }>(`
      SELECT c.relname AS name
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'events'`);
    let removed = 0;
    for (const { name } of rows) {
      const m = /^events_(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!m) continue;
      const day = Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
      if (day >= firstKeptDay) continue;
      const count = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
      await this.pool.query(`DROP TABLE ${name}`);
      this.partitions.delete(name);
      removed += Number(count.rows[0].n);
    }
    return removed;
  }

  async oldest(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ ts: Date | null }>('SELECT min(ts) AS ts FROM events');
    return rows[0]?.ts ?? undefined;
  }

  /** One index probe per asset (events_asset_idx), however many events each has. */
  async latestByAsset(assetIds: readonly string[]): Promise<Map<string, Date>> {
    const ids = assetIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ asset_id: string; ts: Date }>(
      `SELECT a.id::text AS asset_id, l.ts FROM unnest($1::uuid[]) AS a(id)
       CROSS JOIN LATERAL (SELECT ts FROM events e WHERE e.asset_id = a.id ORDER BY ts DESC LIMIT 1) l`,
      [ids],
    );
    return new Map(rows.map((r) => [r.asset_id, r.ts]));
  }

  async ping(): Promise<boolean> {
    return this.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The ids of `events` beyond those `inserted` (an id twice in one batch, inserted once, is once here). */
function notInserted(events: readonly StoredEvent[], inserted: readonly { id: string }[]): string[] {
  const left = new Map<string, number>();
  for (const { id } of inserted) left.set(id, (left.get(id) ?? 0) + 1);
  const repeated: string[] = [];
  for (const event of events) {
    const n = left.get(event.event.id) ?? 0;
    if (n > 0) left.set(event.event.id, n - 1);
    else repeated.push(event.event.id);
  }
  return repeated;
}
