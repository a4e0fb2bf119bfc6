import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorName, departmentScope, readerLanguage, type Caller, type Principal } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { RuleCatalogue } from '../detection/index.js';
import { NotificationsService, type IncidentRef, type Named, type Notification, type Recipients } from '../notifications/index.js';
import { CATEGORIES, type CategoryId } from './core/categories.js';
import type { IncidentFacts } from './core/facts.js';
import {
  GRADES,
  gradeName,
  higherGrade,
  proposeGrade,
  type DataLevel,
  type DefacementFacts,
  type GradeOrUnrated,
  type GradeProposal,
  type GradingAsset,
  type GradingFacts,
  type PortalLevel,
} from './core/grading.js';
import { selectPlaybooks, tasksOnEntering, type NewTask } from './core/playbooks.js';
import { assessmentOf, reporterTypeFor } from './core/deadlines.js';
import { incidentErrors } from './errors.js';
import { OPEN_INCIDENT_STATES, OPEN_PROTECT_STATES, nextStates, phaseOf, transition, type Phase, type PostIncidentReview, type WorkflowState } from './core/workflow.js';
import { IncidentRules } from './incident-rules.js';
import { categoryForTags } from './policy.js';

export type IncidentKind = 'incident' | 'protect';
export type Priority = 'p1' | 'p2' | 'p3' | 'p4';
export const TASK_STATUSES = ['todo', 'in_progress', 'on_hold', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Facts an analyst adds for grading; unknown numbers stay undefined, never zero. */
export interface GradingInput extends Pick<GradingFacts, 'dataCompromised' | 'personalDataExposed' | 'peopleWithoutServices' | 'populationShare' | 'directLossYuan' | 'qualitative'> {
  /** A crime is suspected: the operator also reports to the police (报案, measures Art. 4). */
  crimeSuspected?: boolean;
  /** Per asset: outage minutes and, for portals, news sites and platforms, the level and any defacement. */
  assets?: { assetId: string; wholeOutageMinutes?: number; mainFunctionOutageMinutes?: number; portal?: PortalLevel; defacement?: DefacementFacts }[];
}

export interface IncidentRow {
  id: string;
  key: string;
  kind: IncidentKind;
  title: string;
  description: string;
  category: CategoryId | null;
  grade: GradeOrUnrated;
  gradeSource: 'proposal' | 'analyst';
  gradeReason: string | null;
  proposal: GradeProposal | null;
  gradingFacts: GradingInput;
  priority: Priority;
  state: WorkflowState;
  assetIds: string[];
  departments: string[];
  tags: string[];
  assigneeId: string | null;
  watcherIds: string[];
  source: { type: string; id?: string } | null;
  mergedInto: string | null;
  reporterType: string | null;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  containedAt: Date | null;
  recoveredAt: Date | null;
  /** Recovery done and under verification: handling has ended, the 30-day summary clock runs. */
  handlingEndedAt: Date | null;
  closedAt: Date | null;
  resolution: string | null;
  review: PostIncidentReview | null;
  notices: string[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, key, kind, title, description, category, grade, grade_source AS "gradeSource", grade_reason AS "gradeReason",
  proposal, grading_facts AS "gradingFacts", priority, state, asset_ids AS "assetIds", departments, tags, assignee_id AS "assigneeId",
  watcher_ids AS "watcherIds", source, merged_into AS "mergedInto", reporter_type AS "reporterType", detected_at AS "detectedAt",
  acknowledged_at AS "acknowledgedAt", contained_at AS "containedAt", recovered_at AS "recoveredAt", handling_ended_at AS "handlingEndedAt", closed_at AS "closedAt",
  resolution, review, notices, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

const TASK_COLUMNS = `id, incident_id AS "incidentId", playbook_id AS "playbookId", phase, title, description, assignee_role AS "assigneeRole",
  assignee_id AS "assigneeId", due_at AS "dueAt", status, note, created_at AS "createdAt", updated_at AS "updatedAt", completed_at AS "completedAt"`;

/** States that still need work; the rest are closed one way or another. */
const OPEN_STATES: readonly WorkflowState[] = [...OPEN_INCIDENT_STATES, ...OPEN_PROTECT_STATES];
const GRADE_LEVEL = Object.fromEntries(GRADES.map((g) => [g.id, g.level])) as Record<string, IncidentFacts['grade']>;
// Lower number is more urgent; an incident's priority starts from its grade.
const PRIORITY_FOR_GRADE: Record<GradeOrUnrated, Priority> = { especially_major: 'p1', major: 'p1', relatively_major: 'p2', general: 'p3', unrated: 'p3' };

export interface CreateIncidentInput {
  title: string;
  description?: string;
  category: CategoryId;
  assetIds?: string[];
  alertIds?: string[];
  detectedAt?: Date;
  priority?: Priority;
  assigneeId?: string;
}

/** Events after a change commits: mails go out only for what really happened. */
export type AfterCommit = (() => Promise<unknown>)[];

@Injectable()
export class IncidentsService {
  private readonly logger = new Logger('Incidents');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly rules: IncidentRules,
    private readonly notifications: NotificationsService,
    private readonly catalogue: RuleCatalogue,
  ) {}

  // ── reading ──────────────────────────────────────────────────────────────────────────────

  async list(
    q: { kind?: IncidentKind; state?: string; grade?: string; open?: boolean; q?: string; assetId?: string; limit?: number; offset?: number },
    principal: Principal,
  ): Promise<{ items: (IncidentRow & { sla: ReturnType<IncidentsService['slaStatus']>; assessment: ReturnType<IncidentsService['assessmentWith']> })[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const scope = departmentScope(principal);
    if (scope !== undefined) add('departments @> ARRAY[?]::text[]', scope);
    if (q.kind) add('kind = ?', q.kind);
    if (q.state) add('state = ?', q.state);
    if (q.grade) add('grade = ?', q.grade);
    if (q.open !== undefined) add(q.open ? 'state = ANY(?)' : 'NOT (state = ANY(?))', OPEN_STATES);
    if (q.assetId) add('asset_ids @> ARRAY[?]::uuid[]', q.assetId);
    if (q.q) {
      add('title ILIKE ?', `%${q.q.replace(/[%_\\]/g, '\\$&')}%`);
      // The same parameter serves the key, so a search for INC-2026-0007 finds it too.
      where[where.length - 1] = `(${where.at(-1)} OR key ILIKE $${params.length})`;
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM incidents ${filter}`, params);
    const rows: IncidentRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM incidents ${filter} ORDER BY detected_at DESC, key DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit ?? 50, q.offset ?? 0],
    );
    const now = new Date();
    // One read of every asset on the page, rather than one per incident.
    const assets = await this.assetsById(this.dataSource.manager, [...new Set(rows.flatMap((r) => r.assetIds))]);
    const items = rows.map((r) => ({ ...r, sla: this.slaStatus(r, now), assessment: this.assessmentWith(r, r.assetIds.flatMap((id) => assets.get(id) ?? []), now) }));
    return { items, total };
  }

  /** 待研判 or not: see assessmentOf. The reporter type follows the assets, as the report's does. */
  async assessment(m: EntityManager, incident: IncidentRow, now: Date) {
    return this.assessmentWith(incident, [...(await this.assetsById(m, incident.assetIds)).values()], now);
  }

  assessmentWith(incident: IncidentRow, assets: readonly { cii: boolean }[], now: Date) {
    if (incident.kind !== 'incident') return { status: 'not_needed' as const };
    const reporterType = reporterTypeFor(this.settings.TAISHI_ORGANISATION_TYPE, assets);
    return assessmentOf({
      gradeSource: incident.gradeSource,
      grade: incident.grade,
      proposed: incident.proposal?.grade ?? incident.grade,
      reporterType,
      discoveredAt: incident.detectedAt,
      slaMs: this.rules.policy.assessment.slaMs,
      now,
    });
  }

  /** One ticket by id or key, or 404 when it does not exist or the caller may not see it. */
  async findVisible(idOrKey: string, principal: Principal, m: EntityManager = this.dataSource.manager, lock = false): Promise<IncidentRow> {
    const byKey = /^(INC|PRT)-\d{4}-\d{4,}$/.test(idOrKey);
    if (!byKey && !/^[0-9a-f-]{36}$/i.test(idOrKey)) throw incidentErrors.not_found({ id: idOrKey });
    const [row]: IncidentRow[] = await m.query(`SELECT ${COLUMNS} FROM incidents WHERE ${byKey ? 'key' : 'id'} = $1 ${lock ? 'FOR UPDATE' : ''}`, [idOrKey]);
    const scope = departmentScope(principal);
    if (!row || (scope !== undefined && !row.departments.includes(scope))) throw incidentErrors.not_found({ id: idOrKey });
    return row;
  }

  async detail(idOrKey: string, principal: Principal) {
    const incident = await this.findVisible(idOrKey, principal);
    const [tasks, timeline, comments, alerts] = await Promise.all([
      this.dataSource.query(`SELECT ${TASK_COLUMNS} FROM incident_tasks WHERE incident_id = $1 ORDER BY seq`, [incident.id]),
      this.dataSource.query(`SELECT id::int, at, actor, type, detail FROM incident_timeline WHERE incident_id = $1 ORDER BY id`, [incident.id]),
      this.dataSource.query(`SELECT id, author, body, created_at AS "createdAt" FROM incident_comments WHERE incident_id = $1 ORDER BY created_at, id`, [incident.id]),
      this.dataSource.query(
        `SELECT a.id, a.rule_id AS "ruleId", a.rule_title AS "ruleTitle", a.level, a.status, a.count, a.first_seen AS "firstSeen", a.last_seen AS "lastSeen",
                a.asset_id AS "assetId", a.group_key AS "groupKey", a.event_ids AS "eventIds"
           FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = $1 ORDER BY a.first_seen`,
        [incident.id],
      ),
    ]);
    const now = new Date();
    return {
      ...incident,
      phase: phaseOf(incident.state),
      next: nextStates(incident.state),
      sla: this.slaStatus(incident, now),
      assessment: await this.assessment(this.dataSource.manager, incident, now),
      tasks,
      timeline,
      comments,
      alerts: (alerts as { ruleId: string; ruleTitle: string }[]).map((a) => ({ ...a, ruleTitle: this.catalogue.title(a.ruleId, a.ruleTitle, readerLanguage(principal)) })),
      evidenceEventIds: [...new Set((alerts as { eventIds: string[] }[]).flatMap((a) => a.eventIds))].slice(0, 500),
    };
  }

  // ── creating ─────────────────────────────────────────────────────────────────────────────

  async create(input: CreateIncidentInput, caller: Caller): Promise<IncidentRow> {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction((m) => this.createIn(m, input, caller, after));
    await this.runAfter(after);
    return row;
  }

  async createIn(m: EntityManager, input: CreateIncidentInput, caller: Caller, after: AfterCommit): Promise<IncidentRow> {
    const incident = await this.insert(m, { ...input, kind: 'incident', source: input.alertIds?.length ? { type: 'alerts' } : { type: 'manual' } }, caller);
    if (input.alertIds?.length) await this.linkAlertsIn(m, incident, input.alertIds, caller);
    // The creation mail carries the first grade; a separate grade-change mail would only repeat it.
    const refreshed = await this.refreshGrade(m, incident.id, caller, after, false);
    await this.addPlaybookTasks(m, refreshed, 'detect', new Date(), caller, after);
    after.push(() => this.notify({ kind: 'incident_created', incident: ref(refreshed) }, { onDutyAnalysts: true }));
    if (refreshed.assigneeId) after.push(() => this.notify({ kind: 'incident_assigned', incident: ref(refreshed), assignee: refreshed.assigneeId! }, { userIds: [refreshed.assigneeId!] }));
    return this.reload(m, incident.id);
  }

  /** A protect ticket: hardening work from a review or a compliance finding, with its own simple flow. */
  async openProtectTicket(
    input: { title: string; description: string; assetIds: string[]; source: { type: 'compliance_finding' | 'incident_review'; id: string } },
    caller: Caller,
    m?: EntityManager,
  ): Promise<{ id: string; key: string }> {
    const work = async (tx: EntityManager) => {
      const row = await this.insert(tx, { title: input.title, description: input.description, assetIds: input.assetIds, kind: 'protect', source: input.source }, caller);
      return { id: row.id, key: row.key };
    };
    return m ? work(m) : this.dataSource.transaction(work);
  }

  private async insert(
    m: EntityManager,
    input: Omit<CreateIncidentInput, 'category' | 'alertIds'> & { category?: CategoryId; kind: IncidentKind; source: object },
    caller: Caller,
  ): Promise<IncidentRow> {
    const detectedAt = input.detectedAt ?? new Date();
    const assets = await this.assetsById(m, input.assetIds ?? []);
    const missing = (input.assetIds ?? []).filter((id) => !assets.has(id));
    if (missing.length) throw incidentErrors.assets_unknown({ assetIds: missing });
    if (input.assigneeId) await this.assertAssignable(m, input.assigneeId, 'analyst');
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(detectedAt));
    const [{ last }] = await m.query(
      `INSERT INTO incident_counters (kind, year, last) VALUES ($1, $2, 1)
       ON CONFLICT (kind, year) DO UPDATE SET last = incident_counters.last + 1 RETURNING last`,
      [input.kind, year],
    );
    const key = `${input.kind === 'incident' ? 'INC' : 'PRT'}-${year}-${String(last).padStart(4, '0')}`;
    const [{ id }] = await m.query(
      `INSERT INTO incidents (key, kind, title, description, category, state, priority, asset_ids, departments, assignee_id, source, detected_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        key,
        input.kind,
        input.title,
        input.description ?? '',
        input.kind === 'incident' ? input.category : null,
        input.kind === 'incident' ? 'new' : 'open',
        input.priority ?? 'p3',
        [...assets.keys()],
        [...new Set([...assets.values()].map((a) => a.department))],
        input.assigneeId ?? null,
        input.source,
        detectedAt,
        actorName(caller.principal),
      ],
    );
    await this.timeline(m, id, caller, 'created', { key, title: input.title, source: input.source });
    await this.audit.record({ ...caller, action: `${input.kind}.create`, targetType: input.kind, targetId: id, after: { key, title: input.title, category: input.category, assetIds: input.assetIds, source: input.source } }, m);
    return this.reload(m, id);
  }

  // ── changing ─────────────────────────────────────────────────────────────────────────────

  async update(
    idOrKey: string,
    patch: { title?: string; description?: string; category?: CategoryId; priority?: Priority; assigneeId?: string | null; watcherIds?: string[]; assetIds?: string[]; gradingFacts?: GradingInput },
    caller: Caller,
  ): Promise<IncidentRow> {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction(async (m) => {
      const before = await this.findVisible(idOrKey, caller.principal, m, true);
      if (patch.category !== undefined && before.kind !== 'incident') throw incidentErrors.protect_ticket_no_category();
      if (patch.assigneeId) await this.assertAssignable(m, patch.assigneeId, 'analyst');
      for (const w of patch.watcherIds ?? []) await this.assertAssignable(m, w, 'any');
      const changes: Record<string, [unknown, unknown]> = {};
      const set = (column: string, field: keyof IncidentRow, value: unknown) => {
        if (value === undefined || JSON.stringify(value) === JSON.stringify(before[field])) return;
        changes[field] = [before[field], value];
        return m.query(`UPDATE incidents SET ${column} = $2, updated_at = now() WHERE id = $1`, [before.id, value]);
      };
      await set('title', 'title', patch.title);
      await set('description', 'description', patch.description);
      await set('category', 'category', patch.category);
      await set('priority', 'priority', patch.priority);
      await set('assignee_id', 'assigneeId', patch.assigneeId);
      await set('watcher_ids', 'watcherIds', patch.watcherIds);
      await set('grading_facts', 'gradingFacts', patch.gradingFacts === undefined ? undefined : validateGradingFacts(patch.gradingFacts, before.assetIds, patch.assetIds));
      if (patch.assetIds !== undefined) {
        const assets = await this.assetsById(m, patch.assetIds);
        const missing = patch.assetIds.filter((id) => !assets.has(id));
        if (missing.length) throw incidentErrors.assets_unknown({ assetIds: missing });
        await set('asset_ids', 'assetIds', [...assets.keys()]);
        await m.query(`UPDATE incidents SET departments = $2 WHERE id = $1`, [before.id, [...new Set([...assets.values()].map((a) => a.department))]]);
      }
      if (Object.keys(changes).length === 0) return before;
      await this.timeline(m, before.id, caller, 'updated', { changes: Object.fromEntries(Object.entries(changes).map(([k, [from, to]]) => [k, { from, to }])) });
      await this.audit.record({ ...caller, action: `${before.kind}.update`, targetType: before.kind, targetId: before.id, before: pick(before, Object.keys(changes)), after: Object.fromEntries(Object.entries(changes).map(([k, [, to]]) => [k, to])) }, m);
      if (changes.assigneeId && patch.assigneeId) after.push(() => this.notify({ kind: 'incident_assigned', incident: ref(before), assignee: patch.assigneeId! }, { userIds: [patch.assigneeId!] }));
      if (before.kind === 'incident' && (changes.gradingFacts || changes.assetIds)) await this.refreshGrade(m, before.id, caller, after);
      if (patch.gradingFacts?.crimeSuspected && !before.gradingFacts?.crimeSuspected) await this.addPoliceReportTask(m, before, caller);
      return this.reload(m, before.id);
    });
    await this.runAfter(after);
    return row;
  }

  /**
   * One step of the workflow. Illegal steps are refused with the allowed next states; leaving
   * verification also needs the rules that raised the incident to have gone quiet.
   */
  async transition(idOrKey: string, input: { to: WorkflowState; reason?: string; review?: PostIncidentReview; duplicateOf?: string; overrideQuietPeriod?: boolean }, caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction(async (m) => {
      const incident = await this.findVisible(idOrKey, caller.principal, m, true);
      const result = transition(incident.state, input.to, input);
      if (!result.ok) {
        const details = { reason: result.reason, allowed: result.allowed, messages: result.message };
        if (result.reason === 'illegal_transition') throw incidentErrors.transition_refused({ from: incident.state, to: input.to, allowed: result.allowed }, details);
        throw incidentErrors[result.reason]({}, details);
      }
      let duplicateOf: IncidentRow | undefined;
      if (input.to === 'duplicate') {
        duplicateOf = await this.findVisible(input.duplicateOf!, caller.principal, m).catch(() => {
          throw incidentErrors.duplicate_unknown({ id: input.duplicateOf });
        });
        if (duplicateOf.id === incident.id) throw incidentErrors.duplicate_of_self();
      }
      if (incident.state === 'verification' && input.to === 'closed') {
        const quiet = await this.quietCheck(m, incident, new Date());
        if (!quiet.quiet) {
          if (!input.overrideQuietPeriod)
            throw incidentErrors.not_quiet({ lastFiredAt: quiet.lastFiredAt!, quietUntil: quiet.quietUntil! }, { reason: 'not_quiet', ...quiet });
          if (!input.reason?.trim()) throw incidentErrors.quiet_override_reason();
          await this.timeline(m, incident.id, caller, 'quiet_period_overridden', { reason: input.reason, lastFiredAt: quiet.lastFiredAt });
        }
      }
      const now = new Date();
      const stamps: Partial<Record<WorkflowState, string>> = { acknowledged: 'acknowledged_at', containment: 'contained_at', recovery: 'recovered_at', verification: 'handling_ended_at' };
      const sets = ['state = $2', 'updated_at = now()'];
      const params: unknown[] = [incident.id, input.to];
      const stamp = stamps[input.to];
      // The first time counts for MTTA and MTTR; going round again does not reset the clock.
      if (stamp) sets.push(`${stamp} = coalesce(${stamp}, now())`);
      if (result.phase === 'closed' || input.to === 'done' || input.to === 'cancelled') sets.push('closed_at = now()');
      else if (phaseOf(incident.state) === 'closed' || incident.state === 'done' || incident.state === 'cancelled') sets.push('closed_at = NULL');
      if (input.to === 'closed') {
        params.push(input.review);
        sets.push(`review = $${params.length}`);
      }
      if (result.phase === 'closed' || input.to === 'done' || input.to === 'cancelled') {
        params.push(input.to === 'closed' ? 'resolved' : input.to === 'duplicate' ? `duplicate of ${duplicateOf!.key}` : input.reason ?? input.to);
        sets.push(`resolution = $${params.length}`);
      }
      if (duplicateOf) {
        params.push(duplicateOf.id);
        sets.push(`merged_into = $${params.length}`);
      }
      await m.query(`UPDATE incidents SET ${sets.join(', ')} WHERE id = $1`, params);
      await this.timeline(m, incident.id, caller, 'transition', { from: incident.state, to: input.to, reason: input.reason ?? null, ...(duplicateOf ? { duplicateOf: duplicateOf.key } : {}) });
      await this.audit.record({ ...caller, action: `${incident.kind}.transition`, targetType: incident.kind, targetId: incident.id, before: { state: incident.state }, after: { state: input.to, reason: input.reason, review: input.review } }, m);
      const updated = await this.reload(m, incident.id);
      if (result.enteredPhase && result.enteredPhase !== 'protect') await this.addPlaybookTasks(m, updated, result.enteredPhase, now, caller, after);
      if (input.to === 'closed' && input.review) {
        for (const action of input.review.protectiveActions.filter((a) => a.trim())) {
          const ticket = await this.openProtectTicket({ title: action, description: `${incident.key}: ${incident.title}`, assetIds: incident.assetIds, source: { type: 'incident_review', id: incident.id } }, caller, m);
          await this.timeline(m, incident.id, caller, 'protect_ticket_opened', { key: ticket.key, title: action });
        }
      }
      if (result.phase === 'closed' && incident.kind === 'incident')
        after.push(() => this.notify({ kind: 'incident_closed', incident: ref(updated), resolution: updated.resolution ?? input.to }, { userIds: this.followers(updated) }));
      return this.reload(m, incident.id);
    });
    await this.runAfter(after);
    return row;
  }

  /**
   * Whether the rules behind an incident have been quiet on its assets (or, for alerts on no
   * registered asset, on their group keys) for the policy's quiet period, counted in event time.
   */
  async quietCheck(m: EntityManager, incident: IncidentRow, now: Date): Promise<{ quiet: boolean; lastFiredAt: Date | null; quietUntil: Date | null; quietPeriodMs: number; rules: string[] }> {
    const quietPeriodMs = this.rules.policy.recovery.quietPeriodMs;
    const linked: { ruleId: string; assetId: string | null; groupKey: string }[] = await m.query(
      `SELECT a.rule_id AS "ruleId", a.asset_id AS "assetId", a.group_key AS "groupKey" FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = $1`,
      [incident.id],
    );
    const rules = [...new Set(linked.map((l) => l.ruleId))];
    if (rules.length === 0) return { quiet: true, lastFiredAt: null, quietUntil: null, quietPeriodMs, rules };
    const assetIds = [...new Set([...incident.assetIds, ...linked.flatMap((l) => (l.assetId ? [l.assetId] : []))])];
    const groupKeys = [...new Set(linked.filter((l) => !l.assetId).map((l) => l.groupKey))];
    const [{ last }] = await m.query(
      `SELECT max(last_seen) AS last FROM alerts WHERE rule_id = ANY($1) AND (asset_id = ANY($2::uuid[]) OR (asset_id IS NULL AND group_key = ANY($3)))`,
      [rules, assetIds, groupKeys],
    );
    const lastFiredAt: Date | null = last ?? null;
    const quietUntil = lastFiredAt ? new Date(lastFiredAt.getTime() + quietPeriodMs) : null;
    return { quiet: quietUntil === null || quietUntil <= now, lastFiredAt, quietUntil, quietPeriodMs, rules };
  }

  /** An analyst sets the grade, overriding the proposal; a reason is required and kept. */
  async setGrade(idOrKey: string, input: { grade: GradeOrUnrated; reason: string }, caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction(async (m) => {
      const incident = await this.findVisible(idOrKey, caller.principal, m, true);
      if (incident.kind !== 'incident') throw incidentErrors.protect_ticket_not_graded();
      await m.query(`UPDATE incidents SET grade = $2, grade_source = 'analyst', grade_reason = $3, updated_at = now() WHERE id = $1`, [incident.id, input.grade, input.reason]);
      await this.gradeChanged(m, incident, input.grade, input.reason, caller, after);
      return this.reload(m, incident.id);
    });
    await this.runAfter(after);
    return row;
  }

  /** Back to the proposal: the grade follows the evidence again. */
  async acceptProposal(idOrKey: string, caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction(async (m) => {
      const incident = await this.findVisible(idOrKey, caller.principal, m, true);
      await m.query(`UPDATE incidents SET grade_source = 'proposal', grade_reason = NULL WHERE id = $1`, [incident.id]);
      await this.refreshGrade(m, incident.id, caller, after);
      return this.reload(m, incident.id);
    });
    await this.runAfter(after);
    return row;
  }

  private async gradeChanged(m: EntityManager, incident: IncidentRow, to: GradeOrUnrated, reason: string, caller: Caller, after: AfterCommit, announce = true) {
    if (to === incident.grade) return;
    const reporterType = reporterTypeFor(this.settings.TAISHI_ORGANISATION_TYPE, [...(await this.assetsById(m, incident.assetIds)).values()]);
    await m.query(`UPDATE incidents SET reporter_type = $2, priority = CASE WHEN grade_source = 'proposal' OR priority > $3 THEN $3 ELSE priority END WHERE id = $1`, [
      incident.id,
      reporterType,
      PRIORITY_FOR_GRADE[to],
    ]);
    await this.timeline(m, incident.id, caller, 'grade_changed', { from: incident.grade, to, reason });
    await this.audit.record({ ...caller, action: 'incident.grade', targetType: 'incident', targetId: incident.id, before: { grade: incident.grade }, after: { grade: to, reason } }, m);
    if (announce) after.push(() => this.notify({ kind: 'grade_changed', incident: { ...ref(incident), grade: namedGrade(to) }, from: namedGrade(incident.grade), to: namedGrade(to), reason }, { userIds: this.followers(incident), onDutyAnalysts: true }));
  }

  /**
   * Recomputes the proposal from the incident's assets and facts. The grade follows it unless an
   * analyst set the grade; either way a proposal that grows is on the timeline.
   */
  async refreshGrade(m: EntityManager, id: string, caller: Caller, after: AfterCommit, announce = true): Promise<IncidentRow> {
    const incident = await this.reload(m, id);
    if (incident.kind !== 'incident') return incident;
    const assets = await this.assetsById(m, incident.assetIds);
    const facts = incident.gradingFacts ?? {};
    const gradingAssets: GradingAsset[] = [...assets.values()].map((a) => {
      const extra = facts.assets?.find((x) => x.assetId === a.id);
      return {
        id: a.id,
        name: a.name,
        cii: a.cii,
        mlpsLevel: a.mlpsLevel,
        dataLevel: a.dataLevel,
        portal: extra?.portal ?? null,
        outageMinutes: { whole: extra?.wholeOutageMinutes, mainFunction: extra?.mainFunctionOutageMinutes },
        ...(extra?.defacement ? { defacement: extra.defacement } : {}),
      };
    });
    const proposal = proposeGrade(
      {
        assets: gradingAssets,
        dataCompromised: facts.dataCompromised,
        personalDataExposed: facts.personalDataExposed,
        peopleWithoutServices: facts.peopleWithoutServices,
        populationShare: facts.populationShare,
        directLossYuan: facts.directLossYuan,
        qualitative: facts.qualitative,
      },
      this.rules.grading,
    );
    if (JSON.stringify(proposal) === JSON.stringify(incident.proposal)) return incident;
    await m.query(`UPDATE incidents SET proposal = $2, updated_at = now() WHERE id = $1`, [id, proposal]);
    if (proposal.grade !== (incident.proposal?.grade ?? 'unrated')) await this.timeline(m, id, caller, 'grade_proposed', { from: incident.proposal?.grade ?? 'unrated', to: proposal.grade, rationale: proposal.rationale });
    // Unconfirmed, the grade is what the annex's criteria give; a policy floor raises only the
    // proposal and the urgency (priority), so it never starts a legal clock by itself.
    if (incident.gradeSource === 'proposal' && proposal.byCriteria !== incident.grade) {
      await m.query(`UPDATE incidents SET grade = $2 WHERE id = $1`, [id, proposal.byCriteria]);
      await this.gradeChanged(m, incident, proposal.byCriteria, 'proposal', caller, after, announce);
    }
    if (incident.gradeSource === 'proposal')
      await m.query(`UPDATE incidents SET priority = least(priority, $2) WHERE id = $1`, [id, PRIORITY_FOR_GRADE[higherGrade(proposal.grade, proposal.byCriteria)]]);
    return this.reload(m, id);
  }

  // ── alerts ───────────────────────────────────────────────────────────────────────────────

  async linkAlerts(idOrKey: string, alertIds: string[], caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction(async (m) => {
      const incident = await this.findVisible(idOrKey, caller.principal, m, true);
      if (incident.kind !== 'incident') throw incidentErrors.protect_ticket_no_alerts();
      await this.linkAlertsIn(m, incident, alertIds, caller);
      await this.refreshGrade(m, incident.id, caller, after);
      return this.reload(m, incident.id);
    });
    await this.runAfter(after);
    return row;
  }

  /** Links alerts, taking their assets and tags; an alert already in another incident is refused. */
  async linkAlertsIn(m: EntityManager, incident: IncidentRow, alertIds: string[], caller: Caller): Promise<void> {
    const alerts: { id: string; ruleId: string; assetId: string | null; department: string | null; tags: string[]; incidentKey: string | null; incidentId: string | null }[] = await m.query(
      `SELECT a.id, a.rule_id AS "ruleId", a.asset_id AS "assetId", a.department, a.tags, i.key AS "incidentKey", i.id AS "incidentId"
         FROM alerts a LEFT JOIN incident_alerts l ON l.alert_id = a.id LEFT JOIN incidents i ON i.id = l.incident_id WHERE a.id = ANY($1::uuid[])`,
      [alertIds],
    );
    const missing = alertIds.filter((id) => !alerts.some((a) => a.id === id));
    if (missing.length) throw incidentErrors.alerts_unknown({ alertIds: missing });
    const elsewhere = alerts.filter((a) => a.incidentId && a.incidentId !== incident.id);
    if (elsewhere.length) throw incidentErrors.alerts_elsewhere({ alerts: elsewhere.map((a) => `${a.id} (${a.incidentKey})`) }, { alerts: elsewhere.map((a) => ({ id: a.id, incident: a.incidentKey })) });
    const fresh = alerts.filter((a) => !a.incidentId);
    if (fresh.length === 0) return;
    for (const a of fresh) await m.query(`INSERT INTO incident_alerts (incident_id, alert_id, rule_id, linked_by) VALUES ($1, $2, $3, $4)`, [incident.id, a.id, a.ruleId, actorName(caller.principal)]);
    const assetIds = [...new Set([...incident.assetIds, ...fresh.flatMap((a) => (a.assetId ? [a.assetId] : []))])];
    const departments = [...new Set([...incident.departments, ...fresh.flatMap((a) => (a.department ? [a.department] : []))])];
    const tags = [...new Set([...incident.tags, ...fresh.flatMap((a) => a.tags)])];
    await m.query(`UPDATE incidents SET asset_ids = $2, departments = $3, tags = $4, updated_at = now() WHERE id = $1`, [incident.id, assetIds, departments, tags]);
    await this.timeline(m, incident.id, caller, 'alerts_linked', { alertIds: fresh.map((a) => a.id), rules: [...new Set(fresh.map((a) => a.ruleId))] });
    await this.audit.record({ ...caller, action: 'incident.link_alerts', targetType: 'incident', targetId: incident.id, after: { alertIds: fresh.map((a) => a.id) } }, m);
  }

  /** Sends one alert by hand to an existing incident, or to a new one named after its rule. */
  async sendAlert(alertId: string, target: { incidentId?: string; title?: string; category?: CategoryId }, caller: Caller) {
    if (target.incidentId) return this.linkAlerts(target.incidentId, [alertId], caller);
    const [alert] = await this.dataSource.query(`SELECT rule_id AS "ruleId", rule_title AS "ruleTitle", tags, asset_id AS "assetId", department FROM alerts WHERE id = $1`, [alertId]);
    const scope = departmentScope(caller.principal);
    if (!alert || (scope !== undefined && alert.department !== scope)) throw incidentErrors.alert_not_found({ id: alertId });
    return this.create({ title: target.title ?? this.catalogue.title(alert.ruleId, alert.ruleTitle, readerLanguage(caller.principal)), category: target.category ?? categoryForTags(this.rules.policy, alert.tags), alertIds: [alertId] }, caller);
  }

  /**
   * Folds incidents into one: alerts, assets, tags and watchers move; the merged incident keeps
   * the earliest discovery (so one set of clocks counts from the first sighting) and the most
   * serious grade an analyst confirmed on any of them; the others close as duplicates. Each
   * merge is remembered on the timeline so it can be split back.
   */
  async merge(intoIdOrKey: string, idsOrKeys: string[], caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction(async (m) => {
      const target = await this.findVisible(intoIdOrKey, caller.principal, m, true);
      if (target.kind !== 'incident') throw incidentErrors.merge_not_incident({ key: target.key });
      if (!OPEN_STATES.includes(target.state)) throw incidentErrors.merge_target_closed({ key: target.key, state: target.state });
      for (const idOrKey of [...new Set(idsOrKeys)]) {
        const source = await this.findVisible(idOrKey, caller.principal, m, true);
        if (source.id === target.id) throw incidentErrors.merge_into_self({ key: source.key });
        if (source.kind !== 'incident') throw incidentErrors.merge_not_incident({ key: source.key });
        if (!nextStates(source.state).some((s) => s.state === 'duplicate'))
          throw incidentErrors.merge_source_closed({ key: source.key, state: source.state }, { allowed: nextStates(source.state).map((s) => s.state) });
        await this.mergeOne(m, target, source, caller);
      }
      await this.refreshGrade(m, target.id, caller, after);
      return this.reload(m, target.id);
    });
    await this.runAfter(after);
    return row;
  }

  private async mergeOne(m: EntityManager, target: IncidentRow, source: IncidentRow, caller: Caller) {
    const current = await this.reload(m, target.id);
    const moved: { alertId: string }[] = await m.query(`SELECT alert_id AS "alertId" FROM incident_alerts WHERE incident_id = $1`, [source.id]);
    await m.query(`UPDATE incident_alerts SET incident_id = $2 WHERE incident_id = $1`, [source.id, target.id]);
    await m.query(
      `UPDATE incidents t SET asset_ids = ARRAY(SELECT DISTINCT unnest(t.asset_ids || s.asset_ids)), departments = ARRAY(SELECT DISTINCT unnest(t.departments || s.departments)),
         tags = ARRAY(SELECT DISTINCT unnest(t.tags || s.tags)), watcher_ids = ARRAY(SELECT DISTINCT unnest(t.watcher_ids || s.watcher_ids)),
         detected_at = least(t.detected_at, s.detected_at), updated_at = now()
       FROM incidents s WHERE t.id = $1 AND s.id = $2`,
      [target.id, source.id],
    );
    if (source.gradeSource === 'analyst' && (current.gradeSource !== 'analyst' || higherGrade(current.grade, source.grade) !== current.grade)) {
      await m.query(`UPDATE incidents SET grade = $2, grade_source = 'analyst', grade_reason = $3 WHERE id = $1`, [target.id, source.grade, `${source.key}: ${source.gradeReason ?? ''}`]);
      await this.gradeChanged(m, current, source.grade, `merged from ${source.key}`, caller, [], false);
    }
    await m.query(`UPDATE incidents SET state = 'duplicate', merged_into = $2, closed_at = now(), resolution = $3, updated_at = now() WHERE id = $1`, [source.id, target.id, `merged into ${target.key}`]);
    await this.timeline(m, source.id, caller, 'merged_into', { key: target.key, state: source.state });
    await this.timeline(m, target.id, caller, 'merged_from', {
      key: source.key,
      alertIds: moved.map((a) => a.alertId),
      before: { assetIds: current.assetIds, departments: current.departments, tags: current.tags, detectedAt: current.detectedAt, grade: current.grade, gradeSource: current.gradeSource },
    });
    await this.audit.record({ ...caller, action: 'incident.merge', targetType: 'incident', targetId: target.id, after: { merged: source.key, into: target.key } }, m);
  }

  /**
   * Splits a merged incident back out: its own alerts return to it, it reopens in the state it
   * had, and the incident it was merged into gets back its assets, tags, discovery time and grade
   * as they were before (with what arrived since the merge kept).
   */
  async split(intoIdOrKey: string, idOrKey: string, caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.dataSource.transaction(async (m) => {
      const target = await this.findVisible(intoIdOrKey, caller.principal, m, true);
      const source = await this.findVisible(idOrKey, caller.principal, m, true);
      if (source.mergedInto !== target.id || source.state !== 'duplicate') throw incidentErrors.not_merged({ key: source.key, into: target.key });
      const [merge] = await m.query(`SELECT detail FROM incident_timeline WHERE incident_id = $1 AND type = 'merged_from' AND detail->>'key' = $2 ORDER BY id DESC LIMIT 1`, [target.id, source.key]);
      const [left] = await m.query(`SELECT detail FROM incident_timeline WHERE incident_id = $1 AND type = 'merged_into' ORDER BY id DESC LIMIT 1`, [source.id]);
      if (!merge) throw incidentErrors.not_merged({ key: source.key, into: target.key });
      const d = merge.detail as { alertIds: string[]; before: { assetIds: string[]; departments: string[]; tags: string[]; detectedAt: string; grade: GradeOrUnrated; gradeSource: 'proposal' | 'analyst' } };
      await m.query(`UPDATE incident_alerts SET incident_id = $2 WHERE incident_id = $1 AND alert_id = ANY($3::uuid[])`, [target.id, source.id, d.alertIds]);
      // What the target holds now: its own assets from before, plus those of the alerts it kept.
      await m.query(
        `UPDATE incidents t SET asset_ids = ARRAY(SELECT DISTINCT unnest($2::uuid[] || ARRAY(SELECT a.asset_id FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = t.id AND a.asset_id IS NOT NULL))),
           departments = ARRAY(SELECT DISTINCT unnest($3::text[] || ARRAY(SELECT a.department FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = t.id AND a.department IS NOT NULL))),
           tags = $4, detected_at = $5, updated_at = now()
         WHERE t.id = $1`,
        [target.id, d.before.assetIds, d.before.departments, d.before.tags, new Date(d.before.detectedAt)],
      );
      if (target.gradeSource === 'analyst' && d.before.gradeSource !== 'analyst') await m.query(`UPDATE incidents SET grade_source = 'proposal', grade_reason = NULL WHERE id = $1`, [target.id]);
      await m.query(`UPDATE incidents SET state = $2, merged_into = NULL, closed_at = NULL, resolution = NULL, updated_at = now() WHERE id = $1`, [source.id, left?.detail?.state ?? 'acknowledged']);
      await this.timeline(m, source.id, caller, 'split_from', { key: target.key });
      await this.timeline(m, target.id, caller, 'split_out', { key: source.key, alertIds: d.alertIds });
      await this.audit.record({ ...caller, action: 'incident.split', targetType: 'incident', targetId: target.id, after: { split: source.key, from: target.key } }, m);
      await this.refreshGrade(m, target.id, caller, after);
      await this.refreshGrade(m, source.id, caller, after);
      return this.reload(m, target.id);
    });
    await this.runAfter(after);
    return row;
  }

  /** Where a crime is suspected the operator also reports to the police (报案, measures Art. 4): a task, once. */
  private async addPoliceReportTask(m: EntityManager, incident: IncidentRow, caller: Caller) {
    await m.query(`INSERT INTO incident_tasks (incident_id, phase, title, description, assignee_role, assignee_id) VALUES ($1, $2, $3, $4, 'analyst', $5)`, [
      incident.id,
      phaseOf(incident.state),
      { 'zh-CN': '向公安机关报案', en: 'Report the suspected crime to the police' },
      {
        'zh-CN': '事件涉嫌违法犯罪：在报告之外，及时向公安机关报案（《国家网络安全事件报告管理办法》第四条）。',
        en: 'A crime is suspected: besides the report, file a report with the police without delay (measures Art. 4).',
      },
      incident.assigneeId,
    ]);
    await this.timeline(m, incident.id, caller, 'task_added', { title: '向公安机关报案', reason: 'crime_suspected' });
  }

  // ── comments and tasks ───────────────────────────────────────────────────────────────────

  async comment(idOrKey: string, body: string, caller: Caller) {
    return this.dataSource.transaction(async (m) => {
      const incident = await this.findVisible(idOrKey, caller.principal, m);
      const [c] = await m.query(`INSERT INTO incident_comments (incident_id, author, body) VALUES ($1, $2, $3) RETURNING id, author, body, created_at AS "createdAt"`, [
        incident.id,
        actorName(caller.principal),
        body,
      ]);
      await this.timeline(m, incident.id, caller, 'comment', { commentId: c.id });
      await this.audit.record({ ...caller, action: 'incident.comment', targetType: incident.kind, targetId: incident.id, after: { commentId: c.id, body } }, m);
      return c;
    });
  }

  async addTask(idOrKey: string, input: { title: string; description?: string; assigneeId?: string; dueAt?: Date; assigneeRole?: 'analyst' | 'system_owner' }, caller: Caller) {
    const after: AfterCommit = [];
    const task = await this.dataSource.transaction(async (m) => {
      const incident = await this.findVisible(idOrKey, caller.principal, m, true);
      const role = input.assigneeRole ?? 'analyst';
      if (input.assigneeId) await this.assertTaskAssignee(m, incident, input.assigneeId);
      const text = { 'zh-CN': input.title, en: input.title };
      const description = { 'zh-CN': input.description ?? '', en: input.description ?? '' };
      const [t] = await m.query(
        `INSERT INTO incident_tasks (incident_id, phase, title, description, assignee_role, assignee_id, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${TASK_COLUMNS}`,
        [incident.id, phaseOf(incident.state), text, description, role, input.assigneeId ?? null, input.dueAt ?? null],
      );
      await this.timeline(m, incident.id, caller, 'task_added', { taskId: t.id, title: input.title });
      await this.audit.record({ ...caller, action: 'incident.task.create', targetType: incident.kind, targetId: incident.id, after: t }, m);
      if (input.assigneeId) after.push(() => this.notify({ kind: 'task_assigned', incident: ref(incident), task: { title: input.title, dueAt: input.dueAt?.toISOString() ?? null } }, { userIds: [input.assigneeId!] }));
      return t;
    });
    await this.runAfter(after);
    return task;
  }

  /**
   * Analysts change any task; an owner may only move the status of a task assigned to them.
   */
  async updateTask(idOrKey: string, taskId: string, patch: { status?: TaskStatus; assigneeId?: string | null; dueAt?: Date | null; note?: string }, caller: Caller) {
    const after: AfterCommit = [];
    const task = await this.dataSource.transaction(async (m) => {
      const incident = await this.findVisible(idOrKey, caller.principal, m, true);
      const [t] = await m.query(`SELECT ${TASK_COLUMNS} FROM incident_tasks WHERE id = $1 AND incident_id = $2 FOR UPDATE`, [taskId, incident.id]);
      if (!t) throw incidentErrors.task_not_found({ taskId, key: incident.key });
      const p = caller.principal;
      if (p.kind === 'user' && p.role === 'owner') {
        if (t.assigneeId !== p.id) throw incidentErrors.task_not_yours({ taskId, key: incident.key });
        if (patch.assigneeId !== undefined || patch.dueAt !== undefined) throw incidentErrors.owner_task_fields();
      }
      if (patch.assigneeId) await this.assertTaskAssignee(m, incident, patch.assigneeId);
      const next = { status: patch.status ?? t.status, assigneeId: patch.assigneeId === undefined ? t.assigneeId : patch.assigneeId, dueAt: patch.dueAt === undefined ? t.dueAt : patch.dueAt, note: patch.note ?? t.note };
      // pg through TypeORM answers an UPDATE … RETURNING with [rows, affected].
      const [[updated]] = await m.query(
        `UPDATE incident_tasks SET status = $2, assignee_id = $3, due_at = $4, note = $5, updated_at = now(),
           completed_at = CASE WHEN $2 IN ('done', 'cancelled') THEN coalesce(completed_at, now()) ELSE NULL END
         WHERE id = $1 RETURNING ${TASK_COLUMNS}`,
        [taskId, next.status, next.assigneeId, next.dueAt, next.note],
      );
      await this.timeline(m, incident.id, caller, 'task_updated', { taskId, title: t.title, from: { status: t.status, assigneeId: t.assigneeId }, to: { status: next.status, assigneeId: next.assigneeId } });
      await this.audit.record({ ...caller, action: 'incident.task.update', targetType: incident.kind, targetId: incident.id, before: t, after: updated }, m);
      if (patch.assigneeId && patch.assigneeId !== t.assigneeId)
        after.push(() => this.notify({ kind: 'task_assigned', incident: ref(incident), task: { title: t.title, dueAt: updated.dueAt?.toISOString() ?? null } }, { userIds: [patch.assigneeId!] }));
      return updated;
    });
    await this.runAfter(after);
    return task;
  }

  /**
   * Playbook tasks for the phase just entered (or, after a change of category, the new playbooks'
   * tasks of the current phase: a playbook whose tasks the phase already has is not added twice).
   * System-owner tasks go to the contact user of the incident's first asset that has one; analyst
   * tasks to the incident's assignee.
   */
  async addPlaybookTasks(m: EntityManager, incident: IncidentRow, phase: Exclude<Phase, 'protect'>, at: Date, caller: Caller, after: AfterCommit) {
    if (incident.kind !== 'incident' || !incident.category) return;
    const assets = await this.assetsById(m, incident.assetIds);
    const present: { playbookId: string }[] = await m.query(`SELECT DISTINCT playbook_id AS "playbookId" FROM incident_tasks WHERE incident_id = $1 AND phase = $2`, [incident.id, phase]);
    const added = new Set(present.map((p) => p.playbookId));
    const playbooks = selectPlaybooks(this.rules.playbooks, { category: incident.category, tags: incident.tags, assetTypes: [...assets.values()].map((a) => a.type) }).filter((p) => !added.has(p.id));
    const tasks: NewTask[] = tasksOnEntering(playbooks, phase, at);
    const owner = [...assets.values()].find((a) => a.contactUserId)?.contactUserId ?? null;
    for (const task of tasks) {
      const assignee = task.assignee === 'system_owner' ? owner : incident.assigneeId;
      await m.query(
        `INSERT INTO incident_tasks (incident_id, playbook_id, phase, title, description, assignee_role, assignee_id, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [incident.id, task.playbookId, task.phase, task.title, task.description, task.assignee, assignee, task.dueAt],
      );
      if (assignee) after.push(() => this.notify({ kind: 'task_assigned', incident: ref(incident), task: { title: task.title, dueAt: task.dueAt.toISOString() } }, { userIds: [assignee] }));
    }
    if (tasks.length) await this.timeline(m, incident.id, caller, 'playbook_tasks', { phase, playbooks: playbooks.map((p) => p.id), count: tasks.length });
  }

  // ── for other modules ────────────────────────────────────────────────────────────────────

  /** What the compliance checks see of incidents: graded incidents with their reporting times. */
  async auditFacts(): Promise<IncidentFacts[]> {
    const rows = await this.dataSource.query(
      `SELECT i.id, i.key, i.title, i.grade, i.asset_ids AS "assetIds", i.detected_at AS "detectedAt", i.closed_at AS "closedAt", i.handling_ended_at AS "handlingEndedAt", i.review, i.state,
              r.initial_submitted_at AS "reportedAt", r.final_at AS "summaryAt"
         FROM incidents i LEFT JOIN incident_reports r ON r.incident_id = i.id
        WHERE i.kind = 'incident' AND i.grade <> 'unrated' AND i.state NOT IN ('false_positive', 'benign', 'duplicate')
        ORDER BY i.detected_at`,
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.key,
      title: r.title,
      grade: GRADE_LEVEL[r.grade],
      assetIds: r.assetIds,
      discoveredAt: r.detectedAt.toISOString(),
      ...(r.reportedAt ? { reportedAt: r.reportedAt.toISOString() } : {}),
      ...(r.handlingEndedAt ? { handlingEndedAt: r.handlingEndedAt.toISOString() } : {}),
      ...(r.closedAt && r.state === 'closed' ? { closedAt: r.closedAt.toISOString() } : {}),
      ...(r.summaryAt ? { summaryAt: r.summaryAt.toISOString() } : {}),
      ...(r.review && r.closedAt ? { review: { completedAt: r.closedAt.toISOString() } } : {}),
    }));
  }

  /**
   * Mean time to acknowledge and to recover, per grade and month of detection (Beijing time), in
   * minutes, over incidents that got that far. Dismissed incidents are left out: they measure
   * triage, not response.
   */
  async meanTimes(months: number) {
    return this.dataSource.query(
      `SELECT to_char(detected_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, grade,
              count(*)::int AS incidents,
              round((avg(extract(epoch FROM acknowledged_at - detected_at)) / 60)::numeric, 1)::float AS "mttaMinutes",
              count(acknowledged_at)::int AS acknowledged,
              round((avg(extract(epoch FROM recovered_at - detected_at)) / 60)::numeric, 1)::float AS "mttrMinutes",
              count(recovered_at)::int AS recovered
         FROM incidents
        WHERE kind = 'incident' AND state NOT IN ('false_positive', 'benign', 'duplicate')
          AND detected_at >= date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' - make_interval(months => $1 - 1)
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [months],
    );
  }

  /** Each SLA target's due time and whether it was met, is running or is breached. */
  slaStatus(incident: Pick<IncidentRow, 'kind' | 'grade' | 'detectedAt' | 'acknowledgedAt' | 'containedAt' | 'recoveredAt' | 'state'>, now: Date) {
    if (incident.kind !== 'incident') return [];
    const targets = this.rules.policy.sla[incident.grade];
    const done = { acknowledge: incident.acknowledgedAt, contain: incident.containedAt, recover: incident.recoveredAt };
    const dismissed = ['false_positive', 'benign', 'duplicate'].includes(incident.state);
    return (Object.keys(targets) as (keyof typeof targets)[]).map((target) => {
      const dueAt = new Date(incident.detectedAt.getTime() + targets[target]);
      const at = done[target];
      const status = at ? (at <= dueAt ? 'met' : 'missed') : dismissed ? 'not_needed' : now > dueAt ? 'breached' : 'running';
      return { target, dueAt, status, at };
    });
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  /** Every incident still being worked, in one read (the timers go over all of them). */
  async openIncidents(m: EntityManager): Promise<IncidentRow[]> {
    return m.query(`SELECT ${COLUMNS} FROM incidents WHERE kind = 'incident' AND state = ANY($1)`, [OPEN_INCIDENT_STATES]);
  }

  async reload(m: EntityManager, id: string): Promise<IncidentRow> {
    const [row] = await m.query(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]);
    return row;
  }

  async timeline(m: EntityManager, incidentId: string, caller: Caller | null, type: string, detail: object): Promise<void> {
    await m.query(`INSERT INTO incident_timeline (incident_id, actor, type, detail) VALUES ($1, $2, $3, $4)`, [incidentId, caller ? actorName(caller.principal) : 'taishi', type, detail]);
  }

  async assetsById(m: EntityManager, ids: readonly string[]) {
    if (ids.length === 0) return new Map<string, AssetSummary>();
    const rows: AssetSummary[] = await m.query(
      `SELECT id, name, type, department, cii, mlps_level AS "mlpsLevel", data_level AS "dataLevel", contact_user_id AS "contactUserId" FROM assets WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  private async assertAssignable(m: EntityManager, userId: string, kind: 'analyst' | 'any') {
    const [u] = await m.query(`SELECT role, disabled FROM users WHERE id = $1`, [userId]);
    if (!u || u.disabled) throw incidentErrors.user_inactive({ userId });
    if (kind === 'analyst' && !['analyst', 'admin'].includes(u.role)) throw incidentErrors.assignee_not_analyst({ userId, role: u.role });
  }

  /** Owners can be given tasks only on incidents touching their own department's systems. */
  private async assertTaskAssignee(m: EntityManager, incident: IncidentRow, userId: string) {
    const [u] = await m.query(`SELECT role, department, disabled FROM users WHERE id = $1`, [userId]);
    if (!u || u.disabled) throw incidentErrors.user_inactive({ userId });
    if (u.role === 'owner' && !incident.departments.includes(u.department ?? ''))
      throw incidentErrors.task_assignee_other_department({ userId, department: u.department, key: incident.key });
    if (u.role === 'compliance') throw incidentErrors.task_assignee_compliance();
  }

  followers(incident: Pick<IncidentRow, 'assigneeId' | 'watcherIds'>): string[] {
    return [...new Set([...(incident.assigneeId ? [incident.assigneeId] : []), ...incident.watcherIds])];
  }

  async notify(notification: Notification, to: Recipients, dedupeKey?: string) {
    return this.notifications.notify(notification, to, dedupeKey ? { dedupeKey } : undefined);
  }

  /** Mail is queued durably by the notifications module; a failure here must not undo the change. */
  async runAfter(after: AfterCommit) {
    for (const fn of after) {
      try {
        await fn();
      } catch (e) {
        this.logger.error(`queueing a notification failed: ${(e as Error).message}`);
      }
    }
  }
}

export interface AssetSummary {
  id: string;
  name: string;
  type: string;
  department: string;
  cii: boolean;
  mlpsLevel: number | null;
  dataLevel: DataLevel;
  contactUserId: string | null;
}

/** A grade as notifications show it: they name it without knowing the national scale. */
export const namedGrade = (grade: GradeOrUnrated): Named => ({ id: grade, name: gradeName(grade) });

type Summarised = Pick<IncidentRow, 'id' | 'key' | 'title' | 'grade' | 'state'> & { category: string | null };

/** An incident as API answers mention it (clocks, reports): grade and category by id. */
export const summary = (i: Summarised) => ({ id: i.id, key: i.key, title: i.title, grade: i.grade, category: i.category ?? 'protect', state: i.state });

/** An incident as a notice names it: grade and category with their names, for mail in either language. */
export const ref = (i: Summarised): IncidentRef => {
  const category = i.category ?? 'protect';
  return {
    ...summary(i),
    grade: namedGrade(i.grade),
    category: { id: category, name: CATEGORIES.find((c) => c.id === category)?.name ?? { 'zh-CN': '防护工单', en: 'Protect ticket' } },
  };
};

function pick<T extends object>(o: T, keys: string[]) {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
}

/** Grading facts may only speak of the incident's own assets. */
function validateGradingFacts(facts: GradingInput, currentAssets: string[], newAssets?: string[]): GradingInput {
  const assets = new Set(newAssets ?? currentAssets);
  (facts.assets ?? []).forEach((a, i) => {
    if (!assets.has(a.assetId)) throw incidentErrors.grading_asset_foreign({ index: i, assetId: a.assetId });
  });
  return facts;
}
