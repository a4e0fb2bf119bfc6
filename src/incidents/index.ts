export { IncidentsModule } from './incidents.module.js';
export { IncidentsService, type IncidentRow } from './incidents.service.js';
export { ReportingService, type RunningClock } from './reporting.service.js';
