/**
 * The detection engine without the service around it: what the command line and worker threads
 * use, which need rules and events but not the framework, the database or the alert store.
 */
export { DetectionEngine, type CorrelationInput, type RuleFiles, type RuleFiring } from './detection-engine.js';
export { dormancyText, type DormantRule, runCorrelationSequences, runRuleExamples, runScheduleTests } from './rule-pack.js';
export { ruleCacheDir } from './rule-cache.js';
