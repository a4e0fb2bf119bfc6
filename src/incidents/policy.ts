import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CATEGORY_IDS, type CategoryId } from './core/categories.js';
import type { GradeOrUnrated } from './core/grading.js';
import { TableError, isMap, type Issue } from './core/validation.js';

/**
 * The local incident policy (rules/incidents/policy.yml): which alerts open incidents and how they
 * group, which category a new incident gets, the SLA targets per grade and the recovery quiet
 * period. It is Taishi's default practice, not law, so every value is meant to be edited.
 */

export const ALERT_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export const SLA_TARGETS = ['acknowledge', 'contain', 'recover'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];
const SLA_GRADES = ['especially_major', 'major', 'relatively_major', 'general', 'unrated'] as const satisfies readonly GradeOrUnrated[];

export interface IncidentPolicy {
  /** `sharedAccounts`: user names too common to say who the attacker is (root, admin…), lower case. */
  /** `joinLevel`: alerts from here up to `minLevel` join an open incident of the same intrusion but never open one. */
  grouping: { minLevel: AlertLevel; joinLevel: AlertLevel; windowMs: number; sharedAccounts: string[] };
  categories: { attack: string[]; category: CategoryId }[];
  defaultCategory: CategoryId;
  /** Milliseconds from detection, per grade and target. */
  sla: Record<GradeOrUnrated, Record<SlaTarget, number>>;
  recovery: { quietPeriodMs: number };
  /**
   * How long an analyst has to assess (研判) an incident proposed at 较大 or above before it is
   * overdue. The legal reporting clock is not this: it starts when the analyst confirms the grade.
   */
  assessment: { slaMs: number };
}

export class PolicyError extends TableError {
  constructor(issues: readonly Issue[]) {
    super('incident policy', issues);
  }
}

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const TECHNIQUE = /^t\d{4}(\.\d{3})?$/;

export const levelAtLeast = (level: string, floor: AlertLevel): boolean =>
  ALERT_LEVELS.indexOf(level as AlertLevel) >= ALERT_LEVELS.indexOf(floor);

/** The category of the first policy entry whose technique the tags carry. */
export function categoryForTags(policy: IncidentPolicy, tags: readonly string[]): CategoryId {
  const techniques = tags.map((t) => t.toLowerCase().replace(/^attack\./, ''));
  const covers = (technique: string) => techniques.some((t) => t === technique || t.startsWith(`${technique}.`));
  return policy.categories.find((c) => c.attack.some(covers))?.category ?? policy.defaultCategory;
}

