import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/index.js';
import type { Caller } from '../shared/principal.js';
import { phaseOf, transition, type PostIncidentReview, type WorkflowState } from './core/workflow.js';
import { incidentErrors } from './errors.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentRules } from './incident-rules.js';
import { IncidentsRepository, type IncidentRow, type Tx } from './incidents.repository.js';
import { IncidentsService, ref, type AfterCommit } from './incidents.service.js';
import { Clock } from '../shared/index.js';

/** The workflow's steps: the state machine's checks, the clocks a step stamps, and what entering a phase brings. */
@Injectable()
export class IncidentWorkflow {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly queries: IncidentQueries,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditService,
    private readonly rules: IncidentRules,
    private readonly clock: Clock,
  ) {}

  /**
   * One step of the workflow. Illegal steps are refused with the allowed next states; leaving
   * verification also needs the rules that raised the incident to have gone quiet.
   */
  async transition(idOrKey: string, input: { to: WorkflowState; reason?: string; review?: PostIncidentReview; duplicateOf?: string; overrideQuietPeriod?: boolean }, caller: Caller) {
    const after: AfterCommit = [];
    const row = await this.repo.transaction(async (m) => {
      const incident = await this.queries.findVisible(idOrKey, caller.principal, m, true);
      const result = transition(incident.state, input.to, input);
      if (!result.ok) {
        const details = { reason: result.reason, allowed: result.allowed, messages: result.message };
        if (result.reason === 'illegal_transition') throw incidentErrors.transition_refused({ from: incident.state, to: input.to, allowed: result.allowed }, details);
        throw incidentErrors[result.reason]({}, details);
      }
      let duplicateOf: IncidentRow | undefined;
      if (input.to === 'duplicate') {
        duplicateOf = await this.queries.findVisible(input.duplicateOf!, caller.principal, m).catch(() => {
          throw incidentErrors.duplicate_unknown({ id: input.duplicateOf });
        });
        if (duplicateOf.id === incident.id) throw incidentErrors.duplicate_of_self();
      }
      if (incident.state === 'verification' && input.to === 'closed') {
        const quiet = await this.quietCheck(m, incident, this.clock.now());
        if (!quiet.quiet) {
          if (!input.overrideQuietPeriod)
            throw incidentErrors.not_quiet({ lastFiredAt: quiet.lastFiredAt!, quietUntil: quiet.quietUntil! }, { reason: 'not_quiet', ...quiet });
          if (!input.reason?.trim()) throw incidentErrors.quiet_override_reason();
          await this.incidents.timeline(m, incident.id, caller, 'quiet_period_overridden', { reason: input.reason, lastFiredAt: quiet.lastFiredAt });
        }
      }
      const now = this.clock.now();
      const stamps: Partial<Record<WorkflowState, string>> = { acknowledged: 'acknowledged_at', containment: 'contained_at', recovery: 'recovered_at', verification: 'handling_ended_at' };
      const closing = result.phase === 'closed' || input.to === 'done' || input.to === 'cancelled';
      const reopening = phaseOf(incident.state) === 'closed' || incident.state === 'done' || incident.state === 'cancelled';
      await this.repo.applyTransition(m, incident.id, {
        to: input.to,
        stamp: stamps[input.to],
        closedAt: closing ? 'now' : reopening ? 'clear' : undefined,
        review: input.review,
        resolution: closing ? (input.to === 'closed' ? 'resolved' : input.to === 'duplicate' ? `duplicate of ${duplicateOf!.key}` : input.reason ?? input.to) : undefined,
        mergedInto: duplicateOf?.id,
      });
      await this.incidents.timeline(m, incident.id, caller, 'transition', { from: incident.state, to: input.to, reason: input.reason ?? null, ...(duplicateOf ? { duplicateOf: duplicateOf.key } : {}) });
      await this.audit.record({ ...caller, action: `${incident.kind}.transition`, targetType: incident.kind, targetId: incident.id, before: { state: incident.state }, after: { state: input.to, reason: input.reason, review: input.review } }, m);
      const updated = await this.incidents.reload(m, incident.id);
      if (result.enteredPhase && result.enteredPhase !== 'protect') await this.incidents.addPlaybookTasks(m, updated, result.enteredPhase, now, caller, after);
      if (input.to === 'closed' && input.review) {
        for (const action of input.review.protectiveActions.filter((a) => a.trim())) {
          const ticket = await this.incidents.openProtectTicket({ title: action, description: `${incident.key}: ${incident.title}`, assetIds: incident.assetIds, source: { type: 'incident_review', id: incident.id } }, caller, m);
          await this.incidents.timeline(m, incident.id, caller, 'protect_ticket_opened', { key: ticket.key, title: action });
        }
      }
      if (result.phase === 'closed' && incident.kind === 'incident')
        after.push(() => this.incidents.notify({ kind: 'incident_closed', incident: ref(updated), resolution: updated.resolution ?? input.to }, { userIds: this.incidents.followers(updated) }));
      return this.incidents.reload(m, incident.id);
    });
    await this.incidents.runAfter(after);
    return row;
  }

  /**
   * Whether the rules behind an incident have been quiet on its assets (or, for alerts on no
   * registered asset, on their group keys) for the policy's quiet period, counted in event time.
   */
  async quietCheck(m: Tx, incident: IncidentRow, now: Date): Promise<{ quiet: boolean; lastFiredAt: Date | null; quietUntil: Date | null; quietPeriodMs: number; rules: string[] }> {
    const quietPeriodMs = this.rules.policy.recovery.quietPeriodMs;
    const linked = await this.repo.linkedAlertKeys(m, incident.id);
    const rules = [...new Set(linked.map((l) => l.ruleId))];
    if (rules.length === 0) return { quiet: true, lastFiredAt: null, quietUntil: null, quietPeriodMs, rules };
    const assetIds = [...new Set([...incident.assetIds, ...linked.flatMap((l) => (l.assetId ? [l.assetId] : []))])];
    const groupKeys = [...new Set(linked.filter((l) => !l.assetId).map((l) => l.groupKey))];
    const lastFiredAt = await this.repo.lastFiredAt(m, rules, assetIds, groupKeys);
    const quietUntil = lastFiredAt ? new Date(lastFiredAt.getTime() + quietPeriodMs) : null;
    return { quiet: quietUntil === null || quietUntil <= now, lastFiredAt, quietUntil, quietPeriodMs, rules };
  }
}
