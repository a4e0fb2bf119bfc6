import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { AuditService } from '../audit/index.js';
import type { Caller, Language } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import type { EventStore, FilterField, StoredEvent } from '../events/index.js';
import { EVENT_STORE } from '../events/index.js';
import { IngestService } from '../ingest/index.js';
import { Database, LockId, withLockIfFree } from '../database/index.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { Scheduler } from '../platform/index.js';
import { Clock } from '../shared/index.js';
import { AlertsService } from './alerts/alerts.service.js';
import { CorrelationFeed } from './correlation-feed.js';
import { DetectionEngine, actorsOf, type CorrelationInput, type RuleFiring } from './detection-engine.js';
import { indexFilters, type IndexKey } from './logsources.js';
import { dormancyText, latestByGroup, scheduleOf } from './rule-pack.js';
import { CONSEQUENCES, ruleErrors, type Consequence } from './errors.js';
import { ExceptionsService } from './exceptions.service.js';
import { RuleCatalogue } from './rule-catalogue.js';
import { RuleSettingsRepository } from './rule-settings.repository.js';
import type { SigmaCorrelation, SigmaRule } from './sigma/index.js';
import { checkRuleFileIsolated, loadRuleText, MAX_RULE_FILE_BYTES, type RuleFileCheckRequest, type RuleFileVerdict } from './rule-file-check.js';

const MAX_TEST_EVENTS = 2000;

