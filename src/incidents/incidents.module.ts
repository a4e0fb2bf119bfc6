import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { AlertIntakeService } from './alert-intake.service.js';
import { IncidentDigest } from './incident-digest.js';
import { IncidentMerge } from './incident-merge.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentWorkflow } from './incident-workflow.js';
import { IncidentRules } from './incident-rules.js';
import { IncidentTimersService } from './incident-timers.service.js';
import { AlertToIncidentController, IncidentsController } from './incidents.controller.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IncidentsService } from './incidents.service.js';
import { ReportingService } from './reporting.service.js';
import { IncidentSituationSections } from './situation-sections.js';

@Module({
  imports: [AuditModule],
  controllers: [IncidentsController, AlertToIncidentController],
  providers: [IncidentRules, IncidentsRepository, IncidentQueries, IncidentsService, IncidentWorkflow, IncidentMerge, ReportingService, AlertIntakeService, IncidentTimersService, IncidentDigest, IncidentSituationSections],
  exports: [IncidentsService, ReportingService],
})
export class IncidentsModule {}
