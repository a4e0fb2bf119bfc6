export { AlertsService, type Detection, type RecordedAlert } from './alerts/alerts.service.js';
export { DetectionModule } from './detection.module.js';
export { LiveDetection } from './live-detection.js';
export { RuleCatalogue } from './rule-catalogue.js';
export { RulePackService } from './rule-pack.service.js';
export { ScheduledRules } from './scheduled-rules.js';
export { DetectionEngine, type CorrelationInput, type RuleFiring, dormancyText, type DormantRule, runCorrelationSequences, runRuleExamples, runScheduleTests, ruleCacheDir } from './core.js';
