export {
  CatalogueError,
  SEVERITIES,
  SOURCES,
  VERIFICATIONS,
  loadCatalogue,
  parseCatalogue,
  type CatalogueIssue,
  type Control,
  type Severity,
  type SourceKey,
  type Verification,
} from './catalogue.js';
export { REPORTER_TYPES } from '../../incidents/core/index.js';
export { EVALUATORS, type CheckResult, type CheckStatus, type EvidenceValue, type Localised, type Subject } from './evaluators.js';
export { INCIDENT_GRADES, type AssetFacts, type FactsSnapshot, type IncidentFacts, type IncidentGrade } from './facts.js';
export { evaluateControl } from './run.js';
export { SELECTORS, appliesTo, type Selector } from './selector.js';
