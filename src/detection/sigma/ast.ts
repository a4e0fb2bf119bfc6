import type { SourcePos } from './errors.js';
import type { ConditionNode } from './condition.js';
import type { YScalar } from './yaml.js';

/** The validated shapes of the three kinds of Sigma documents, with source positions kept. */

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof LEVELS)[number];
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export type SigmaStatus = (typeof STATUSES)[number];

export interface LogSource {
  product?: string;
  category?: string;
  service?: string;
  definition?: string;
}

/** One scalar value of a detection item, as written. */
export interface ValueNode {
  value: string | number | boolean | null;
  pos: SourcePos;
  node: YScalar;
}

export interface ModifierRef {
  name: string;
  pos: SourcePos;
}

/**
 * `field|mod1|mod2: value(s)`. `field` is null for keyword (full-text) items: plain strings in a
 * list, or a `'|mod': value` key with an empty field name.
 */
export interface DetectionItem {
  field: string | null;
  modifiers: ModifierRef[];
  values: ValueNode[];
  /** The values were written as a YAML list (the `all` modifier needs one). */
  listForm: boolean;
  pos: SourcePos;
}

/** A search identifier's definition: a map is an AND of its items, a list an OR of its elements. */
export type SearchNode =
  | { kind: 'item'; item: DetectionItem }
  | { kind: 'and'; children: SearchNode[]; pos: SourcePos }
  | { kind: 'or'; children: SearchNode[]; pos: SourcePos };

export interface ConditionSource {
  text: string;
  node: YScalar;
  tree: ConditionNode;
}

export interface Detection {
  /** Search identifiers in definition order. */
  searches: Map<string, { node: SearchNode; pos: SourcePos }>;
  /** Several conditions (a YAML list, deprecated) are OR-ed. */
  conditions: ConditionSource[];
  pos: SourcePos;
}

/**
 * Taishi's own test examples, kept in the rule under the key `x-taishi-tests`:
 *
 *   x-taishi-tests:
 *     match:            # events the rule must match
 *       - { CommandLine: 'whoami /all' }
 *     nomatch:          # events the rule must not match
 *       - { CommandLine: 'dir' }
 */
export interface RuleTests {
  match: { event: Record<string, unknown>; pos: SourcePos }[];
  nomatch: { event: Record<string, unknown>; pos: SourcePos }[];
  pos: SourcePos;
}

interface DocumentBase {
  file: string;
  /** Index of the YAML document within the file. */
  docIndex: number;
  pos: SourcePos;
  title: string;
  id?: string;
  name?: string;
  status?: SigmaStatus;
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  references: string[];
  tags: string[];
  falsepositives: string[];
  level?: SigmaLevel;
  /** Attributes this engine does not interpret (related, license, custom x-keys ...), as plain values. */
  custom: Record<string, unknown>;
}

export interface SigmaRule extends DocumentBase {
  kind: 'rule';
  logsource: LogSource;
  fields: string[];
  detection: Detection;
  tests?: RuleTests;
}

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_min',
  'value_max',
  'value_median',
  'value_percentile',
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export const CONDITION_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export interface CorrelationCondition {
  /** All must hold (a range is written as two operators). */
  tests: { op: ConditionOperator; value: number }[];
  /** The field(s) whose values are counted / summed / averaged. */
  field?: string[];
  /** For value_percentile: which percentile (1-99) of the field's values is compared. */
  percentile?: number;
}

export interface SigmaCorrelation extends DocumentBase {
  kind: 'correlation';
  type: CorrelationType;
  /** Referenced rule or correlation ids / names, in order (temporal_ordered uses the order). */
  rules: { ref: string; pos: SourcePos }[];
  groupBy: string[];
  timespanMs: number;
  timespanText: string;
  condition: CorrelationCondition;
  /** alias → (rule id or name → field in that rule's events). */
  aliases: Map<string, Map<string, string>>;
  generate: boolean;
}

export interface SigmaFilter extends DocumentBase {
  kind: 'filter';
  logsource: LogSource;
  /** 'any' = every rule whose logsource fits. */
  rules: { ref: string; pos: SourcePos }[] | 'any';
  detection: Detection;
}

export type SigmaDocument = SigmaRule | SigmaCorrelation | SigmaFilter;
