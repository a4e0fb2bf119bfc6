import { assetRisk, posture, postureReasons } from './posture.js';

describe('posture score', () => {
  it('is 100 with nothing wrong, and says so with no reasons', () => {
    expect(posture(postureReasons({ openAlerts: {} }))).toEqual({ score: 100, band: 'good', reasons: [] });
  });

  it('deducts per open alert by level, capped per level, largest reason first', () => {
    const p = posture(postureReasons({ openAlerts: { critical: 1, high: 10, medium: 3, informational: 50 } }));
    expect(p.reasons).toEqual([
      { code: 'open_alerts', points: 25, params: { level: 'high', count: 10 } },
      { code: 'open_alerts', points: 15, params: { level: 'critical', count: 1 } },
      { code: 'open_alerts', points: 3, params: { level: 'medium', count: 3 } },
    ]);
    expect(p.score).toBe(57);
    expect(p.band).toBe('poor');
  });

  it('counts ingest trouble, inventory gaps, rule problems and drift, and never goes below 0', () => {
    const reasons = postureReasons({
      openAlerts: { critical: 9 },
      ingest: { dropped: 4, failed: 1, storeUp: false, spooled: 20 },
      unregisteredHosts: 30,
      ruleProblems: 2,
      classificationDrift: 1,
    });
    expect(reasons.map((r) => [r.code, r.points])).toEqual([
      ['open_alerts', 45],
      ['store_down', 25],
      ['ingest_failed', 15],
      ['ingest_dropped', 10],
      ['spool_backlog', 5],
      ['unregistered_hosts', 10],
      ['rule_problems', 5],
      ['classification_drift', 3],
    ]);
    expect(posture(reasons)).toMatchObject({ score: 0, band: 'critical' });
  });

  it('accepts reasons contributed by other modules', () => {
    expect(posture([{ code: 'incident_deadline', points: 12, params: { key: 'INC-2026-0001' } }]).score).toBe(88);
  });

  it('ranks assets by weighted open alerts times criticality', () => {
    expect(assetRisk({ critical: 1, low: 2 }, 'critical')).toBe(24);
    expect(assetRisk({ medium: 3 }, 'low')).toBe(3);
  });
});
