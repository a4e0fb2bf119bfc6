import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { AuditService } from '../audit/index.js';
import type { Caller, Language } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { Database } from '../database/index.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { Clock } from '../shared/index.js';
import { DetectionEngine } from './detection-engine.js';
import { ruleCacheDir } from './rule-cache.js';
import { RuleCatalogue } from './rule-catalogue.js';
import { RuleSettingsRepository } from './rule-settings.repository.js';

/**
 * The running rule pack: loaded from the rule files at start, reloaded when they change (or on
 * request, or when a rule is enabled or disabled) without a restart. A reload that fails keeps the
 * rules that were running. Nest initialises this before the providers that inject it, so they find
 * the rules loaded.
 */
@Injectable()
export class RulePackService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Detection');
  private current: DetectionEngine | undefined;
  private errors: string[] = [];
  private loadedAt: Date | undefined;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;
  private readonly replacedListeners: (() => Promise<void>)[] = [];
  private readonly ruleSettings = new RuleSettingsRepository();

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly catalogue: RuleCatalogue,
    private readonly clock: Clock,
    private readonly db: Database,
    metrics: MetricsRegistry,
  ) {
    metrics.gauge('taishi_detection_rules', 'Rules loaded').track({}, () => this.current?.ruleCount ?? 0);
  }

  /** The engine of the running rules; undefined until the first load. */
  get engine(): DetectionEngine | undefined {
    return this.current;
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    for (const target of [this.settings.TAISHI_RULES_DIR, this.settings.TAISHI_LOGSOURCES, this.settings.TAISHI_RULE_PLACEHOLDERS]) {
      try {
        this.watchers.push(watch(path.resolve(target), { recursive: true }, () => this.scheduleReload()));
      } catch (error) {
        this.logger.warn(`Cannot watch ${target} for changes (${(error as Error).message}); use POST /api/rules/reload`);
      }
    }
  }

  beforeApplicationShutdown(): void {
    for (const w of this.watchers) w.close();
    clearTimeout(this.reloadTimer);
  }

  /** `listener` runs after each reload that replaced running rules, before the reload answers. */
  onReplaced(listener: () => Promise<void>): void {
    this.replacedListeners.push(listener);
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    // Editors write a file in several steps; wait for them to finish.
    this.reloadTimer = setTimeout(() => void this.reload(), 300);
  }

  async reload(): Promise<{ rules: number; errors: string[] }> {
    try {
      const { engine, errors } = DetectionEngine.fromFiles(
        { rules: this.settings.TAISHI_RULES_DIR, logsources: this.settings.TAISHI_LOGSOURCES, placeholders: this.settings.TAISHI_RULE_PLACEHOLDERS, cache: ruleCacheDir(this.settings.TAISHI_RULE_CACHE) },
        await this.ruleSettings.disabledRuleIds(this.db),
      );
      if (this.current) engine.keepCountersOf(this.current);
      const replaced = this.current !== undefined;
      this.current = engine;
      this.errors = errors;
      if (replaced) for (const listener of this.replacedListeners) await listener();
      this.catalogue.replace([...engine.pack.rules.map((r) => r.rule), ...engine.pack.correlations, ...engine.pack.dormant.map((d) => d.rule)]);
      this.loadedAt = this.clock.now();
      for (const e of errors) this.logger.warn(`Rule not loaded: ${e}`);
      const dormant = engine.pack.dormant.length;
      this.logger.log(`Loaded ${engine.ruleCount} rules and ${engine.pack.correlations.length} correlations${dormant ? `; ${dormant} dormant (no source or placeholder value yet)` : ''}${errors.length ? `; ${errors.length} problem(s)` : ''}`);
      return { rules: engine.ruleCount + engine.pack.correlations.length, errors };
    } catch (error) {
      this.logger.error(`Reloading rules failed; keeping the rules that were running: ${(error as Error).message}`);
      this.errors = [(error as Error).message];
      return { rules: this.current?.ruleCount ?? 0, errors: this.errors };
    }
  }

  /** Every rule with its state and counters, titles in `language`, and the load problems. */
  status(language: Language = 'zh-CN') {
    const rules = (this.current?.ruleStats() ?? []).map((r) => ({ ...r, title: this.catalogue.title(r.id, r.title, language), author: this.catalogue.author(r.id) }));
    return { loadedAt: this.loadedAt?.toISOString() ?? null, rules, errors: this.errors, warnings: this.current?.pack.warnings ?? [] };
  }

  async setEnabled(ruleId: string, enabled: boolean, caller: Caller): Promise<void> {
    await this.audit.change(async (m) => {
      await this.ruleSettings.setEnabled(m, ruleId, enabled, caller.principal.kind === 'user' ? caller.principal.username : caller.principal.kind);
      return { result: undefined, record: { ...caller, action: enabled ? 'rule.enable' : 'rule.disable', targetType: 'rule', targetId: ruleId } };
    });
    await this.reload();
  }
}
