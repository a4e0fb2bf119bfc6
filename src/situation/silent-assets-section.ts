import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AssetsService } from '../assets/index.js';
import type { EventStore } from '../events/index.js';
import { EVENT_STORE } from '../events/index.js';
import type { SituationContribution, SituationScope } from './provider.js';
import { SituationService } from './situation.service.js';

/** How long a registered, running asset may stay quiet before its silence is news. */
export const EXPECTED_INTERVAL_HOURS = 24;
const LISTED = 20;
/** Lifecycles in which an asset is expected to send events. */
const SENDING = new Set(['active', 'maintenance']);

/**
 * Registered assets that sent nothing in their expected interval. No events is not the same as
 * nothing wrong: the situation page lists them as "no data" instead of letting them count as safe.
 */
@Injectable()
export class SilentAssetsSituationSection implements OnModuleInit {
  constructor(
    private readonly situation: SituationService,
    private readonly assets: AssetsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onModuleInit(): void {
    this.situation.register({ key: 'silentAssets', contribute: (scope) => this.contribute(scope) });
  }

  async contribute(scope: SituationScope): Promise<SituationContribution> {
    const { items } = await this.assets.list({ limit: 1000 }, scope.principal);
    const sending = items.filter((a) => SENDING.has(a.lifecycle ?? 'active'));
    const latest = await this.store.latestByAsset(sending.map((a) => a.id));
    const since = scope.to.getTime() - EXPECTED_INTERVAL_HOURS * 3_600_000;
    const silent = sending
      .map((a) => ({ id: a.id, name: a.name, department: a.department, lastEventAt: latest.get(a.id)?.toISOString() ?? null }))
      .filter((a) => a.lastEventAt === null || Date.parse(a.lastEventAt) < since)
      .sort((a, b) => (a.lastEventAt ?? '').localeCompare(b.lastEventAt ?? '') || a.name.localeCompare(b.name));
    return { data: { intervalHours: EXPECTED_INTERVAL_HOURS, registered: sending.length, total: silent.length, items: silent.slice(0, LISTED) } };
  }
}
