import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { listenOnChannel, type ChannelHandlers, type ChannelListening } from './channel-listener.js';
import type { Session, Sql, Transactor } from './sql.js';

/**
 * Rows, whatever the statement: TypeORM's own `query` answers an UPDATE or DELETE … RETURNING with
 * [rows, count] and every other statement with rows, which a repository cannot tell apart.
 */
function rowsOf(runner: QueryRunner): Sql {
  return { query: async <T>(text: string, params?: readonly unknown[]) => (await runner.query(text, params as unknown[] | undefined, true)).records as T[] };
}

/**
 * The database as repositories see it: parameterised SQL on the pool, and transactions, both
 * answering rows. It is the one door to TypeORM's connection pool, so no module outside
 * `database` needs TypeORM or `pg`.
 */
@Injectable()
export class Database implements Sql, Transactor {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await rowsOf(runner).query<T>(text, params);
    } finally {
      await runner.release();
    }
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(rowsOf(manager.queryRunner!)));
  }

  /** Hears another process's NOTIFY on `channel`, on a connection of its own kept open (and reopened) outside the pool. */
  listen(channel: string, applicationName: string, handlers: ChannelHandlers): Promise<ChannelListening> {
    return listenOnChannel((this.dataSource.options as { url: string }).url, channel, applicationName, handlers);
  }

  async session(): Promise<Session> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    return {
      ...rowsOf(runner),
      release: async () => {
        // Session locks must not outlive their holder in a pooled connection.
        await runner.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await runner.release();
      },
    };
  }
}
