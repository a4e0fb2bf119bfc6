export { AlertsService, type Detection, type RecordedAlert } from './alerts/alerts.service.js';
export { DetectionModule } from './detection.module.js';
export { LiveDetection } from './live-detection.js';
export { RuleCatalogue } from './rule-catalogue.js';
export { RulePackService } from './rule-pack.service.js';
export { ScheduledRules } from './scheduled-rules.js';
export { DetectionEngine, type RuleFiring } from './detection-engine.js';
export { dormancyText, type DormantRule, runCorrelationSequences, runRuleExamples, runScheduleTests } from './rule-pack.js';
export { ruleCacheDir } from './rule-cache.js';
