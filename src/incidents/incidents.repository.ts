import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../database/index.js';
import type { CategoryId } from './core/categories.js';
import type { DataLevel, DefacementFacts, GradeOrUnrated, GradeProposal, GradingFacts, PortalLevel } from './core/grading.js';
import type { ReportStatus, ClosingSummary, InitialReportInput, PiplNotice } from './core/report.js';
import { INCIDENT_STATES, OPEN_INCIDENT_STATES, OPEN_PROTECT_STATES, PROTECT_STATES, type Phase, type PostIncidentReview, type WorkflowState } from './core/workflow.js';

/**
 * Every query the incidents module makes, by name. A method that must see or change rows inside
 * its caller's transaction takes that transaction (`Tx`) first; the others read from the pool.
 */

/** A unit of work: the caller's transaction, or the pool for a plain read. */
export type Tx = Sql;

export type IncidentKind = 'incident' | 'protect';
export type Priority = 'p1' | 'p2' | 'p3' | 'p4';

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

export type Localised = { 'zh-CN': string; en: string };

export interface TaskRow {
  id: string;
  incidentId: string;
  playbookId: string | null;
  phase: string;
  title: Localised;
  description: Localised;
  assigneeRole: string;
  assigneeId: string | null;
  dueAt: Date | null;
  status: string;
  note: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface TimelineRow {
  id: number;
  at: Date;
  actor: string;
  type: string;
  detail: Record<string, unknown>;
}

export interface CommentRow {
  id: string;
  author: string;
  body: string;
  createdAt: Date;
}

export interface LinkedAlertRow {
  id: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  status: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  assetId: string | null;
  groupKey: string;
  eventIds: string[];
}

/** An alert as linking sees it, with the incident already holding it if any. */
export interface AlertToLink {
  id: string;
  ruleId: string;
  assetId: string | null;
  department: string | null;
  tags: string[];
  incidentKey: string | null;
  incidentId: string | null;
}

export interface StoredReport {
  status: ReportStatus;
  content: Partial<InitialReportInput>;
  summary: ClosingSummary;
  pipl: PiplNotice | null;
  initialSubmittedAt: Date | null;
  finalAt: Date | null;
  updatedBy: string;
  updatedAt: Date;
}

/** What the merge remembered of the target, so a split can put it back. */
export interface MergeRecord {
  alertIds: string[];
  before: { assetIds: string[]; departments: string[]; tags: string[]; detectedAt: string; grade: GradeOrUnrated; gradeSource: 'proposal' | 'analyst' };
}

/** A list of constant names as a SQL array literal, for ordering by their position. */
const textArray = (names: readonly string[]) => `ARRAY[${names.map((n) => `'${n}'`).join(',')}]::text[]`;

/**
 * The columns the incident list sorts on, as SQL. Grades, priorities and states sort by how serious
 * or how far along they are, not by their spelling.
 */
export const INCIDENT_SORT_EXPRESSIONS = {
  key: 'key',
  title: 'title',
  grade: `CASE grade WHEN 'especially_major' THEN 4 WHEN 'major' THEN 3 WHEN 'relatively_major' THEN 2 WHEN 'general' THEN 1 ELSE 0 END`,
  category: 'category',
  state: `CASE kind WHEN 'protect' THEN array_position(${textArray(PROTECT_STATES)}, state) ELSE array_position(${textArray(INCIDENT_STATES)}, state) END`,
  priority: `CASE priority WHEN 'p1' THEN 4 WHEN 'p2' THEN 3 WHEN 'p3' THEN 2 ELSE 1 END`,
  department: `array_to_string(departments, ',')`,
  detected: 'detected_at',
} as const;
export type IncidentSortKey = keyof typeof INCIDENT_SORT_EXPRESSIONS;

export interface IncidentFilter {
  /** The column and direction; the newest first when absent. */
  sort?: { by: IncidentSortKey; dir: 'asc' | 'desc' };
  department?: string;
  kind?: IncidentKind;
  state?: string;
  grade?: string;
  open?: boolean;
  q?: string;
  assetId?: string;
  limit?: number;
  offset?: number;
}

/** ORDER BY for a list sort: ties fall back to the newest first, so a page boundary is stable. */
function order(sort: IncidentFilter['sort']): string {
  if (!sort || sort.by === 'detected') return `detected_at ${sort?.dir === 'asc' ? 'ASC' : 'DESC'}, key DESC`;
  return `${INCIDENT_SORT_EXPRESSIONS[sort.by]} ${sort.dir === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, detected_at DESC, key DESC`;
}

/** The columns of a state change: which clocks it stamps and what it closes with. */
export interface TransitionChange {
  to: WorkflowState;
  stamp?: string;
  closedAt?: 'now' | 'clear';
  review?: PostIncidentReview;
  resolution?: string;
  mergedInto?: string;
}

/** States that still need work; the rest are closed one way or another. */
export const OPEN_STATES: readonly WorkflowState[] = [...OPEN_INCIDENT_STATES, ...OPEN_PROTECT_STATES];

/** Columns an analyst's edit may set one by one. */
export type EditableColumn = 'title' | 'description' | 'category' | 'priority' | 'assignee_id' | 'watcher_ids' | 'grading_facts' | 'asset_ids';

const COLUMNS = `id, key, kind, title, description, category, grade, grade_source AS "gradeSource", grade_reason AS "gradeReason",
  proposal, grading_facts AS "gradingFacts", priority, state, asset_ids AS "assetIds", departments, tags, assignee_id AS "assigneeId",
  watcher_ids AS "watcherIds", source, merged_into AS "mergedInto", reporter_type AS "reporterType", detected_at AS "detectedAt",
  acknowledged_at AS "acknowledgedAt", contained_at AS "containedAt", recovered_at AS "recoveredAt", handling_ended_at AS "handlingEndedAt", closed_at AS "closedAt",
  resolution, review, notices, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

const TASK_COLUMNS = `id, incident_id AS "incidentId", playbook_id AS "playbookId", phase, title, description, assignee_role AS "assigneeRole",
  assignee_id AS "assigneeId", due_at AS "dueAt", status, note, created_at AS "createdAt", updated_at AS "updatedAt", completed_at AS "completedAt"`;

const REPORT_COLUMNS = `status, content, summary, pipl, initial_submitted_at AS "initialSubmittedAt", final_at AS "finalAt", updated_by AS "updatedBy", updated_at AS "updatedAt"`;

@Injectable()
export class IncidentsRepository {
  constructor(private readonly db: Database) {}

  /** The pool, for reads outside any transaction. */
  get pool(): Tx {
    return this.db;
  }

  transaction<T>(work: (m: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  // ── incidents ────────────────────────────────────────────────────────────────────────────

  /** One page of the incident list, in the asked order (newest first by default), and how many match in all. */
  async list(q: IncidentFilter): Promise<{ rows: IncidentRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.department !== undefined) add('departments @> ARRAY[?]::text[]', q.department);
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
    const [{ total }] = await this.db.query<{ total: number }>(`SELECT count(*)::int AS total FROM incidents ${filter}`, params);
    const rows = await this.db.query<IncidentRow>(
      `SELECT ${COLUMNS} FROM incidents ${filter} ORDER BY ${order(q.sort)} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit ?? 50, q.offset ?? 0],
    );
    return { rows, total };
  }

  /** By id or by key (INC-2026-0007); `lock` holds the row for the rest of the transaction. */
  async findByIdOrKey(m: Tx, by: 'id' | 'key', value: string, lock: boolean): Promise<IncidentRow | undefined> {
    const [row]: IncidentRow[] = await m.query(`SELECT ${COLUMNS} FROM incidents WHERE ${by} = $1 ${lock ? 'FOR UPDATE' : ''}`, [value]);
    return row;
  }

  async findById(m: Tx, id: string): Promise<IncidentRow> {
    const [row] = await m.query<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]);
    return row;
  }

  /** Every incident still being worked, in one read (the timers go over all of them). */
  openIncidents(m: Tx): Promise<IncidentRow[]> {
    return m.query(`SELECT ${COLUMNS} FROM incidents WHERE kind = 'incident' AND state = ANY($1)`, [OPEN_INCIDENT_STATES]);
  }

  /** The next number of the year for a kind of ticket, counted without gaps between committed ones. */
  async nextNumber(m: Tx, kind: IncidentKind, year: number): Promise<number> {
    const [{ last }] = await m.query<{ last: number }>(
      `INSERT INTO incident_counters (kind, year, last) VALUES ($1, $2, 1)
       ON CONFLICT (kind, year) DO UPDATE SET last = incident_counters.last + 1 RETURNING last`,
      [kind, year],
    );
    return last;
  }

  async insert(
    m: Tx,
    row: Pick<IncidentRow, 'key' | 'kind' | 'title' | 'description' | 'category' | 'state' | 'priority' | 'assetIds' | 'departments' | 'assigneeId' | 'detectedAt' | 'createdBy'> & { source: object },
  ): Promise<string> {
    const [{ id }] = await m.query<{ id: string }>(
      `INSERT INTO incidents (key, kind, title, description, category, state, priority, asset_ids, departments, assignee_id, source, detected_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [row.key, row.kind, row.title, row.description, row.category, row.state, row.priority, row.assetIds, row.departments, row.assigneeId, row.source, row.detectedAt, row.createdBy],
    );
    return id;
  }

  async setColumn(m: Tx, id: string, column: EditableColumn, value: unknown): Promise<void> {
    await m.query(`UPDATE incidents SET ${column} = $2, updated_at = now() WHERE id = $1`, [id, value]);
  }

  async setDepartments(m: Tx, id: string, departments: string[]): Promise<void> {
    await m.query(`UPDATE incidents SET departments = $2 WHERE id = $1`, [id, departments]);
  }

  /** A workflow step: the new state, the first-time stamp, and the closing columns. */
  async applyTransition(m: Tx, id: string, change: TransitionChange): Promise<void> {
    const sets = ['state = $2', 'updated_at = now()'];
    const params: unknown[] = [id, change.to];
    // The first time counts for MTTA and MTTR; going round again does not reset the clock.
    if (change.stamp) sets.push(`${change.stamp} = coalesce(${change.stamp}, now())`);
    if (change.closedAt === 'now') sets.push('closed_at = now()');
    else if (change.closedAt === 'clear') sets.push('closed_at = NULL');
    if (change.to === 'closed') {
      params.push(change.review);
      sets.push(`review = $${params.length}`);
    }
    if (change.resolution !== undefined) {
      params.push(change.resolution);
      sets.push(`resolution = $${params.length}`);
    }
    if (change.mergedInto !== undefined) {
      params.push(change.mergedInto);
      sets.push(`merged_into = $${params.length}`);
    }
    await m.query(`UPDATE incidents SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  /** The analyst's grade, which the proposal no longer moves. */
  async setAnalystGrade(m: Tx, id: string, grade: GradeOrUnrated, reason: string): Promise<void> {
    await m.query(`UPDATE incidents SET grade = $2, grade_source = 'analyst', grade_reason = $3, updated_at = now() WHERE id = $1`, [id, grade, reason]);
  }

  /** The grade follows the proposal again. */
  async clearAnalystGrade(m: Tx, id: string): Promise<void> {
    await m.query(`UPDATE incidents SET grade_source = 'proposal', grade_reason = NULL WHERE id = $1`, [id]);
  }

  /** After a grade change: who reports, and the priority unless an analyst set a more urgent one. */
  async setReporterAndPriority(m: Tx, id: string, reporterType: string, priority: Priority): Promise<void> {
    await m.query(`UPDATE incidents SET reporter_type = $2, priority = CASE WHEN grade_source = 'proposal' OR priority > $3 THEN $3 ELSE priority END WHERE id = $1`, [
      id,
      reporterType,
      priority,
    ]);
  }

  async setProposal(m: Tx, id: string, proposal: GradeProposal): Promise<void> {
    await m.query(`UPDATE incidents SET proposal = $2, updated_at = now() WHERE id = $1`, [id, proposal]);
  }

  async setProposedGrade(m: Tx, id: string, grade: GradeOrUnrated): Promise<void> {
    await m.query(`UPDATE incidents SET grade = $2 WHERE id = $1`, [id, grade]);
  }

  /** Raises the urgency to `priority` (p1 is the most urgent); never lowers it. */
  async raisePriority(m: Tx, id: string, priority: Priority): Promise<void> {
    await m.query(`UPDATE incidents SET priority = least(priority, $2) WHERE id = $1`, [id, priority]);
  }

  async setEvidence(m: Tx, id: string, assetIds: string[], departments: string[], tags: string[]): Promise<void> {
    await m.query(`UPDATE incidents SET asset_ids = $2, departments = $3, tags = $4, updated_at = now() WHERE id = $1`, [id, assetIds, departments, tags]);
  }

  /** The policy's category, only while the incident is new and nobody changed it; false when it did not apply. */
  async recategorise(m: Tx, id: string, to: CategoryId, from: CategoryId): Promise<boolean> {
    const changed = await m.query(`UPDATE incidents SET category = $2, updated_at = now() WHERE id = $1 AND category = $3 AND state = 'new' RETURNING id`, [id, to, from]);
    return changed.length > 0;
  }

  /** Remembers a notice sent (SLA breach, reporting clock) so it is sent once. */
  async addNotice(m: Tx, id: string, notice: string): Promise<void> {
    await m.query(`UPDATE incidents SET notices = array_append(notices, $2) WHERE id = $1`, [id, notice]);
  }

  // ── merge and split ──────────────────────────────────────────────────────────────────────

  /** Moves the source's alerts, assets, departments, tags and watchers to the target; the earlier discovery wins. */
  async absorb(m: Tx, targetId: string, sourceId: string): Promise<void> {
    await m.query(`UPDATE incident_alerts SET incident_id = $2 WHERE incident_id = $1`, [sourceId, targetId]);
    await m.query(
      `UPDATE incidents t SET asset_ids = ARRAY(SELECT DISTINCT unnest(t.asset_ids || s.asset_ids)), departments = ARRAY(SELECT DISTINCT unnest(t.departments || s.departments)),
         tags = ARRAY(SELECT DISTINCT unnest(t.tags || s.tags)), watcher_ids = ARRAY(SELECT DISTINCT unnest(t.watcher_ids || s.watcher_ids)),
         detected_at = least(t.detected_at, s.detected_at), updated_at = now()
       FROM incidents s WHERE t.id = $1 AND s.id = $2`,
      [targetId, sourceId],
    );
  }

  async closeAsMerged(m: Tx, sourceId: string, targetId: string, resolution: string): Promise<void> {
    await m.query(`UPDATE incidents SET state = 'duplicate', merged_into = $2, closed_at = now(), resolution = $3, updated_at = now() WHERE id = $1`, [sourceId, targetId, resolution]);
  }

  /** The timeline's record of the latest merge of `sourceKey` into the target, and of the source leaving. */
  async lastMerge(m: Tx, targetId: string, sourceId: string, sourceKey: string): Promise<{ merge?: MergeRecord; leftState?: WorkflowState }> {
    const [merge] = await m.query<{ detail: MergeRecord }>(`SELECT detail FROM incident_timeline WHERE incident_id = $1 AND type = 'merged_from' AND detail->>'key' = $2 ORDER BY id DESC LIMIT 1`, [targetId, sourceKey]);
    const [left] = await m.query<{ detail: { state?: WorkflowState } }>(`SELECT detail FROM incident_timeline WHERE incident_id = $1 AND type = 'merged_into' ORDER BY id DESC LIMIT 1`, [sourceId]);
    return { merge: merge?.detail, leftState: left?.detail?.state };
  }

  /**
   * Gives the source its alerts back and the target what it held before the merge: its own
   * assets and departments plus those of the alerts it kept.
   */
  async unmerge(m: Tx, targetId: string, sourceId: string, record: MergeRecord): Promise<void> {
    await m.query(`UPDATE incident_alerts SET incident_id = $2 WHERE incident_id = $1 AND alert_id = ANY($3::uuid[])`, [targetId, sourceId, record.alertIds]);
    await m.query(
      `UPDATE incidents t SET asset_ids = ARRAY(SELECT DISTINCT unnest($2::uuid[] || ARRAY(SELECT a.asset_id FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = t.id AND a.asset_id IS NOT NULL))),
         departments = ARRAY(SELECT DISTINCT unnest($3::text[] || ARRAY(SELECT a.department FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = t.id AND a.department IS NOT NULL))),
         tags = $4, detected_at = $5, updated_at = now()
       WHERE t.id = $1`,
      [targetId, record.before.assetIds, record.before.departments, record.before.tags, new Date(record.before.detectedAt)],
    );
  }

  async reopenSplit(m: Tx, id: string, state: WorkflowState): Promise<void> {
    await m.query(`UPDATE incidents SET state = $2, merged_into = NULL, closed_at = NULL, resolution = NULL, updated_at = now() WHERE id = $1`, [id, state]);
  }

  // ── timeline, comments, tasks ────────────────────────────────────────────────────────────

  async insertTimelineEntry(m: Tx, incidentId: string, actor: string, type: string, detail: object): Promise<void> {
    await m.query(`INSERT INTO incident_timeline (incident_id, actor, type, detail) VALUES ($1, $2, $3, $4)`, [incidentId, actor, type, detail]);
  }

  timelineOf(incidentId: string): Promise<TimelineRow[]> {
    return this.db.query(`SELECT id::int, at, actor, type, detail FROM incident_timeline WHERE incident_id = $1 ORDER BY id`, [incidentId]);
  }

  commentsOf(incidentId: string): Promise<CommentRow[]> {
    return this.db.query(`SELECT id, author, body, created_at AS "createdAt" FROM incident_comments WHERE incident_id = $1 ORDER BY created_at, id`, [incidentId]);
  }

  async insertComment(m: Tx, incidentId: string, author: string, body: string): Promise<CommentRow> {
    const [c] = await m.query<CommentRow>(`INSERT INTO incident_comments (incident_id, author, body) VALUES ($1, $2, $3) RETURNING id, author, body, created_at AS "createdAt"`, [incidentId, author, body]);
    return c;
  }

  tasksOf(incidentId: string): Promise<TaskRow[]> {
    return this.db.query(`SELECT ${TASK_COLUMNS} FROM incident_tasks WHERE incident_id = $1 ORDER BY seq`, [incidentId]);
  }

  async insertTask(
    m: Tx,
    task: Pick<TaskRow, 'incidentId' | 'phase' | 'title' | 'description' | 'assigneeRole' | 'assigneeId' | 'dueAt'>,
  ): Promise<TaskRow> {
    const [t] = await m.query<TaskRow>(
      `INSERT INTO incident_tasks (incident_id, phase, title, description, assignee_role, assignee_id, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${TASK_COLUMNS}`,
      [task.incidentId, task.phase, task.title, task.description, task.assigneeRole, task.assigneeId, task.dueAt],
    );
    return t;
  }

  async insertPlaybookTask(
    m: Tx,
    task: Pick<TaskRow, 'incidentId' | 'phase' | 'title' | 'description' | 'assigneeRole' | 'assigneeId'> & { playbookId: string; dueAt: Date },
  ): Promise<void> {
    await m.query(
      `INSERT INTO incident_tasks (incident_id, playbook_id, phase, title, description, assignee_role, assignee_id, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [task.incidentId, task.playbookId, task.phase, task.title, task.description, task.assigneeRole, task.assigneeId, task.dueAt],
    );
  }

  /** Which playbooks already gave the incident tasks in this phase. */
  async playbooksWithTasks(m: Tx, incidentId: string, phase: Exclude<Phase, 'protect'>): Promise<string[]> {
    const present: { playbookId: string }[] = await m.query(`SELECT DISTINCT playbook_id AS "playbookId" FROM incident_tasks WHERE incident_id = $1 AND phase = $2`, [incidentId, phase]);
    return present.map((p) => p.playbookId);
  }

  async lockTask(m: Tx, incidentId: string, taskId: string): Promise<TaskRow | undefined> {
    const [t] = await m.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM incident_tasks WHERE id = $1 AND incident_id = $2 FOR UPDATE`, [taskId, incidentId]);
    return t;
  }

  async updateTask(m: Tx, taskId: string, next: Pick<TaskRow, 'status' | 'assigneeId' | 'dueAt' | 'note'>): Promise<TaskRow> {
    const [updated] = await m.query<TaskRow>(
      `UPDATE incident_tasks SET status = $2, assignee_id = $3, due_at = $4, note = $5, updated_at = now(),
           completed_at = CASE WHEN $2 IN ('done', 'cancelled') THEN coalesce(completed_at, now()) ELSE NULL END
         WHERE id = $1 RETURNING ${TASK_COLUMNS}`,
      [taskId, next.status, next.assigneeId, next.dueAt, next.note],
    );
    return updated;
  }

  // ── alerts ───────────────────────────────────────────────────────────────────────────────

  alertsOf(incidentId: string): Promise<LinkedAlertRow[]> {
    return this.db.query(
      `SELECT a.id, a.rule_id AS "ruleId", a.rule_title AS "ruleTitle", a.level, a.status, a.count, a.first_seen AS "firstSeen", a.last_seen AS "lastSeen",
                a.asset_id AS "assetId", a.group_key AS "groupKey", a.event_ids AS "eventIds"
           FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = $1 ORDER BY a.first_seen`,
      [incidentId],
    );
  }

  async alert(alertId: string): Promise<{ ruleId: string; ruleTitle: string; tags: string[]; assetId: string | null; department: string | null } | undefined> {
    const [alert] = await this.db.query<{ ruleId: string; ruleTitle: string; tags: string[]; assetId: string | null; department: string | null }>(`SELECT rule_id AS "ruleId", rule_title AS "ruleTitle", tags, asset_id AS "assetId", department FROM alerts WHERE id = $1`, [alertId]);
    return alert;
  }

  alertsToLink(m: Tx, alertIds: string[]): Promise<AlertToLink[]> {
    return m.query(
      `SELECT a.id, a.rule_id AS "ruleId", a.asset_id AS "assetId", a.department, a.tags, i.key AS "incidentKey", i.id AS "incidentId"
         FROM alerts a LEFT JOIN incident_alerts l ON l.alert_id = a.id LEFT JOIN incidents i ON i.id = l.incident_id WHERE a.id = ANY($1::uuid[])`,
      [alertIds],
    );
  }

  async linkAlert(m: Tx, incidentId: string, alertId: string, ruleId: string, linkedBy: string): Promise<void> {
    await m.query(`INSERT INTO incident_alerts (incident_id, alert_id, rule_id, linked_by) VALUES ($1, $2, $3, $4)`, [incidentId, alertId, ruleId, linkedBy]);
  }

  /** Of these alerts, the ones some incident already holds. */
  async alreadyLinked(m: Tx, alertIds: string[]): Promise<string[]> {
    const linked: { alertId: string }[] = await m.query(`SELECT alert_id AS "alertId" FROM incident_alerts WHERE alert_id = ANY($1::uuid[])`, [alertIds]);
    return linked.map((l) => l.alertId);
  }

  async alertIdsOf(m: Tx, incidentId: string): Promise<string[]> {
    const moved: { alertId: string }[] = await m.query(`SELECT alert_id AS "alertId" FROM incident_alerts WHERE incident_id = $1`, [incidentId]);
    return moved.map((a) => a.alertId);
  }

  /** The tags of the incident's alerts other than `exceptAlertId`. */
  async heldAlertTags(m: Tx, incidentId: string, exceptAlertId: string): Promise<string[][]> {
    const held = await m.query<{ tags: string[] }>(`SELECT a.tags FROM alerts a JOIN incident_alerts l ON l.alert_id = a.id WHERE l.incident_id = $1 AND a.id <> $2`, [incidentId, exceptAlertId]);
    return held.map((h) => h.tags);
  }

  /** Rule, asset and group key of each alert behind the incident: what must go quiet before it closes. */
  linkedAlertKeys(m: Tx, incidentId: string): Promise<{ ruleId: string; assetId: string | null; groupKey: string }[]> {
    return m.query(`SELECT a.rule_id AS "ruleId", a.asset_id AS "assetId", a.group_key AS "groupKey" FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE l.incident_id = $1`, [incidentId]);
  }

  /** When these rules last fired on these assets (or, for alerts on no asset, these group keys). */
  async lastFiredAt(m: Tx, rules: string[], assetIds: string[], groupKeys: string[]): Promise<Date | null> {
    const [{ last }] = await m.query<{ last: Date | null }>(`SELECT max(last_seen) AS last FROM alerts WHERE rule_id = ANY($1) AND (asset_id = ANY($2::uuid[]) OR (asset_id IS NULL AND group_key = ANY($3)))`, [
      rules,
      assetIds,
      groupKeys,
    ]);
    return last ?? null;
  }

  /**
   * The open incident an alert joins: one holding an alert seen within the window that shares the
   * target asset or an actor, or for hosts not in the registry the same rule and group key.
   */
  async homeFor(m: Tx, alertId: string, windowSeconds: number, actors: string[]): Promise<string | undefined> {
    const [home] = await m.query<{ id: string }>(
      `SELECT i.id FROM incidents i JOIN incident_alerts l ON l.incident_id = i.id JOIN alerts a ON a.id = l.alert_id, alerts n
            WHERE n.id = $1 AND i.kind = 'incident' AND i.state = ANY($3)
              AND (a.asset_id = n.asset_id OR a.actors && $4::text[]
                   OR (n.asset_id IS NULL AND a.asset_id IS NULL AND a.rule_id = n.rule_id AND a.group_key = n.group_key))
              AND a.last_seen >= n.first_seen - make_interval(secs => $2)
            ORDER BY i.detected_at DESC LIMIT 1`,
      [alertId, windowSeconds, OPEN_INCIDENT_STATES, actors],
    );
    return home?.id;
  }

  /** Alerts in no incident, not closed, at one of `levels`, related to the alert in the same way as `homeFor`. */
  earlierRelated(m: Tx, alertId: string, windowSeconds: number, actors: string[], levels: string[]): Promise<{ id: string; tags: string[] }[]> {
    return m.query(
      `SELECT a.id, a.tags FROM alerts a, alerts n
            WHERE n.id = $1 AND a.id <> n.id AND a.status <> 'closed' AND a.level = ANY($4)
              AND NOT EXISTS (SELECT 1 FROM incident_alerts l WHERE l.alert_id = a.id)
              AND (a.asset_id = n.asset_id OR a.actors && $3::text[]
                   OR (n.asset_id IS NULL AND a.asset_id IS NULL AND a.rule_id = n.rule_id AND a.group_key = n.group_key))
              AND a.last_seen >= n.first_seen - make_interval(secs => $2)`,
      [alertId, windowSeconds, actors, levels],
    );
  }

  // ── assets and users ─────────────────────────────────────────────────────────────────────

  async assetsById(m: Tx, ids: readonly string[]): Promise<Map<string, AssetSummary>> {
    if (ids.length === 0) return new Map<string, AssetSummary>();
    const rows: AssetSummary[] = await m.query(
      `SELECT id, name, type, department, cii, mlps_level AS "mlpsLevel", data_level AS "dataLevel", contact_user_id AS "contactUserId" FROM assets WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  async assetName(m: Tx, id: string): Promise<string | undefined> {
    const [asset] = await m.query<{ name: string }>(`SELECT name FROM assets WHERE id = $1`, [id]);
    return asset?.name;
  }

  async user(m: Tx, id: string): Promise<{ role: string; department: string | null; disabled: boolean } | undefined> {
    const [u] = await m.query<{ role: string; department: string | null; disabled: boolean }>(`SELECT role, department, disabled FROM users WHERE id = $1`, [id]);
    return u;
  }

  // ── reports ──────────────────────────────────────────────────────────────────────────────

  async report(m: Tx, incidentId: string): Promise<StoredReport | undefined> {
    const [row] = await m.query<StoredReport>(`SELECT ${REPORT_COLUMNS} FROM incident_reports WHERE incident_id = $1`, [incidentId]);
    return row;
  }

  async saveReport(m: Tx, incidentId: string, report: Omit<StoredReport, 'updatedAt'>): Promise<void> {
    await m.query(
      `INSERT INTO incident_reports (incident_id, status, content, summary, pipl, initial_submitted_at, final_at, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
         ON CONFLICT (incident_id) DO UPDATE SET status = $2, content = $3, summary = $4, pipl = $5, initial_submitted_at = $6, final_at = $7, updated_by = $8, updated_at = now()`,
      [incidentId, report.status, report.content, report.summary, report.pipl, report.initialSubmittedAt, report.finalAt, report.updatedBy],
    );
  }

  // ── statistics and read models ───────────────────────────────────────────────────────────

  /** Incidents graded 较大 and above by an analyst whose report is not final: their clocks run. */
  reportableIncidents(department?: string): Promise<(IncidentRow & { reportStatus: ReportStatus | null })[]> {
    return this.db.query(
      `SELECT i.id, i.key, i.title, i.grade, i.category, i.state, i.asset_ids AS "assetIds", i.detected_at AS "detectedAt", i.handling_ended_at AS "handlingEndedAt",
              i.assignee_id AS "assigneeId", i.watcher_ids AS "watcherIds", i.notices, r.status AS "reportStatus"
         FROM incidents i LEFT JOIN incident_reports r ON r.incident_id = i.id
        WHERE i.kind = 'incident' AND i.grade IN ('relatively_major', 'major', 'especially_major') AND i.grade_source = 'analyst'
          AND i.state NOT IN ('false_positive', 'benign', 'duplicate') AND coalesce(r.status, 'draft') <> 'final'
          ${department !== undefined ? 'AND i.departments @> ARRAY[$1]::text[]' : ''}`,
      department !== undefined ? [department] : [],
    );
  }

  /** Graded incidents that were not dismissed, with their reporting times: what the compliance checks see. */
  gradedIncidents(): Promise<
    (Pick<IncidentRow, 'id' | 'key' | 'title' | 'grade' | 'assetIds' | 'detectedAt' | 'closedAt' | 'handlingEndedAt' | 'review' | 'state'> & { reportedAt: Date | null; summaryAt: Date | null })[]
  > {
    return this.db.query(
      `SELECT i.id, i.key, i.title, i.grade, i.asset_ids AS "assetIds", i.detected_at AS "detectedAt", i.closed_at AS "closedAt", i.handling_ended_at AS "handlingEndedAt", i.review, i.state,
              r.initial_submitted_at AS "reportedAt", r.final_at AS "summaryAt"
         FROM incidents i LEFT JOIN incident_reports r ON r.incident_id = i.id
        WHERE i.kind = 'incident' AND i.grade <> 'unrated' AND i.state NOT IN ('false_positive', 'benign', 'duplicate')
        ORDER BY i.detected_at`,
    );
  }

  /**
   * Mean time to acknowledge and to recover, per grade and month of detection (Beijing time), in
   * minutes, over incidents that got that far. Dismissed incidents are left out: they measure
   * triage, not response.
   */
  meanTimes(months: number): Promise<{ month: string; grade: GradeOrUnrated; incidents: number; mttaMinutes: number | null; acknowledged: number; mttrMinutes: number | null; recovered: number }[]> {
    return this.db.query(
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

  /** Open incidents with the times the SLA looks at, for the situation page. */
  openIncidentClocks(
    department?: string,
  ): Promise<Pick<IncidentRow, 'kind' | 'grade' | 'state' | 'detectedAt' | 'acknowledgedAt' | 'containedAt' | 'recoveredAt'>[]> {
    const scoped = department !== undefined;
    return this.db.query(
      `SELECT kind, grade, state, detected_at AS "detectedAt", acknowledged_at AS "acknowledgedAt", contained_at AS "containedAt", recovered_at AS "recoveredAt"
         FROM incidents WHERE kind = 'incident' AND state = ANY($1) ${scoped ? 'AND departments @> ARRAY[$2]::text[]' : ''}`,
      scoped ? [OPEN_INCIDENT_STATES, department] : [OPEN_INCIDENT_STATES],
    );
  }

  /** For the digest: incidents registered in the window, and those open at its end by grade. */
  async digest(window: { from: Date; to: Date }, department?: string): Promise<{ fresh: Pick<IncidentRow, 'key' | 'title' | 'grade'>[]; open: { grade: GradeOrUnrated; n: number }[] }> {
    // The department, when confined, is always the last parameter.
    const scoped = (n: number) => (department === undefined ? '' : `AND departments @> ARRAY[$${n}]::text[]`);
    const params = (extra: unknown[]) => (department === undefined ? extra : [...extra, department]);
    const fresh = await this.db.query<Pick<IncidentRow, 'key' | 'title' | 'grade'>>(
      `SELECT key, title, grade FROM incidents WHERE kind = 'incident' AND created_at >= $1 AND created_at < $2 ${scoped(3)} ORDER BY created_at`,
      params([window.from, window.to]),
    );
    const open = await this.db.query<{ grade: GradeOrUnrated; n: number }>(
      `SELECT grade, count(*)::int AS n FROM incidents
        WHERE kind = 'incident' AND state = ANY($1) AND created_at < $2 ${scoped(3)}
        GROUP BY grade ORDER BY grade`,
      params([OPEN_INCIDENT_STATES, window.to]),
    );
    return { fresh, open };
  }
}