export function parsePolicy(text: string, file = 'policy.yml'): IncidentPolicy {
  const issues: Issue[] = [];
  const issue = (path: string, message: string) => issues.push({ file, path, message });
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new PolicyError([{ file, path: '(file)', message: `not valid YAML: ${(e as Error).message}` }]);
  }
  if (!isMap(raw)) throw new PolicyError([{ file, path: '(file)', message: 'must be a map with grouping, categories, sla, assessment and recovery' }]);
  for (const k of Object.keys(raw)) if (!['grouping', 'categories', 'sla', 'assessment', 'recovery'].includes(k)) issue(k, 'unknown field');

  const duration = (v: unknown, path: string): number => {
    const m = typeof v === 'string' ? DURATION.exec(v) : null;
    if (m && Number(m[1]) > 0) return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    issue(path, v === undefined ? 'required' : 'must be a duration above 0, like 90s, 30m, 4h or 7d');
    return Number.NaN;
  };

  const g = isMap(raw.grouping) ? raw.grouping : (issue('grouping', 'must be a map with min_level and window'), {});
  const minLevel = (ALERT_LEVELS as readonly unknown[]).includes(g.min_level) ? (g.min_level as AlertLevel) : (issue('grouping.min_level', `must be one of ${ALERT_LEVELS.join(', ')}`), 'high');
  const shared = g.shared_accounts ?? [];
  if (!Array.isArray(shared) || !shared.every((u) => typeof u === 'string' && u.trim() !== '')) issue('grouping.shared_accounts', 'must be a list of user names');
  const joinLevel =
    g.join_level === undefined ? minLevel : (ALERT_LEVELS as readonly unknown[]).includes(g.join_level) ? (g.join_level as AlertLevel) : (issue('grouping.join_level', `must be one of ${ALERT_LEVELS.join(', ')}`), minLevel);
  if (!levelAtLeast(minLevel, joinLevel)) issue('grouping.join_level', 'must not be above min_level');
  const grouping = { minLevel, joinLevel, windowMs: duration(g.window, 'grouping.window'), sharedAccounts: Array.isArray(shared) ? shared.map((u) => String(u).toLowerCase()) : [] };

  const categories: IncidentPolicy['categories'] = [];
  let defaultCategory: CategoryId | undefined;
  if (!Array.isArray(raw.categories)) issue('categories', 'must be a list');
  else
    raw.categories.forEach((entry: unknown, i: number) => {
      const at = `categories[${i}]`;
      if (!isMap(entry)) return issue(at, 'must be a map');
      const category = entry.category;
      if (typeof category !== 'string' || !(CATEGORY_IDS as readonly string[]).includes(category)) return issue(`${at}.category`, `must be one of ${CATEGORY_IDS.join(', ')}`);
      if (entry.default === true) {
        if (defaultCategory !== undefined) issue(at, 'only one entry may be the default');
        defaultCategory = category as CategoryId;
        return;
      }
      const attack = entry.attack;
      if (!Array.isArray(attack) || attack.length === 0 || !attack.every((t) => typeof t === 'string' && TECHNIQUE.test(t)))
        return issue(`${at}.attack`, 'must be a non-empty list of techniques like t1110 or t1110.001');
      categories.push({ attack: attack as string[], category: category as CategoryId });
    });
  if (defaultCategory === undefined) issue('categories', 'needs one entry with `default: true`');

  const sla = {} as IncidentPolicy['sla'];
  const rawSla = isMap(raw.sla) ? raw.sla : (issue('sla', 'must be a map from grade to targets'), {});
  for (const k of Object.keys(rawSla)) if (!(SLA_GRADES as readonly string[]).includes(k)) issue(`sla.${k}`, `unknown grade (known: ${SLA_GRADES.join(', ')})`);
  for (const grade of SLA_GRADES) {
    const targets = rawSla[grade];
    if (!isMap(targets)) {
      issue(`sla.${grade}`, 'required: a map with acknowledge, contain and recover');
      continue;
    }
    sla[grade] = Object.fromEntries(SLA_TARGETS.map((t) => [t, duration(targets[t], `sla.${grade}.${t}`)])) as Record<SlaTarget, number>;
    if (!(sla[grade].acknowledge <= sla[grade].contain && sla[grade].contain <= sla[grade].recover)) issue(`sla.${grade}`, 'targets must not shrink from acknowledge to contain to recover');
  }

  const r = isMap(raw.recovery) ? raw.recovery : (issue('recovery', 'must be a map with quiet_period'), {});
  const recovery = { quietPeriodMs: duration(r.quiet_period, 'recovery.quiet_period') };

  // Optional so that older policy files keep working: 30 minutes unless the file says otherwise.
  const a = raw.assessment === undefined ? { sla: '30m' } : isMap(raw.assessment) ? raw.assessment : (issue('assessment', 'must be a map with sla'), {});
  const assessment = { slaMs: duration(a.sla, 'assessment.sla') };

  if (issues.length > 0) throw new PolicyError(issues);
  return { grouping, categories, defaultCategory: defaultCategory!, sla, recovery, assessment };
}

export function loadPolicy(path: string): IncidentPolicy {
  return parsePolicy(readFileSync(path, 'utf8'), path);
}
