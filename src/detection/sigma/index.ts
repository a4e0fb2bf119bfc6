/**
 * Taishi's native Sigma engine. Stages:
 *
 *   parseSigmaDocuments(text, file)   YAML → validated rules / correlations / filters (+ errors with positions)
 *   compileRule(rule, options)        rule → CompiledRule (regexes, sets, CIDRs built once)
 *   compiled.matches(event, ctx?)     evaluate on a plain event object
 *   new CorrelationEngine(corrs)      feed it rule matches, get correlation hits
 *
 * See README.md in this folder for semantics and design decisions.
 */
export { SigmaError, SigmaLimitError, isSigmaError, type SourcePos } from './errors.js';
export type {
  SigmaRule,
  SigmaCorrelation,
  SigmaFilter,
  SigmaDocument,
  SigmaLevel,
  SigmaStatus,
  LogSource,
  RuleTests,
  CorrelationType,
  CorrelationCondition,
  Detection,
  DetectionItem,
  SearchNode,
} from './ast.js';
export { parseSigmaDocuments, testCompile, type ParseOptions, type ParseResult } from './parse.js';
export { parseYamlDocuments, encodeYaml, decodeYaml, yget, MalformedEncodingError, type YamlDocuments, type EncodedYaml } from './yaml.js';
export { compileRule, compileFilter, filterApplies, valueKeys, type CompiledRule, type CompileOptions, type FieldMapper, type RequiredValues } from './compile.js';
export { EvalContext, eventMayMatch, pathKeys, toStr, type FieldAccess, type FieldHint, type HintClause, type PathKeys } from './event.js';
export { parseCondition, type ConditionNode } from './condition.js';
export { MODIFIER_NAMES } from './modifiers.js';
export {
  CorrelationEngine,
  InMemoryStateStore,
  type CorrelationEngineOptions,
  type CorrelationHit,
  type CorrelationStateStore,
  type CorrelationEntry,
  type GroupState,
  type RuleRef,
} from './correlation.js';
export { runRuleTests, type RuleTestFailure } from './selftest.js';
export { AhoCorasick, AnchorScanner, PairSkipScanner, type NeedleScanner } from './primitives.js';
