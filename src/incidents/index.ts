export { IncidentMerge } from './incident-merge.js';
export { IncidentQueries } from './incident-queries.js';
export { IncidentWorkflow } from './incident-workflow.js';
export { IncidentsModule } from './incidents.module.js';
export type { IncidentRow } from './incidents.repository.js';
export { IncidentsService } from './incidents.service.js';
export { ReportingService, type RunningClock } from './reporting.service.js';
