import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import type { Caller } from '../shared/principal.js';
import { higherGrade } from './core/grading.js';
import { nextStates } from './core/workflow.js';
import { incidentErrors } from './errors.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentsRepository, OPEN_STATES, type IncidentRow, type Tx } from './incidents.repository.js';
import { IncidentsService, type AfterCommit } from './incidents.service.js';

/** Merging incidents that turn out to be one, and splitting a merge back out. */
@Injectable()
export class IncidentMerge {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly queries: IncidentQueries,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Folds incidents into one: alerts, assets, tags and watchers move; the merged incident keeps
   * the earliest discovery (so one set of clocks counts from the first sighting) and the most
   * serious grade an analyst confirmed on any of them; the others close as duplicates. Each
   * merge is remembered on the timeline so it can be split back.
   */
  async merge(intoIdOrKey: string, idsOrKeys: string[], caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.repo.transaction(async (m) => {
      const target = await this.queries.findVisible(intoIdOrKey, caller.principal, m, true);
      if (target.kind !== 'incident') throw incidentErrors.merge_not_incident({ key: target.key });
      if (!OPEN_STATES.includes(target.state)) throw incidentErrors.merge_target_closed({ key: target.key, state: target.state });
      for (const idOrKey of [...new Set(idsOrKeys)]) {
        const source = await this.queries.findVisible(idOrKey, caller.principal, m, true);
        if (source.id === target.id) throw incidentErrors.merge_into_self({ key: source.key });
        if (source.kind !== 'incident') throw incidentErrors.merge_not_incident({ key: source.key });
        if (!nextStates(source.state).some((s) => s.state === 'duplicate'))
          throw incidentErrors.merge_source_closed({ key: source.key, state: source.state }, { allowed: nextStates(source.state).map((s) => s.state) });
        await this.mergeOne(m, target, source, caller);
      }
      await this.incidents.refreshGrade(m, target.id, caller, after);
      return this.incidents.reload(m, target.id);
    });
    await this.incidents.runAfter(after);
    return row;
  }

  private async mergeOne(m: Tx, target: IncidentRow, source: IncidentRow, caller: Caller) {
    const current = await this.incidents.reload(m, target.id);
    const moved = await this.repo.alertIdsOf(m, source.id);
    await this.repo.absorb(m, target.id, source.id);
    if (source.gradeSource === 'analyst' && (current.gradeSource !== 'analyst' || higherGrade(current.grade, source.grade) !== current.grade)) {
      await this.repo.setAnalystGrade(m, target.id, source.grade, `${source.key}: ${source.gradeReason ?? ''}`);
      await this.incidents.gradeChanged(m, current, source.grade, `merged from ${source.key}`, caller, [], false);
    }
    await this.repo.closeAsMerged(m, source.id, target.id, `merged into ${target.key}`);
    await this.incidents.timeline(m, source.id, caller, 'merged_into', { key: target.key, state: source.state });
    await this.incidents.timeline(m, target.id, caller, 'merged_from', {
      key: source.key,
      alertIds: moved,
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
    const row = await this.repo.transaction(async (m) => {
      const target = await this.queries.findVisible(intoIdOrKey, caller.principal, m, true);
      const source = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      if (source.mergedInto !== target.id || source.state !== 'duplicate') throw incidentErrors.not_merged({ key: source.key, into: target.key });
      const { merge, leftState } = await this.repo.lastMerge(m, target.id, source.id, source.key);
      if (!merge) throw incidentErrors.not_merged({ key: source.key, into: target.key });
      await this.repo.unmerge(m, target.id, source.id, merge);
      if (target.gradeSource === 'analyst' && merge.before.gradeSource !== 'analyst') await this.repo.clearAnalystGrade(m, target.id);
      await this.repo.reopenSplit(m, source.id, leftState ?? 'acknowledged');
      await this.incidents.timeline(m, source.id, caller, 'split_from', { key: target.key });
      await this.incidents.timeline(m, target.id, caller, 'split_out', { key: source.key, alertIds: merge.alertIds });
      await this.audit.record({ ...caller, action: 'incident.split', targetType: 'incident', targetId: target.id, after: { split: source.key, from: target.key } }, m);
      await this.incidents.refreshGrade(m, target.id, caller, after);
      await this.incidents.refreshGrade(m, source.id, caller, after);
      return this.incidents.reload(m, target.id);
    });
    await this.incidents.runAfter(after);
    return row;
  }
}
