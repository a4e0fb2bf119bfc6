import { Inject, Injectable } from '@nestjs/common';
import { AssetsService } from '../../assets/index.js';
import { AuditService } from '../../audit/index.js';
import { ClassificationService } from '../../classification/index.js';
import { Database } from '../../database/index.js';
import { SETTINGS_TOKEN, type Settings } from '../../config/index.js';
import type { EventStore } from '../../events/index.js';
import { EVENT_STORE } from '../../events/index.js';
import { IncidentsService } from '../../incidents/index.js';
import { IngestService } from '../../ingest/index.js';
import { appliesTo, type FactsSnapshot } from '../catalogue/index.js';
import { toAssetFacts } from './asset-facts.js';
import { FactsRepository } from './facts.repository.js';
import { AddressPlaces, connectionsAbroad } from './places.js';

/** The subject of organisation-wide and monitor controls. */
export const ORGANISATION_ID = 'organisation';
/** Distinct destinations read per asset; more than this is a scan, and the top ones suffice. */
const PEERS_PER_ASSET = 10_000;
/** Assets whose data must stay in China: their peers are searched for addresses abroad. */
const LOCALISED = ['cii', 'important_data', 'personal_data', 'automotive_data'] as const;

export type FactsStep = 'assets' | 'events' | 'connections' | 'hosts' | 'incidents' | 'audit_chain';
export const FACTS_STEPS: readonly FactsStep[] = ['assets', 'events', 'connections', 'hosts', 'incidents', 'audit_chain'];

/**
 * Gathers the facts snapshot an audit evaluates, from the live registry, settings, event store,
 * ingest, incidents and audit trail. Built once per run and stored with it.
 */
@Injectable()
export class FactsBuilder {
  private readonly stored = new FactsRepository();

  constructor(
    private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly assets: AssetsService,
    private readonly places: AddressPlaces,
    private readonly ingest: IngestService,
    private readonly classification: ClassificationService,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditService,
  ) {}

  async build(onStep: (step: FactsStep) => Promise<void> | void = () => undefined, now = new Date()): Promise<FactsSnapshot> {
    const registry = await this.assets.registry();
    const ids = registry.map((a) => a.id);
    const records = await this.stored.records(this.db, ids);
    const people = await this.classification.peopleEstimates(ids);
    // The monitor masks (or hashes) personal data in every asset's logs before storing them, or in none.
    const maskingEnabled = this.settings.TAISHI_PII_MASKING !== 'keep';
    const assets = registry.map((a) => toAssetFacts(a, records.get(a.id), { maskingEnabled, peopleSeen: people.get(a.id)?.atLeast ?? 0 }));
    const installed = await this.stored.monitorInstalledAt(this.db);
    await onStep('assets');

    const live = assets.filter((a) => a.lifecycle !== 'retired');
    const [oldest, latest, linesByAsset] = await Promise.all([this.store.oldest(), this.store.latestByAsset(live.map((a) => a.id)), this.linesByAsset(live.length, now)]);
    await onStep('events');

    const since = new Date(now.getTime() - this.settings.TAISHI_COMPLIANCE_LOOKBACK_DAYS * 86_400_000);
    const foreignConnectionsByAsset: FactsSnapshot['events']['foreignConnectionsByAsset'] = {};
    for (const asset of live.filter((a) => LOCALISED.some((s) => appliesTo(s, a)))) {
      const query = { from: since, to: now, filters: { 'taishi.asset_id': [asset.id] } };
      // only where the asset's events went: a visitor from abroad is not data leaving the country
      const destinations = await this.store.countBy('destination.ip', query, PEERS_PER_ASSET);
      const abroad = connectionsAbroad(destinations, asset.addresses, this.places);
      if (abroad.count > 0) foreignConnectionsByAsset[asset.id] = abroad;
    }
    await onStep('connections');

    const unregisteredHosts = (await this.ingest.unregisteredHosts()).map((h) => ({ address: h.address, eventCount: h.eventCount }));
    await onStep('hosts');
    const incidents = await this.incidents.auditFacts();
    await onStep('incidents');
    const chain = await this.audit.verify();
    await onStep('audit_chain');

    return {
      now: now.toISOString(),
      organisation: { id: ORGANISATION_ID, name: this.settings.TAISHI_ORGANISATION_NAME },
      ...(installed ? { monitorInstalledAt: installed.toISOString() } : {}),
      assets,
      settings: { retentionDays: this.settings.TAISHI_RETENTION_DAYS, lockoutThreshold: this.settings.TAISHI_LOCKOUT_THRESHOLD, lockoutMinutes: this.settings.TAISHI_LOCKOUT_MINUTES, organisationType: this.settings.TAISHI_ORGANISATION_TYPE },
      events: {
        oldestEventAt: oldest?.toISOString() ?? null,
        lastEventAtByAsset: Object.fromEntries([...latest].map(([id, at]) => [id, at.toISOString()])),
        foreignConnectionsByAsset,
        linesByAsset,
      },
      unregisteredHosts,
      incidents,
      auditChain: { ok: chain.ok, checked: chain.checked, ...(chain.firstBroken ? { firstBrokenId: chain.firstBroken.id } : {}) },
    };
  }

  /** Per asset, the last day's lines and those no parser turned into a known action: two counts over the store, whatever its kind. */
  private async linesByAsset(assets: number, now: Date): Promise<Record<string, { lines: number; unrecognised: number }>> {
    if (assets === 0) return {};
    const day = { from: new Date(now.getTime() - 86_400_000), to: now };
    const [all, unknown] = await Promise.all([
      this.store.countBy('taishi.asset_id', day, assets),
      this.store.countBy('taishi.asset_id', { ...day, filters: { 'event.action': ['unknown'] } }, assets),
    ]);
    const unrecognised = new Map(unknown.map((u) => [u.value, u.count]));
    return Object.fromEntries(all.map((a) => [a.value, { lines: a.count, unrecognised: unrecognised.get(a.value) ?? 0 }]));
  }
}
