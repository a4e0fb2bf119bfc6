export { AlertsService, type Detection, type RecordedAlert } from './alerts/alerts.service.js';
export { DetectionModule } from './detection.module.js';
export { DetectionService } from './detection.service.js';
export { RuleCatalogue } from './rule-catalogue.js';
export { DetectionEngine, type RuleFiring } from './detection-engine.js';
export { dormancyText, type DormantRule, runCorrelationSequences, runRuleExamples, runScheduleTests } from './rule-pack.js';
