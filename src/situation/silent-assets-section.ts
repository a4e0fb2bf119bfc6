import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AssetsService } from '../assets/index.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import type { EventStore } from '../events/index.js';
import { EVENT_STORE } from '../events/index.js';
import type { SituationContribution, SituationScope } from './provider.js';
import { SituationService } from './situation.service.js';

const LISTED = 20;

/**
 * Registered assets that sent nothing in their expected interval: the asset's own when it has one
 * (a camera's 15-minute heartbeat, a monthly batch job), else TAISHI_EXPECTED_INTERVAL_MINUTES.
 * No events is not the same as nothing wrong: the situation page lists them as "no data" instead
 * of letting them count as safe.
 */
@Injectable()
export class SilentAssetsSituationSection implements OnModuleInit {
  constructor(
    private readonly situation: SituationService,
    private readonly assets: AssetsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
  ) {}

  onModuleInit(): void {
    this.situation.register({ key: 'silentAssets', contribute: (scope) => this.contribute(scope) });
  }

  async contribute(scope: SituationScope): Promise<SituationContribution> {
    const defaultIntervalMinutes = this.settings.TAISHI_EXPECTED_INTERVAL_MINUTES;
    // Every running asset, not a page of them: a cap would hide the silent ones past it.
    const sending = await this.assets.sending(scope.principal);
    const latest = await this.store.latestByAsset(sending.map((a) => a.id));
    const silent = sending
      .map((a) => ({
        id: a.id,
        name: a.name,
        department: a.department,
        lastEventAt: latest.get(a.id)?.toISOString() ?? null,
        intervalMinutes: a.expectedIntervalMinutes ?? defaultIntervalMinutes,
        intervalSource: a.expectedIntervalMinutes === null ? ('default' as const) : ('asset' as const),
      }))
      .filter((a) => a.lastEventAt === null || Date.parse(a.lastEventAt) < scope.to.getTime() - a.intervalMinutes * 60_000)
      .sort((a, b) => (a.lastEventAt ?? '').localeCompare(b.lastEventAt ?? '') || a.name.localeCompare(b.name));
    return { data: { defaultIntervalMinutes, registered: sending.length, total: silent.length, items: silent.slice(0, LISTED) } };
  }
}
