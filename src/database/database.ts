import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { listenOnChannel, type ChannelHandlers, type ChannelListening } from './channel-listener.js';
import type { Session, Sql, Transactor } from './sql.js';

/**
 * The database as repositories see it: parameterised SQL on the pool, and transactions. It is the
 * one door to TypeORM's connection pool, so no module outside `database` needs TypeORM or `pg`.
 */
@Injectable()
export class Database implements Sql, Transactor {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]> {
    return this.dataSource.query(text, params as unknown[] | undefined);
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager));
  }

  /** Hears another process's NOTIFY on `channel`, on a connection of its own kept open (and reopened) outside the pool. */
  listen(channel: string, applicationName: string, handlers: ChannelHandlers): Promise<ChannelListening> {
    return listenOnChannel((this.dataSource.options as { url: string }).url, channel, applicationName, handlers);
  }

  async session(): Promise<Session> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    return {
      // Structured: TypeORM answers an UPDATE … RETURNING with [rows, count] otherwise.
      query: async (text, params) => (await runner.query(text, params as unknown[] | undefined, true)).records,
      release: async () => {
        // Session locks must not outlive their holder in a pooled connection.
        await runner.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await runner.release();
      },
    };
  }
}
