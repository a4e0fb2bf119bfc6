import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ASSET_CHANGES_CHANNEL } from './asset-change-notice.js';
import { AssetsService } from './assets.service.js';

const MAX_RETRY_MS = 30_000;

/**
 * Holds one connection LISTENing on the channel and turns other processes' notices into
 * `AssetsService.changes` events. A lost connection (a database restart) is reopened with backoff;
 * reopened, it signals a change, since notices sent meanwhile were missed.
 */
@Injectable()
export class AssetChangeListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Assets');
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assets: AssetsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect(false);
  }

  private async connect(missedNotices: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: (this.dataSource.options as { url: string }).url, application_name: 'taishi-asset-changes' });
    // Our own changes come back too; reloading once more is cheaper than telling them apart.
    client.on('notification', () => this.assets.changes.emit('changed'));
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${ASSET_CHANGES_CHANNEL}`);
    } catch (error) {
      this.lost(client, (error as Error).message);
      await client.end().catch(() => undefined);
      return;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.client = client;
    if (missedNotices) {
      this.logger.log('重新监听资产变更 / Listening for asset registry changes again');
      this.assets.changes.emit('changed');
    }
    this.failures = 0;
  }

  private lost(client: pg.Client, reason?: string): void {
    if (this.closed || this.retryTimer || (this.client && this.client !== client)) return;
    this.client = undefined;
    const delay = Math.min(MAX_RETRY_MS, 500 * 2 ** this.failures++);
    const seconds = (delay / 1000).toFixed(1);
    if (this.failures === 1 || reason) this.logger.warn(`资产变更监听中断，${seconds} 秒后重连 / Lost the asset-change listener; reconnecting in ${seconds} s${reason ? `: ${reason}` : ''}`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(true);
    }, delay);
    this.retryTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }
}
