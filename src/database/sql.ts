/**
 * What a repository needs from the database: plain parameterised SQL. Both a transaction and the
 * pool provide it, so a repository method runs inside whatever unit of work its caller opened.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

/** Runs work in one transaction: committed when the work resolves, rolled back when it throws. */
export interface Transactor {
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}
