import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Database, type ChannelListening } from '../database/index.js';
import { ASSET_CHANGES_CHANNEL } from './asset-change-notice.js';
import { AssetsService } from './assets.service.js';

/**
 * Turns other processes' registry notices into `AssetsService.changes` events. Our own changes come
 * back too; reloading once more is cheaper than telling them apart.
 */
@Injectable()
export class AssetChangeListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Assets');
  private listening: ChannelListening | undefined;

  constructor(
    private readonly db: Database,
    private readonly assets: AssetsService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.listening = await this.db.listen(ASSET_CHANGES_CHANNEL, 'taishi-asset-changes', {
      notice: () => this.assets.changes.emit('changed'),
      resumed: () => {
        this.logger.log('重新监听资产变更 / Listening for asset registry changes again');
        this.assets.changes.emit('changed');
      },
      lost: (seconds, reason) =>
        this.logger.warn(`资产变更监听中断，${seconds} 秒后重连 / Lost the asset-change listener; reconnecting in ${seconds} s${reason ? `: ${reason}` : ''}`),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listening?.close();
  }
}