export interface RuleTestResult {
  rules: { id: string; title: string; level: string; kind: string }[];
  events: { index: number; timestamp: string; dataset: string; action: string; message: string | null; matchedBy: string[] }[];
  firings: { ruleId: string; title: string; level: string; kind: string; groupKey: string; eventIndex: number | null; at: string }[];
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Pasted events: a JSON array, or one event (JSON object or log line) per line. */
function testLines(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const items = JSON.parse(trimmed) as unknown;
      if (Array.isArray(items)) return items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    } catch {
      // not a JSON array: read line by line
    }
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

/**
 * Runs the rule pack on every stored batch and turns firings into alerts. Rule files are watched
 * and reloaded without a restart; a reload that fails keeps the rules that were running.
 * A listening service counts correlations through the shared feed (see CorrelationFeed): one
 * instance keeps the windows, and a restart, reload or hand-over replays the recent past into
 * them. CLI commands keep their windows in their own engine.
 */
@Injectable()
export class DetectionService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Detection');
  private engine: DetectionEngine | undefined;
  private errors: string[] = [];
  private loadedAt: Date | undefined;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;
  private recording: Promise<void> = Promise.resolve();
  private feed: CorrelationFeed | undefined;
  private feeding: Promise<void> = Promise.resolve();
  /** Uploads and deletions of rule files, one at a time (each checks ids against the running rules). */
  private ruleFileChanges: Promise<unknown> = Promise.resolve();
  private readonly alertFailures;
  private readonly feedFailures;
  private readonly evaluateSeconds;
  private readonly ruleSettings = new RuleSettingsRepository();

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly alerts: AlertsService,
    private readonly ingest: IngestService,
    private readonly audit: AuditService,
    private readonly exceptions: ExceptionsService,
    private readonly catalogue: RuleCatalogue,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly db: Database,
    metrics: MetricsRegistry,
  ) {
    this.alertFailures = metrics.counter('taishi_alert_write_errors_total', 'Batches of rule firings that could not be written as alerts');
    this.feedFailures = metrics.counter('taishi_correlation_feed_errors_total', 'Batches of correlation matches that could not be written to (or read from) the shared feed');
    metrics.gauge('taishi_correlation_owner', '1 on the instance that keeps the correlation windows').track({}, () => (this.feed?.owner ? 1 : 0));
    this.evaluateSeconds = metrics.histogram('taishi_detection_batch_seconds', 'Rule evaluation time per batch', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1]);
    metrics.gauge('taishi_detection_rules', 'Rules loaded').track({}, () => this.engine?.ruleCount ?? 0);
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.ingest.onStored((events) => this.process(events));
    if (this.scheduler.listening) {
      this.feed = new CorrelationFeed(this.db, this.clock, () => this.engine?.longestTimespanMs ?? 0, (inputs) => this.record(inputs.flatMap((i) => this.engine?.correlate(i) ?? [])));
      // The first instance up keeps the windows from the start; the others write to the feed.
      await this.feed.poll().catch((e: Error) => this.feedFailed(e));
      this.scheduler.every('correlation-feed', 1_000, () => this.feed?.poll().catch((e: Error) => this.feedFailed(e)));
      this.scheduler.once('correlation-feed-prune', 3_600_000, () => this.feed?.prune());
    }
    // Only the windows' keeper closes them.
    this.scheduler.every('correlation-windows', 30_000, () => (!this.feed || this.feed.owner) && this.record(this.engine?.advance(this.clock.now()) ?? []));
    this.scheduler.every('scheduled-rules', 60_000, () => this.runScheduled(this.clock.now(), false));
    for (const target of [this.settings.TAISHI_RULES_DIR, this.settings.TAISHI_LOGSOURCES, this.settings.TAISHI_RULE_PLACEHOLDERS]) {
      try {
        this.watchers.push(watch(path.resolve(target), { recursive: true }, () => this.scheduleReload()));
      } catch (error) {
        this.logger.warn(`Cannot watch ${target} for changes (${(error as Error).message}); use POST /api/rules/reload`);
      }
    }
  }

  // Before the database closes: pending alert writes (and the incidents they open) still need it.
  async beforeApplicationShutdown(): Promise<void> {
    for (const w of this.watchers) w.close();
    for (const job of ['correlation-windows', 'scheduled-rules', 'correlation-feed', 'correlation-feed-prune']) this.scheduler.cancel(job);
    clearTimeout(this.reloadTimer);
    await this.feeding;
    await this.recording;
    await this.feed?.close();
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    // Editors write a file in several steps; wait for them to finish.
    this.reloadTimer = setTimeout(() => void this.reload(), 300);
  }

  async reload(): Promise<{ rules: number; errors: string[] }> {
    try {
      const { engine, errors } = DetectionEngine.fromFiles(
        { rules: this.settings.TAISHI_RULES_DIR, logsources: this.settings.TAISHI_LOGSOURCES, placeholders: this.settings.TAISHI_RULE_PLACEHOLDERS },
        await this.ruleSettings.disabledRuleIds(this.db),
      );
      if (this.engine) engine.keepCountersOf(this.engine);
      const replaced = this.engine !== undefined;
      this.engine = engine;
      this.errors = errors;
      if (replaced) await this.feed?.replay().catch((e: Error) => this.feedFailed(e));
      this.catalogue.replace([...engine.pack.rules.map((r) => r.rule), ...engine.pack.correlations, ...engine.pack.dormant.map((d) => d.rule)]);
      this.loadedAt = this.clock.now();
      for (const e of errors) this.logger.warn(`Rule not loaded: ${e}`);
      const dormant = engine.pack.dormant.length;
      this.logger.log(`Loaded ${engine.ruleCount} rules and ${engine.pack.correlations.length} correlations${dormant ? `; ${dormant} dormant (no source or placeholder value yet)` : ''}${errors.length ? `; ${errors.length} problem(s)` : ''}`);
      return { rules: engine.ruleCount + engine.pack.correlations.length, errors };
    } catch (error) {
      this.logger.error(`Reloading rules failed; keeping the rules that were running: ${(error as Error).message}`);
      this.errors = [(error as Error).message];
      return { rules: this.engine?.ruleCount ?? 0, errors: this.errors };
    }
  }

  process(events: StoredEvent[]): void {
    if (!this.engine) return;
    const started = process.hrtime.bigint();
    const engine = this.engine;
    const feed = this.feed;
    // The windows' keeper counts its own matches at once, so a correlation fires in the batch that
    // completed it, as on a single instance; the others leave them to the keeper through the feed.
    const counted: CorrelationInput[] = [];
    const counting = feed?.owner ?? true;
    const firings = engine.evaluate(events, (input) => (counted.push(input), counting ? engine.correlate(input) : []));
    this.evaluateSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.record(firings);
    if (feed && counted.length) this.feeding = this.feeding.then(() => feed.write(counted, counting)).catch((e: Error) => this.feedFailed(e));
  }

  private feedFailed(error: Error): void {
    this.feedFailures.inc();
    this.logger.error(`Correlation feed: ${error.message}`);
  }

  /** Alert writes run one after another, so grouping sees every earlier firing. */
  private record(firings: RuleFiring[]): void {
    if (!firings.length) return;
    this.recording = this.recording
      .then(async () => {
        const kept = await this.exceptions.filter(firings);
        await this.alerts.record(
          kept.map((f) => ({
            ruleId: f.ruleId,
            ruleTitle: f.title,
            ruleKind: f.kind,
            level: f.level,
            tags: f.tags,
            groupKey: f.groupKey,
            assetId: f.event.taishi?.asset_id,
            department: f.event.taishi?.department,
            eventIds: [f.event.event.id],
            actors: actorsOf(f),
            at: f.at,
          })),
        );
      })
      .catch((error: Error) => {
        this.alertFailures.inc();
        this.logger.error(`Writing ${firings.length} rule firings as alerts failed: ${error.message}`);
      });
  }

  /**
   * Absence rules (x-taishi-schedule): each run looks at the whole baseline window, so runs
   * overlap and no stretch of time falls between two of them. With several Taishi instances an
   * advisory lock lets one of them run each rule. `force` runs every rule regardless of its period.
   */
  async runScheduled(now: Date, force = true): Promise<{ rule: string; silent: string[] }[]> {
    const engine = this.engine;
    if (!engine) return [];
    const results: { rule: string; silent: string[] }[] = [];
    for (const rule of engine.scheduled) {
      const schedule = scheduleOf(rule.rule)!;
      const id = rule.rule.id ?? rule.rule.title;
      // Each period of a rule is claimed once across instances; a forced run (an operator's) is not.
      if (!force && !(await this.scheduler.claim(`scheduled-rule:${id}`, schedule.everyMs, now.getTime()))) continue;
      await withLockIfFree(
        this.db,
        LockId.ScheduledRule,
        async () => {
          const matching = await this.scheduledEvents(rule.logsource.indexKey, new Date(now.getTime() - schedule.baselineMs), now, (e) => rule.matches(e));
          const latest = latestByGroup(schedule, matching, engine.mapping, now.getTime());
          const silent = [...latest].filter(([, { ts }]) => ts < now.getTime() - schedule.lookbackMs);
          results.push({ rule: id, silent: silent.map(([group]) => group).sort() });
          this.record(
            silent.map(([group, { event }]) => ({
              kind: 'scheduled' as const,
              ruleId: id,
              title: rule.rule.title,
              level: rule.rule.level ?? 'medium',
              tags: rule.rule.tags ?? [],
              groupKey: `${schedule.groupBy.join('|')}=${group}`,
              event: event as StoredEvent,
              at: now,
            })),
          );
        },
        id,
      );
    }
    return results;
  }

  /** Events of the rule's datasets (or modules) in the window, oldest first, that the rule matches. */
  private async scheduledEvents(key: IndexKey, from: Date, to: Date, matches: (e: StoredEvent) => boolean): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    const filters: Partial<Record<FilterField, string[]>> = indexFilters(key);
    let after: string | undefined;
    let scanned = 0;
    do {
      const page = await this.store.search({ from, to, filters }, { limit: 1000, after, order: 'asc' });
      for (const e of page.events) if (matches(e)) out.push(e);
      scanned += page.events.length;
      after = page.next;
    } while (after && scanned < 500_000);
    if (after) this.logger.warn(`Scheduled rule window held more than 500,000 events; the rest were not examined`);
    return out;
  }

  /** Resolves once every firing so far is written and this instance's matches are in the feed (tests and shutdown wait on it). */
  async settled(): Promise<void> {
    await this.feeding;
    await this.recording;
  }

  /** Every rule with its state and counters, titles in `language`, and the load problems. */
  status(language: Language = 'zh-CN') {
    const rules = (this.engine?.ruleStats() ?? []).map((r) => ({ ...r, title: this.catalogue.title(r.id, r.title, language), author: this.catalogue.author(r.id) }));
    return { loadedAt: this.loadedAt?.toISOString() ?? null, rules, errors: this.errors, warnings: this.engine?.pack.warnings ?? [] };
  }

  /** `POST /api/rules/validate`: the Sigma rules of a file, checked off the event loop; nothing is saved. */
  async validate(yamlText: string): Promise<{ valid: boolean; rules: number; correlations: number; errors: string[] }> {
    const verdict = await this.checkRuleFile(yamlText, 'syntax', CONSEQUENCES.checked);
    return { valid: verdict.errors.length === 0, rules: verdict.rules, correlations: verdict.correlations, errors: verdict.errors };
  }

  /**
   * Saves an uploaded rule file under `uploaded/` in the rules folder once it validates against the
   * same mapping and placeholders as the running rules, then reloads. All or nothing: the file is
   * moved into place inside the transaction that writes its audit record, and taken back out if
   * that transaction fails or the rules do not load.
   */
  upload(yamlText: string, caller: Caller): Promise<{ file: string; rules: number; correlations: number; dormant: RuleFileVerdict['dormant'] }> {
    return this.oneRuleFileChange(async () => {
      const verdict = await this.acceptedRuleFile(yamlText, CONSEQUENCES.saved);
      const known = new Set(this.status().rules.map((r) => r.id));
      const clash = verdict.ids.find((id) => known.has(id));
      if (clash) throw ruleErrors.already_loaded({ id: clash });
      const sha256 = createHash('sha256').update(yamlText).digest('hex');
      const first = verdict.ids[0] ?? sha256.slice(0, 16);
      const target = path.join(this.uploadedDir(), `${first.replace(/[^\w.-]/g, '_')}.yml`);
      if (await exists(target)) throw ruleErrors.upload_name_taken({ file: path.basename(target) });
      await mkdir(path.dirname(target), { recursive: true });
      // Not *.yml: a reload in between does not see the file before it is audited.
      const partial = path.join(path.dirname(target), `.${randomUUID()}.partial`);
      await writeFile(partial, yamlText);
      let moved = false;
      try {
        await this.audit.change(async () => {
          await rename(partial, target);
          moved = true;
          return { result: undefined, record: { ...caller, action: 'rule.upload', targetType: 'rule', targetId: first, after: { file: target, sha256, ids: verdict.ids } } };
        });
      } catch (error) {
        await rm(moved ? target : partial, { force: true });
        throw error;
      }
      const { errors } = await this.reload();
      if (this.documentsOf(target).length !== verdict.rules + verdict.correlations) {
        await rm(target, { force: true });
        await this.reload();
        await this.audit.record({ ...caller, action: 'rule.upload', targetType: 'rule', targetId: first, outcome: 'failure', before: { file: target, sha256, ids: verdict.ids } });
        throw ruleErrors.upload_not_loaded({}, errors);
      }
      return { file: path.relative(process.cwd(), target), rules: verdict.rules, correlations: verdict.correlations, dormant: verdict.dormant };
    });
  }

  /**
   * Deletes an uploaded rule: the file it came from (with every rule in that file, all named in the
   * answer and the audit record) leaves the disk and the running engine. Rules shipped in the rules
   * folder are not deleted through the API, nor a rule that a correlation in another file uses.
   */
  deleteUploaded(id: string, caller: Caller): Promise<{ file: string; removed: string[] }> {
    return this.oneRuleFileChange(async () => {
      const engine = this.engine;
      const row = this.status().rules.find((r) => r.id === id);
      if (!engine || !row) throw ruleErrors.not_found({ id });
      const file = path.resolve(row.file);
      if (!file.startsWith(this.uploadedDir() + path.sep)) {
        throw ruleErrors.not_uploaded({ id, file: row.file });
      }
      const inFile = this.documentsOf(file);
      const removed = inFile.map((d) => d.id ?? d.name ?? d.title);
      const refs = new Set(inFile.flatMap((d) => [d.id, d.name].filter((x): x is string => !!x).map((x) => x.toLowerCase())));
      const users = engine.pack.correlations.filter((c) => path.resolve(c.file) !== file && c.rules.some((r) => refs.has(r.ref.toLowerCase())));
      if (users.length) {
        throw ruleErrors.used_by_correlations({ correlations: users.map((c) => c.id ?? c.name ?? c.title) });
      }
      const content = await readFile(file);
      let deleted = false;
      try {
        await this.audit.change(async (m) => {
          await this.ruleSettings.forget(m, removed);
          await rm(file);
          deleted = true;
          return { result: undefined, record: { ...caller, action: 'rule.delete', targetType: 'rule', targetId: id, before: { file, sha256: createHash('sha256').update(content).digest('hex'), ids: removed } } };
        });
      } catch (error) {
        if (deleted) await writeFile(file, content);
        throw error;
      }
      await this.reload();
      return { file: path.relative(process.cwd(), file), removed };
    });
  }

  /** The running rules and correlations that came from one file. */
  private documentsOf(file: string): (SigmaRule | SigmaCorrelation)[] {
    const pack = this.engine?.pack;
    return pack ? [...pack.rules.map((r) => r.rule), ...pack.correlations].filter((d) => path.resolve(d.file) === file) : [];
  }

  private uploadedDir(): string {
    return path.join(path.resolve(this.settings.TAISHI_RULES_DIR), 'uploaded');
  }

  private oneRuleFileChange<T>(change: () => Promise<T>): Promise<T> {
    const next = this.ruleFileChanges.then(change, change);
    this.ruleFileChanges = next.catch(() => undefined);
    return next;
  }

  /**
   * A rule file from the API, checked in a worker thread with a size, time and memory limit:
   * too large is 413, past a processing limit (an alias bomb, say) 422.
   */
  private async checkRuleFile(yamlText: string, mode: RuleFileCheckRequest['mode'], consequence: Consequence): Promise<RuleFileVerdict> {
    const bytes = Buffer.byteLength(yamlText);
    if (bytes > MAX_RULE_FILE_BYTES) {
      throw ruleErrors.file_too_large({ bytes, limit: MAX_RULE_FILE_BYTES });
    }
    const verdict = await checkRuleFileIsolated({ text: yamlText, fileName: 'uploaded.yml', mode, logsources: this.settings.TAISHI_LOGSOURCES, placeholders: this.settings.TAISHI_RULE_PLACEHOLDERS });
    if (verdict.limit) {
      throw ruleErrors.file_over_limit({ consequence, limit: verdict.limit }, verdict.errors);
    }
    return verdict;
  }

  /** A rule file that loads against the running mapping and placeholders; any problem is a 400 listing every one. */
  private async acceptedRuleFile(yamlText: string, consequence: Consequence): Promise<RuleFileVerdict> {
    const verdict = await this.checkRuleFile(yamlText, 'pack', consequence);
    const n = verdict.errors.length;
    if (n) throw ruleErrors.file_invalid({ count: n, consequence }, verdict.errors);
    if (!verdict.rules && !verdict.correlations && !verdict.dormant.length) throw ruleErrors.file_empty();
    return verdict;
  }

  /** A rule file accepted by the isolated check, compiled here (a bounded amount of work once accepted). */
  private async candidateEngine(yamlText: string, consequence: Consequence): Promise<DetectionEngine> {
    await this.acceptedRuleFile(yamlText, consequence);
    return loadRuleText(yamlText, 'uploaded.yml', { logsources: this.settings.TAISHI_LOGSOURCES, placeholders: this.settings.TAISHI_RULE_PLACEHOLDERS }).engine;
  }

  /**
   * Runs one loaded rule (by id, enabled or not) or a pasted rule file over pasted events, through
   * the live pipeline's parsing and masking, on a fresh engine: nothing is stored, no alert is raised,
   * the running rules' counters and correlation windows are untouched.
   */
  async testRule(input: { ruleId?: string; yaml?: string; events: string }): Promise<RuleTestResult> {
    if ((input.ruleId === undefined) === (input.yaml === undefined)) throw ruleErrors.test_one_source();
    let engine: DetectionEngine;
    if (input.yaml !== undefined) engine = await this.candidateEngine(input.yaml, CONSEQUENCES.tested);
    else {
      const running = this.engine;
      const row = running?.ruleStats().find((r) => r.id === input.ruleId);
      if (!running || !row) throw ruleErrors.not_found({ id: input.ruleId });
      if (row.reason) throw ruleErrors.dormant({ reason: row.reason.text });
      engine = new DetectionEngine(running.pack, running.mapping);
    }
    const lines = testLines(input.events);
    if (lines.length > MAX_TEST_EVENTS) throw ruleErrors.too_many_test_events({ max: MAX_TEST_EVENTS, count: lines.length });
    const records = lines.map((line) => {
      if (line.startsWith('{')) {
        try {
          return { json: JSON.parse(line) as unknown, original: line };
        } catch {
          // not JSON after all: parsed as a log line below
        }
      }
      return { text: line };
    });
    const events = await this.ingest.preview(records, { source: 'rule-test', transport: 'http', receivedAt: this.clock.now(), timeZone: this.settings.TAISHI_TIME_ZONE });
    const wanted = (id: string) => input.ruleId === undefined || id === input.ruleId;
    // Rule matches first (they change nothing), then the firings, correlations included.
    const matchedBy = events.map((e) => new Set(engine.matchingRules(e).filter(wanted)));
    const index = new Map(events.map((e, i) => [e.event.id, i]));
    const lastTime = Math.max(0, ...events.map((e) => Date.parse(e['@timestamp']) || 0));
    // Windows still open after the last event are judged as if time had moved on, as `taishi hunt` does.
    const firings = [...engine.evaluate(events), ...engine.advance(new Date(lastTime + 366 * 86_400_000))].filter((f) => wanted(f.ruleId));
    for (const f of firings) {
      const i = index.get(f.event.event.id);
      if (i !== undefined) matchedBy[i].add(f.ruleId);
    }
    return {
      rules: engine.ruleStats().map((r) => ({ id: r.id, title: r.title, level: r.level, kind: r.kind })).filter((r) => input.ruleId === undefined || r.id === input.ruleId),
      events: events.map((e, i) => ({
        index: i,
        timestamp: e['@timestamp'],
        dataset: e.event.dataset,
        action: e.event.action,
        message: e.message ?? null,
        matchedBy: [...matchedBy[i]],
      })),
      firings: firings.map((f) => ({ ruleId: f.ruleId, title: f.title, level: f.level, kind: f.kind, groupKey: f.groupKey, eventIndex: index.get(f.event.event.id) ?? null, at: f.at.toISOString() })),
    };
  }

  async setEnabled(ruleId: string, enabled: boolean, caller: Caller): Promise<void> {
    await this.audit.change(async (m) => {
      await this.ruleSettings.setEnabled(m, ruleId, enabled, caller.principal.kind === 'user' ? caller.principal.username : caller.principal.kind);
      return { result: undefined, record: { ...caller, action: enabled ? 'rule.enable' : 'rule.disable', targetType: 'rule', targetId: ruleId } };
    });
    await this.reload();
  }
}
