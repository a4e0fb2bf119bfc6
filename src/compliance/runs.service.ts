import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { actorName, departmentScope, type Caller, type Principal } from '../auth/index.js';
import { organisationNamed, SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { evaluateControl, type CheckStatus, type Control, type FactsSnapshot, type Subject } from './catalogue/index.js';
import { isAssetSelector } from './catalogue/selector.js';
import { applyAttestation } from './attestation-rules.js';
import { AttestationsService, attestationKey } from './attestations.service.js';
import { ControlCatalogue } from './control-catalogue.js';
import { evidenceWords } from './evidence-labels.js';
import type { ResultsQuery } from './dto.js';
import { FACTS_STEPS, FactsBuilder } from './facts/facts-builder.js';
import { FindingsService, type RunResult } from './findings.service.js';
import { ProfilesService, type Profile } from './profiles.service.js';
import { renderReport, type Lang, type ReportFormat } from './report.js';
import type { FrozenControl, ResultView, RunDiff, RunSummary, RunTrigger, RunView } from './run-views.js';
import { complianceErrors } from './errors.js';
import { Clock } from '../shared/index.js';
import { Database } from '../database/index.js';
import { RunsRepository, type RunRow } from './runs.repository.js';


/** A run whose process has not written for this long died with it. */
const STALE_MS = 10 * 60_000;
const HEARTBEAT_MS = 30_000;

function toRunView(r: RunRow): RunView {
  return {
    id: r.id,
    profileId: r.profile_id,
    profileName: r.profile_name,
    trigger: r.trigger,
    scheduledFor: r.scheduled_for?.toISOString() ?? null,
    status: r.status,
    progress: { done: r.progress_done, total: r.progress_total },
    requestedBy: r.requested_by,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    error: r.error,
    summary: r.summary,
  };
}

function freeze(c: Control): FrozenControl {
  return {
    id: c.id,
    title: c.title,
    source: c.source,
    article: c.article,
    ...(c.article2016 ? { article2016: c.article2016 } : {}),
    verification: c.verification,
    appliesTo: c.appliesTo,
    kind: c.check.kind,
    ...(c.check.kind === 'automatic' ? { evaluator: c.check.evaluator } : {}),
    severity: c.severity,
    requirement: c.requirement,
    remediation: c.remediation,
  };
}

const resultKey = (r: { controlId: string; subject: Subject }) => `${r.controlId}|${r.subject.type}|${r.subject.id}`;

/** Owners see that runs happened, not the organisation-wide counts that include other departments. */
export function visibleRun(run: RunView, principal: Principal): RunView {
  return departmentScope(principal) === undefined ? run : { ...run, summary: null };
}

/** Which of the registry's assets a profile audits. */
export function inProfile(profile: Pick<Profile, 'departments' | 'assetIds'>, asset: { id: string; department: string }): boolean {
  return (profile.departments === null || profile.departments.includes(asset.department)) && (profile.assetIds === null || profile.assetIds.includes(asset.id));
}

/**
 * Audit runs: gather the facts, evaluate the profile's controls, apply attestations, store one
 * result per control and subject, and carry the failures into findings, all frozen with the run.
 */
@Injectable()
export class RunsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('ComplianceRuns');
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly stored = new RunsRepository();

  constructor(
    private readonly db: Database,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly catalogue: ControlCatalogue,
    private readonly profiles: ProfilesService,
    private readonly facts: FactsBuilder,
    private readonly findings: FindingsService,
    private readonly attestations: AttestationsService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const failed = await this.stored.failStale(this.db, STALE_MS / 1000);
    if (failed) this.logger.warn(`${failed} interrupted audit run(s) marked failed`);
  }

  /** Lets runs in progress finish while the database is still open, so a stop never leaves a run half-written. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Starts a run in the background and returns it at once. A scheduled run names its slot; when
   * another instance already took the slot, nothing starts and null is returned.
   */
  async start(profileId: string, trigger: RunTrigger, caller: Caller, scheduledFor?: Date, onProgress?: (done: number, total: number) => void): Promise<RunView | null> {
    const profile = await this.profiles.get(profileId);
    const run = await this.audit.change(async (m) => {
      const row = await this.stored.insertRunning(m, { profileId: profile.id, profileName: profile.name, trigger, scheduledFor: scheduledFor ?? null, requestedBy: actorName(caller.principal) });
      if (!row) return { result: null, record: null };
      return { result: toRunView(row), record: { ...caller, action: 'compliance.run.start', targetType: 'compliance_run', targetId: row.id, after: { profileId: profile.id, profileName: profile.name, trigger } } };
    });
    if (!run) return null;
    const work = this.execute(run.id, profile, caller, onProgress).finally(() => this.inFlight.delete(run.id));
    this.inFlight.set(run.id, work);
    return run;
  }

  /** Resolves when a run started by this process has ended (the CLI waits on it). */
  async settled(runId: string): Promise<RunView> {
    await this.inFlight.get(runId);
    return this.get(runId);
  }

  private async execute(runId: string, profile: Profile, caller: Caller, onProgress?: (done: number, total: number) => void): Promise<void> {
    // On the clock, not the scheduler: a CLI run (which schedules nothing) beats too.
    const stopHeartbeat = this.clock.every(HEARTBEAT_MS, () => this.stored.heartbeat(this.db, runId).catch(() => undefined));
    try {
      const now = this.clock.now();
      const catalogue = this.catalogue.load();
      const wanted = profile.controlIds === null ? null : new Set(profile.controlIds);
      const controls = wanted === null ? catalogue : catalogue.filter((c) => wanted.has(c.id));
      const missingControls = wanted === null ? [] : [...wanted].filter((id) => !catalogue.some((c) => c.id === id));
      const total = FACTS_STEPS.length + controls.length;
      let done = 0;
      const step = async () => {
        done++;
        onProgress?.(done, total);
        await this.stored.setProgress(this.db, runId, done, total);
      };
      await this.stored.setTotal(this.db, runId, total);

      const facts = await this.facts.build(step, now);
      // Organisation-wide controls see every asset (an incident on another department's CII
      // system is still a CII incident); per-asset controls see the profile's assets only.
      const scoped: FactsSnapshot = { ...facts, assets: facts.assets.filter((a) => inProfile(profile, a)) };
      const departments = new Map(facts.assets.map((a) => [a.id, a.department]));
      const attested = await this.attestations.latest();
      const results: RunResult[] = [];
      for (const control of controls) {
        for (const raw of evaluateControl(control, isAssetSelector(control.appliesTo) ? scoped : facts)) {
          const result = applyAttestation(raw, attested.get(attestationKey(control.id, raw.subject.type, raw.subject.id)), now);
          results.push({ ...result, controlId: control.id, department: result.subject.type === 'asset' ? (departments.get(result.subject.id) ?? null) : null });
        }
        await step();
      }

      await this.audit.change(async (m) => {
        const changes = await this.findings.reconcileRun(m, runId, results, controls, now);
        await this.stored.insertResults(m, runId, results);
        const byStatus: Record<CheckStatus, number> = { pass: 0, fail: 0, not_applicable: 0, needs_attestation: 0 };
        for (const r of results) byStatus[r.status]++;
        const summary: RunSummary = { results: results.length, byStatus, controls: controls.length, assets: scoped.assets.length, findings: changes, missingControls };
        await this.stored.complete(m, runId, { facts, controls: controls.map(freeze), summary });
        return { result: undefined, record: { ...caller, action: 'compliance.run.complete', targetType: 'compliance_run', targetId: runId, after: { profileId: profile.id, summary } } };
      });
    } catch (error) {
      const message = (error as Error).message;
      this.logger.error(`Audit run ${runId} failed: ${message}`);
      await this.stored.fail(this.db, runId, message.slice(0, 4000)).catch(() => undefined);
      await this.audit.record({ ...caller, action: 'compliance.run.complete', targetType: 'compliance_run', targetId: runId, outcome: 'failure', after: { profileId: profile.id, error: message } }).catch(() => undefined);
    } finally {
      stopHeartbeat();
    }
  }

  async list(query: { profileId?: string; limit?: number }): Promise<RunView[]> {
    return (await this.stored.list(this.db, query.profileId ?? null, query.limit ?? 50)).map(toRunView);
  }

  async get(id: string): Promise<RunView> {
    const row = await this.stored.byId(this.db, id);
    if (!row) throw complianceErrors.run_not_found({ id });
    return toRunView(row);
  }

  /** The controls and facts frozen with a completed run. */
  private async frozen(id: string): Promise<{ controls: FrozenControl[]; facts: FactsSnapshot | null }> {
    const row = await this.stored.frozen(this.db, id);
    if (!row) throw complianceErrors.run_not_found({ id });
    return { controls: row.controls ?? [], facts: row.facts };
  }

  /** Owners see the results on their own department's assets, nothing organisation-wide. */
  async results(id: string, query: ResultsQuery, principal: Principal): Promise<ResultView[]> {
    await this.get(id);
    const scope = departmentScope(principal);
    const rows = await this.stored.results(this.db, id, { status: query.status ?? null, controlId: query.controlId ?? null, department: query.department ?? null, scope: scope ?? null });
    return rows.map((r) => ({
      controlId: r.control_id,
      subject: { type: r.subject_type, id: r.subject_id, name: r.subject_name },
      department: r.department,
      status: r.status,
      evidence: r.evidence,
      evidenceWords: evidenceWords(r.evidence),
      message: r.message,
      findingId: r.finding_id,
      riskAcceptedUntil: r.risk_accepted_until,
    }));
  }

  /**
   * A run's report as the principal may see it: owners get their department's results, without
   * the organisation-wide counts and without the facts snapshot (it lists every asset).
   */
  async report(id: string, principal: Principal, format: ReportFormat, lang: Lang, timeZone?: string): Promise<{ run: RunView; body: string; contentType: string; extension: string }> {
    const scope = departmentScope(principal);
    const shown = visibleRun(await this.get(id), principal);
    const [{ controls, facts }, results] = await Promise.all([this.frozen(id), this.results(id, {}, principal)]);
    const extra = scope === undefined ? (facts ? { facts } : {}) : { department: scope };
    return { run: shown, ...renderReport({ organisation: this.settings.TAISHI_ORGANISATION_NAME, organisationNamed: organisationNamed(this.settings), run: shown, controls, results, ...extra, generatedAt: this.clock.now(), timeZone }, format, lang) };
  }

  /** What changed since the profile's previous completed run. */
  async diff(id: string, principal: Principal): Promise<RunDiff> {
    const run = await this.get(id);
    const previous = await this.stored.previousCompleted(this.db, run.profileId, run.id);
    const now = await this.results(id, {}, principal);
    const before = previous ? await this.results(previous.id, {}, principal) : [];
    const old = new Map(before.map((r) => [resultKey(r), r]));
    const diff: RunDiff = { run: id, previous: previous ? { id: previous.id, startedAt: previous.started_at.toISOString() } : null, changed: [], added: [], removed: [], unchanged: 0 };
    for (const r of now) {
      const was = old.get(resultKey(r));
      old.delete(resultKey(r));
      if (!was) diff.added.push({ controlId: r.controlId, subject: r.subject, status: r.status });
      else if (was.status !== r.status) diff.changed.push({ controlId: r.controlId, subject: r.subject, from: was.status, to: r.status });
      else diff.unchanged++;
    }
    for (const r of old.values()) diff.removed.push({ controlId: r.controlId, subject: r.subject, status: r.status });
    return diff;
  }
}
