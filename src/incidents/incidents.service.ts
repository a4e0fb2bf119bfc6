import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import { actorName, departmentScope, readerLanguage, type Caller } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { RuleCatalogue } from '../detection/index.js';
import { NotificationsService, type IncidentRef, type Named, type Notification, type Recipients } from '../notifications/index.js';
import { CATEGORIES, type CategoryId } from './core/categories.js';
import type { IncidentFacts } from './core/facts.js';
import { GRADES, gradeName, higherGrade, proposeGrade, type GradeOrUnrated, type GradingAsset } from './core/grading.js';
import { selectPlaybooks, tasksOnEntering, type NewTask } from './core/playbooks.js';
import { reporterTypeFor } from './core/deadlines.js';
import { incidentErrors } from './errors.js';
import { phaseOf, type Phase } from './core/workflow.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentRules } from './incident-rules.js';
import { IncidentsRepository, type EditableColumn, type GradingInput, type IncidentKind, type IncidentRow, type Priority, type Tx } from './incidents.repository.js';
import { categoryForTags } from './policy.js';
import { Clock } from '../shared/index.js';

export const TASK_STATUSES = ['todo', 'in_progress', 'on_hold', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

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
    private readonly repo: IncidentsRepository,
    private readonly queries: IncidentQueries,
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly rules: IncidentRules,
    private readonly notifications: NotificationsService,
    private readonly catalogue: RuleCatalogue,
    private readonly clock: Clock,
  ) {}

  // ── creating ─────────────────────────────────────────────────────────────────────────────

  async create(input: CreateIncidentInput, caller: Caller): Promise<IncidentRow> {
    const after: AfterCommit = [];
    const row = await this.repo.transaction((m) => this.createIn(m, input, caller, after));
    await this.runAfter(after);
    return row;
  }

  async createIn(m: Tx, input: CreateIncidentInput, caller: Caller, after: AfterCommit): Promise<IncidentRow> {
    const incident = await this.insert(m, { ...input, kind: 'incident', source: input.alertIds?.length ? { type: 'alerts' } : { type: 'manual' } }, caller);
    if (input.alertIds?.length) await this.linkAlertsIn(m, incident, input.alertIds, caller);
    // The creation mail carries the first grade; a separate grade-change mail would only repeat it.
    const refreshed = await this.refreshGrade(m, incident.id, caller, after, false);
    await this.addPlaybookTasks(m, refreshed, 'detect', this.clock.now(), caller, after);
    after.push(() => this.notify({ kind: 'incident_created', incident: ref(refreshed) }, { onDutyAnalysts: true }));
    if (refreshed.assigneeId) after.push(() => this.notify({ kind: 'incident_assigned', incident: ref(refreshed), assignee: refreshed.assigneeId! }, { userIds: [refreshed.assigneeId!] }));
    return this.reload(m, incident.id);
  }

  /** A protect ticket: hardening work from a review or a compliance finding, with its own simple flow. */
  async openProtectTicket(
    input: { title: string; description: string; assetIds: string[]; source: { type: 'compliance_finding' | 'incident_review'; id: string } },
    caller: Caller,
    m?: Tx,
  ): Promise<{ id: string; key: string }> {
    const work = async (tx: Tx) => {
      const row = await this.insert(tx, { title: input.title, description: input.description, assetIds: input.assetIds, kind: 'protect', source: input.source }, caller);
      return { id: row.id, key: row.key };
    };
    return m ? work(m) : this.repo.transaction(work);
  }

  private async insert(
    m: Tx,
    input: Omit<CreateIncidentInput, 'category' | 'alertIds'> & { category?: CategoryId; kind: IncidentKind; source: object },
    caller: Caller,
  ): Promise<IncidentRow> {
    const detectedAt = input.detectedAt ?? this.clock.now();
    const assets = await this.repo.assetsById(m, input.assetIds ?? []);
    const missing = (input.assetIds ?? []).filter((id) => !assets.has(id));
    if (missing.length) throw incidentErrors.assets_unknown({ assetIds: missing });
    if (input.assigneeId) await this.assertAssignable(m, input.assigneeId, 'analyst');
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(detectedAt));
    const last = await this.repo.nextNumber(m, input.kind, year);
    const key = `${input.kind === 'incident' ? 'INC' : 'PRT'}-${year}-${String(last).padStart(4, '0')}`;
    const id = await this.repo.insert(m, {
      key,
      kind: input.kind,
      title: input.title,
      description: input.description ?? '',
      category: input.kind === 'incident' ? input.category! : null,
      state: input.kind === 'incident' ? 'new' : 'open',
      priority: input.priority ?? 'p3',
      assetIds: [...assets.keys()],
      departments: [...new Set([...assets.values()].map((a) => a.department))],
      assigneeId: input.assigneeId ?? null,
      source: input.source,
      detectedAt,
      createdBy: actorName(caller.principal),
    });
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
    const row = await this.repo.transaction(async (m) => {
      const before = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      if (patch.category !== undefined && before.kind !== 'incident') throw incidentErrors.protect_ticket_no_category();
      if (patch.assigneeId) await this.assertAssignable(m, patch.assigneeId, 'analyst');
      for (const w of patch.watcherIds ?? []) await this.assertAssignable(m, w, 'any');
      const changes: Record<string, [unknown, unknown]> = {};
      const set = (column: EditableColumn, field: keyof IncidentRow, value: unknown) => {
        if (value === undefined || JSON.stringify(value) === JSON.stringify(before[field])) return;
        changes[field] = [before[field], value];
        return this.repo.setColumn(m, before.id, column, value);
      };
      await set('title', 'title', patch.title);
      await set('description', 'description', patch.description);
      await set('category', 'category', patch.category);
      await set('priority', 'priority', patch.priority);
      await set('assignee_id', 'assigneeId', patch.assigneeId);
      await set('watcher_ids', 'watcherIds', patch.watcherIds);
      await set('grading_facts', 'gradingFacts', patch.gradingFacts === undefined ? undefined : validateGradingFacts(patch.gradingFacts, before.assetIds, patch.assetIds));
      if (patch.assetIds !== undefined) {
        const assets = await this.repo.assetsById(m, patch.assetIds);
        const missing = patch.assetIds.filter((id) => !assets.has(id));
        if (missing.length) throw incidentErrors.assets_unknown({ assetIds: missing });
        await set('asset_ids', 'assetIds', [...assets.keys()]);
        await this.repo.setDepartments(m, before.id, [...new Set([...assets.values()].map((a) => a.department))]);
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

  /** An analyst sets the grade, overriding the proposal; a reason is required and kept. */
  async setGrade(idOrKey: string, input: { grade: GradeOrUnrated; reason: string }, caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      if (incident.kind !== 'incident') throw incidentErrors.protect_ticket_not_graded();
      await this.repo.setAnalystGrade(m, incident.id, input.grade, input.reason);
      await this.gradeChanged(m, incident, input.grade, input.reason, caller, after);
      return this.reload(m, incident.id);
    });
    await this.runAfter(after);
    return row;
  }

  /** Back to the proposal: the grade follows the evidence again. */
  async acceptProposal(idOrKey: string, caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      await this.repo.clearAnalystGrade(m, incident.id);
      await this.refreshGrade(m, incident.id, caller, after);
      return this.reload(m, incident.id);
    });
    await this.runAfter(after);
    return row;
  }

  async gradeChanged(m: Tx, incident: IncidentRow, to: GradeOrUnrated, reason: string, caller: Caller, after: AfterCommit, announce = true) {
    if (to === incident.grade) return;
    const reporterType = reporterTypeFor(this.settings.TAISHI_ORGANISATION_TYPE, [...(await this.repo.assetsById(m, incident.assetIds)).values()]);
    await this.repo.setReporterAndPriority(m, incident.id, reporterType, PRIORITY_FOR_GRADE[to]);
    await this.timeline(m, incident.id, caller, 'grade_changed', { from: incident.grade, to, reason });
    await this.audit.record({ ...caller, action: 'incident.grade', targetType: 'incident', targetId: incident.id, before: { grade: incident.grade }, after: { grade: to, reason } }, m);
    if (announce) after.push(() => this.notify({ kind: 'grade_changed', incident: { ...ref(incident), grade: namedGrade(to) }, from: namedGrade(incident.grade), to: namedGrade(to), reason }, { userIds: this.followers(incident), onDutyAnalysts: true }));
  }

  /**
   * Recomputes the proposal from the incident's assets and facts. The grade follows it unless an
   * analyst set the grade; either way a proposal that grows is on the timeline.
   */
  async refreshGrade(m: Tx, id: string, caller: Caller, after: AfterCommit, announce = true): Promise<IncidentRow> {
    const incident = await this.reload(m, id);
    if (incident.kind !== 'incident') return incident;
    const assets = await this.repo.assetsById(m, incident.assetIds);
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
    await this.repo.setProposal(m, id, proposal);
    if (proposal.grade !== (incident.proposal?.grade ?? 'unrated')) await this.timeline(m, id, caller, 'grade_proposed', { from: incident.proposal?.grade ?? 'unrated', to: proposal.grade, rationale: proposal.rationale });
    // Unconfirmed, the grade is what the annex's criteria give; a policy floor raises only the
    // proposal and the urgency (priority), so it never starts a legal clock by itself.
    if (incident.gradeSource === 'proposal' && proposal.byCriteria !== incident.grade) {
      await this.repo.setProposedGrade(m, id, proposal.byCriteria);
      await this.gradeChanged(m, incident, proposal.byCriteria, 'proposal', caller, after, announce);
    }
    if (incident.gradeSource === 'proposal')
      await this.repo.raisePriority(m, id, PRIORITY_FOR_GRADE[higherGrade(proposal.grade, proposal.byCriteria)]);
    return this.reload(m, id);
  }

  // ── alerts ───────────────────────────────────────────────────────────────────────────────

  async linkAlerts(idOrKey: string, alertIds: string[], caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      if (incident.kind !== 'incident') throw incidentErrors.protect_ticket_no_alerts();
      await this.linkAlertsIn(m, incident, alertIds, caller);
      await this.refreshGrade(m, incident.id, caller, after);
      return this.reload(m, incident.id);
    });
    await this.runAfter(after);
    return row;
  }

  /** Links alerts, taking their assets and tags; an alert already in another incident is refused. */
  async linkAlertsIn(m: Tx, incident: IncidentRow, alertIds: string[], caller: Caller): Promise<void> {
    const alerts = await this.repo.alertsToLink(m, alertIds);
    const missing = alertIds.filter((id) => !alerts.some((a) => a.id === id));
    if (missing.length) throw incidentErrors.alerts_unknown({ alertIds: missing });
    const elsewhere = alerts.filter((a) => a.incidentId && a.incidentId !== incident.id);
    if (elsewhere.length) throw incidentErrors.alerts_elsewhere({ alerts: elsewhere.map((a) => `${a.id} (${a.incidentKey})`) }, { alerts: elsewhere.map((a) => ({ id: a.id, incident: a.incidentKey })) });
    const fresh = alerts.filter((a) => !a.incidentId);
    if (fresh.length === 0) return;
    for (const a of fresh) await this.repo.linkAlert(m, incident.id, a.id, a.ruleId, actorName(caller.principal));
    const assetIds = [...new Set([...incident.assetIds, ...fresh.flatMap((a) => (a.assetId ? [a.assetId] : []))])];
    const departments = [...new Set([...incident.departments, ...fresh.flatMap((a) => (a.department ? [a.department] : []))])];
    const tags = [...new Set([...incident.tags, ...fresh.flatMap((a) => a.tags)])];
    await this.repo.setEvidence(m, incident.id, assetIds, departments, tags);
    await this.timeline(m, incident.id, caller, 'alerts_linked', { alertIds: fresh.map((a) => a.id), rules: [...new Set(fresh.map((a) => a.ruleId))] });
    await this.audit.record({ ...caller, action: 'incident.link_alerts', targetType: 'incident', targetId: incident.id, after: { alertIds: fresh.map((a) => a.id) } }, m);
  }

  /** Sends one alert by hand to an existing incident, or to a new one named after its rule. */
  async sendAlert(alertId: string, target: { incidentId?: string; title?: string; category?: CategoryId }, caller: Caller) {
    if (target.incidentId) return this.linkAlerts(target.incidentId, [alertId], caller);
    const alert = await this.repo.alert(alertId);
    const scope = departmentScope(caller.principal);
    if (!alert || (scope !== undefined && alert.department !== scope)) throw incidentErrors.alert_not_found({ id: alertId });
    return this.create({ title: target.title ?? this.catalogue.title(alert.ruleId, alert.ruleTitle, readerLanguage(caller.principal)), category: target.category ?? categoryForTags(this.rules.policy, alert.tags), alertIds: [alertId] }, caller);
  }

  /** Where a crime is suspected the operator also reports to the police (报案, measures Art. 4): a task, once. */
  private async addPoliceReportTask(m: Tx, incident: IncidentRow, caller: Caller) {
    await this.repo.insertTask(m, {
      incidentId: incident.id,
      phase: phaseOf(incident.state),
      title: { 'zh-CN': '向公安机关报案', en: 'Report the suspected crime to the police' },
      description: {
        'zh-CN': '事件涉嫌违法犯罪：在报告之外，及时向公安机关报案（《国家网络安全事件报告管理办法》第四条）。',
        en: 'A crime is suspected: besides the report, file a report with the police without delay (measures Art. 4).',
      },
      assigneeRole: 'analyst',
      assigneeId: incident.assigneeId,
      dueAt: null,
    });
    await this.timeline(m, incident.id, caller, 'task_added', { title: '向公安机关报案', reason: 'crime_suspected' });
  }

  // ── comments and tasks ───────────────────────────────────────────────────────────────────

  async comment(idOrKey: string, body: string, caller: Caller) {
    return this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m);
      const c = await this.repo.insertComment(m, incident.id, actorName(caller.principal), body);
      await this.timeline(m, incident.id, caller, 'comment', { commentId: c.id });
      await this.audit.record({ ...caller, action: 'incident.comment', targetType: incident.kind, targetId: incident.id, after: { commentId: c.id, body } }, m);
      return c;
    });
  }

  async addTask(idOrKey: string, input: { title: string; description?: string; assigneeId?: string; dueAt?: Date; assigneeRole?: 'analyst' | 'system_owner' }, caller: Caller) {
    const after: AfterCommit = [];
    const task = await this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      const role = input.assigneeRole ?? 'analyst';
      if (input.assigneeId) await this.assertTaskAssignee(m, incident, input.assigneeId);
      const text = { 'zh-CN': input.title, en: input.title };
      const description = { 'zh-CN': input.description ?? '', en: input.description ?? '' };
      const t = await this.repo.insertTask(m, { incidentId: incident.id, phase: phaseOf(incident.state), title: text, description, assigneeRole: role, assigneeId: input.assigneeId ?? null, dueAt: input.dueAt ?? null });
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
    const task = await this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      const t = await this.repo.lockTask(m, incident.id, taskId);
      if (!t) throw incidentErrors.task_not_found({ taskId, key: incident.key });
      const p = caller.principal;
      if (p.kind === 'user' && p.role === 'owner') {
        if (t.assigneeId !== p.id) throw incidentErrors.task_not_yours({ taskId, key: incident.key });
        if (patch.assigneeId !== undefined || patch.dueAt !== undefined) throw incidentErrors.owner_task_fields();
      }
      if (patch.assigneeId) await this.assertTaskAssignee(m, incident, patch.assigneeId);
      const next = { status: patch.status ?? t.status, assigneeId: patch.assigneeId === undefined ? t.assigneeId : patch.assigneeId, dueAt: patch.dueAt === undefined ? t.dueAt : patch.dueAt, note: patch.note ?? t.note };
      const updated = await this.repo.updateTask(m, taskId, next);
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
  async addPlaybookTasks(m: Tx, incident: IncidentRow, phase: Exclude<Phase, 'protect'>, at: Date, caller: Caller, after: AfterCommit) {
    if (incident.kind !== 'incident' || !incident.category) return;
    const assets = await this.repo.assetsById(m, incident.assetIds);
    const added = new Set(await this.repo.playbooksWithTasks(m, incident.id, phase));
    const playbooks = selectPlaybooks(this.rules.playbooks, { category: incident.category, tags: incident.tags, assetTypes: [...assets.values()].map((a) => a.type) }).filter((p) => !added.has(p.id));
    const tasks: NewTask[] = tasksOnEntering(playbooks, phase, at);
    const owner = [...assets.values()].find((a) => a.contactUserId)?.contactUserId ?? null;
    for (const task of tasks) {
      const assignee = task.assignee === 'system_owner' ? owner : incident.assigneeId;
      await this.repo.insertPlaybookTask(m, {
        incidentId: incident.id,
        playbookId: task.playbookId,
        phase: task.phase,
        title: task.title,
        description: task.description,
        assigneeRole: task.assignee,
        assigneeId: assignee,
        dueAt: task.dueAt,
      });
      if (assignee) after.push(() => this.notify({ kind: 'task_assigned', incident: ref(incident), task: { title: task.title, dueAt: task.dueAt.toISOString() } }, { userIds: [assignee] }));
    }
    if (tasks.length) await this.timeline(m, incident.id, caller, 'playbook_tasks', { phase, playbooks: playbooks.map((p) => p.id), count: tasks.length });
  }

  // ── for other modules ────────────────────────────────────────────────────────────────────

  /** What the compliance checks see of incidents: graded incidents with their reporting times. */
  async auditFacts(): Promise<IncidentFacts[]> {
    const rows = await this.repo.gradedIncidents();
    return rows.map((r) => ({
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

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  reload(m: Tx, id: string): Promise<IncidentRow> {
    return this.repo.findById(m, id);
  }

  async timeline(m: Tx, incidentId: string, caller: Caller | null, type: string, detail: object): Promise<void> {
    await this.repo.insertTimelineEntry(m, incidentId, caller ? actorName(caller.principal) : 'taishi', type, detail);
  }

  private async assertAssignable(m: Tx, userId: string, kind: 'analyst' | 'any') {
    const u = await this.repo.user(m, userId);
    if (!u || u.disabled) throw incidentErrors.user_inactive({ userId });
    if (kind === 'analyst' && !['analyst', 'admin'].includes(u.role)) throw incidentErrors.assignee_not_analyst({ userId, role: u.role });
  }

  /** Owners can be given tasks only on incidents touching their own department's systems. */
  private async assertTaskAssignee(m: Tx, incident: IncidentRow, userId: string) {
    const u = await this.repo.user(m, userId);
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
