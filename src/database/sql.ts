import type pg from 'pg';

/**
 * What a repository needs from the database: plain parameterised SQL. Both a transaction and the
 * pool provide it, so a repository method runs inside whatever unit of work its caller opened.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

/** One connection of the pool kept for its caller: for session locks, held across transactions. */
export interface Session extends Sql {
  /** Gives the connection back to the pool; its session locks are released with it. */
  release(): Promise<void>;
}

/** Runs work in one transaction: committed when the work resolves, rolled back when it throws. */
export interface Transactor {
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** A plain `pg` client (outside TypeORM's pool: setup, the event store) seen as `Sql`. */
export function clientSql(client: Pick<pg.ClientBase, 'query'>): Sql {
  return { query: async <T>(text: string, params?: readonly unknown[]) => (await client.query(text, params as unknown[] | undefined)).rows as T[] };
}
