export { ComplianceModule } from './compliance.module.js';
export { DEFAULT_PROFILE, ProfilesService } from './profiles.service.js';
export { RunsService } from './runs.service.js';
export type { Lang, ReportFormat } from './report.js';
