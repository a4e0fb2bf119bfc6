import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SituationService, type SituationScope } from '../situation/index.js';
import { summarise } from './report.js';
import { RunsService } from './runs.service.js';
import { Database } from '../database/index.js';
import { RunsRepository } from './runs.repository.js';

/**
 * The compliance section of the situation page: the results per law of the latest completed
 * audit run (the console turns them into pass rates), counted over what the caller may see
 * (owners: their department's assets).
 */
@Injectable()
export class ComplianceSituationSection implements OnModuleInit {
  private readonly runsStored = new RunsRepository();

  constructor(
    private readonly db: Database,
    private readonly situation: SituationService,
    private readonly runs: RunsService,
  ) {}

  onModuleInit(): void {
    this.situation.register({ key: 'compliance', contribute: (scope) => this.latest(scope) });
  }

  async latest(scope: SituationScope) {
    const run = await this.runsStored.latestCompleted(this.db);
    if (!run) return { data: { run: null, byLaw: [] } };
    const summary = summarise(run.controls, await this.runs.results(run.id, {}, scope.principal));
    return {
      data: {
        run: { id: run.id, profileName: run.profileName, finishedAt: run.finishedAt.toISOString() },
        byStatus: summary.byStatus,
        byLaw: summary.byLaw.map((l) => ({ source: l.source, controls: l.controls, counts: l.counts })),
      },
    };
  }
}
