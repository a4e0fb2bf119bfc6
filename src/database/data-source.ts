import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

const logger = new Logger('Database');

/**
 * A pg client that survives its server going away. pg emits 'error' on a client whose connection
 * ends unexpectedly, and a pool listens only on idle clients: without this, a database restart
 * while a client is checked out (mid-write) kills the process with "Unhandled 'error' event".
 * The failed query is rejected to its caller either way; the pool drops the broken client.
 */
export class ResilientClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', (error) => logger.warn(`数据库连接中断 / PostgreSQL connection lost: ${error.message}`));
  }
}

/** Pool settings shared by every pool: resilient clients, TCP keepalive, no endless wait for a connection. */
export const POOL_DEFAULTS = { Client: ResilientClient, keepAlive: true, connectionTimeoutMillis: 10_000 } as const;

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 20, application_name: 'taishi', ...POOL_DEFAULTS },
  };
}
