/**
 * The posture score: 100 minus points for each problem found, never below 0. Each deduction is a
 * reason the console lists, so the number is never a mystery. Caps keep one kind of problem from
 * hiding every other: a flood of medium alerts cannot outweigh a stopped event store.
 */
export interface PostureReason {
  /** Stable code; the console translates `posture.reason.<code>` with the params. */
  code: string;
  /** Points deducted from 100. */
  points: number;
  params: Record<string, string | number>;
}

export interface Posture {
  score: number;
  band: 'good' | 'guarded' | 'poor' | 'critical';
  reasons: PostureReason[];
}

export const ALERT_LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** Points per open alert of a level, and the most that level can cost. */
export const ALERT_DEDUCTIONS: Record<AlertLevel, { each: number; cap: number }> = {
  critical: { each: 15, cap: 45 },
  high: { each: 5, cap: 25 },
  medium: { each: 1, cap: 10 },
  low: { each: 0.5, cap: 5 },
  informational: { each: 0, cap: 0 },
};

/** Facts the score is computed from; a missing fact (an owner cannot see ingest) costs nothing. */
export interface PostureFacts {
  openAlerts: Partial<Record<string, number>>;
  ingest?: { dropped: number; failed: number; storeUp: boolean; spooled: number };
  unregisteredHosts?: number;
  ruleProblems?: number;
  classificationDrift?: number;
}

const capped = (count: number, each: number, cap: number) => Math.min(cap, count * each);

export function alertReasons(openAlerts: PostureFacts['openAlerts']): PostureReason[] {
  return ALERT_LEVELS.flatMap((level) => {
    const count = openAlerts[level] ?? 0;
    const { each, cap } = ALERT_DEDUCTIONS[level];
    const points = capped(count, each, cap);
    return points > 0 ? [{ code: 'open_alerts', points, params: { level, count } }] : [];
  });
}

export function postureReasons(facts: PostureFacts): PostureReason[] {
  const reasons = alertReasons(facts.openAlerts);
  const add = (code: string, points: number, params: PostureReason['params'] = {}) => {
    if (points > 0) reasons.push({ code, points, params });
  };
  if (facts.ingest) {
    add('store_down', facts.ingest.storeUp ? 0 : 25);
    add('ingest_failed', facts.ingest.failed > 0 ? 15 : 0, { count: facts.ingest.failed });
    add('ingest_dropped', facts.ingest.dropped > 0 ? 10 : 0, { count: facts.ingest.dropped });
    add('spool_backlog', facts.ingest.spooled > 0 ? 5 : 0, { count: facts.ingest.spooled });
  }
  add('unregistered_hosts', capped(facts.unregisteredHosts ?? 0, 1, 10), { count: facts.unregisteredHosts ?? 0 });
  add('rule_problems', (facts.ruleProblems ?? 0) > 0 ? 5 : 0, { count: facts.ruleProblems ?? 0 });
  add('classification_drift', capped(facts.classificationDrift ?? 0, 3, 15), { count: facts.classificationDrift ?? 0 });
  return reasons;
}

/** Combines reasons (including those other modules contribute) into the score. */
export function posture(reasons: PostureReason[]): Posture {
  const sorted = [...reasons].sort((a, b) => b.points - a.points);
  const score = Math.max(0, Math.round(100 - sorted.reduce((sum, r) => sum + r.points, 0)));
  const band = score >= 90 ? 'good' : score >= 75 ? 'guarded' : score >= 50 ? 'poor' : 'critical';
  return { score, band, reasons: sorted };
}

/** Weight of one open alert when ranking assets at risk, times the asset's criticality factor. */
export const LEVEL_WEIGHT: Record<string, number> = { critical: 10, high: 5, medium: 2, low: 1, informational: 0 };
export const CRITICALITY_FACTOR: Record<string, number> = { critical: 2, high: 1.5, medium: 1, low: 0.5 };

export function assetRisk(openByLevel: Partial<Record<string, number>>, criticality: string): number {
  const base = Object.entries(openByLevel).reduce((sum, [level, n]) => sum + (LEVEL_WEIGHT[level] ?? 0) * (n ?? 0), 0);
  return Math.round(base * (CRITICALITY_FACTOR[criticality] ?? 1) * 10) / 10;
}
