import { readFileSync } from 'node:fs';
import { PolicyError, categoryForTags, levelAtLeast, parsePolicy } from './policy.js';

const shipped = readFileSync('rules/incidents/policy.yml', 'utf8');

describe('incident policy', () => {
  it('reads the shipped policy', () => {
    const policy = parsePolicy(shipped);
    expect(policy.grouping).toMatchObject({ minLevel: 'high', windowMs: 24 * 3_600_000 });
    expect(policy.grouping.sharedAccounts).toContain('root');
    expect(policy.grouping.joinLevel).toBe('medium');
    expect(policy.recovery.quietPeriodMs).toBe(24 * 3_600_000);
    expect(policy.sla.especially_major).toEqual({ acknowledge: 15 * 60_000, contain: 4 * 3_600_000, recover: 24 * 3_600_000 });
    expect(policy.sla.general.recover).toBe(14 * 86_400_000);
    expect(policy.defaultCategory).toBe('network_attack');
    expect(policy.assessment.slaMs).toBe(30 * 60_000);
  });

  it('takes the category from the first entry whose technique the alert carries', () => {
    const policy = parsePolicy(shipped);
    expect(categoryForTags(policy, ['attack.credential-access', 'attack.t1110.001'])).toBe('network_attack');
    expect(categoryForTags(policy, ['attack.impact', 'attack.t1486'])).toBe('malware');
    expect(categoryForTags(policy, ['attack.exfiltration', 'attack.t1048.003'])).toBe('data_security');
    // GB/T 20986-2023 categories, issue 14 item 6.
    expect(categoryForTags(policy, ['attack.impact', 'attack.t0829', 'attack.t1489'])).toBe('network_attack');
    expect(categoryForTags(policy, ['attack.impact', 'attack.t0829'])).toBe('equipment_failure');
    expect(categoryForTags(policy, ['attack.execution', 'attack.t1059.004'])).not.toBe('malware');
    expect(categoryForTags(policy, ['attack.privilege-escalation', 'attack.t1548.003', 'attack.execution', 'attack.t1059.004'])).toBe('abnormal_behaviour');
    expect(categoryForTags(policy, ['attack.initial-access', 'attack.t1190', 'attack.execution', 'attack.t1059.004'])).toBe('network_attack');
    expect(categoryForTags(policy, ['attack.credential-access', 'attack.t1110.001', 'attack.initial-access', 'attack.t1078'])).toBe('network_attack');
    expect(categoryForTags(policy, ['attack.initial-access', 'attack.t1078'])).toBe('abnormal_behaviour');
    // A technique covers its sub-techniques, not every id that starts with the same digits.
    expect(categoryForTags(policy, ['attack.t10489'])).toBe('network_attack');
  });

  it('compares alert levels', () => {
    expect(levelAtLeast('critical', 'high')).toBe(true);
    expect(levelAtLeast('high', 'high')).toBe(true);
    expect(levelAtLeast('medium', 'high')).toBe(false);
    expect(levelAtLeast('bogus', 'informational')).toBe(false);
  });

  it('lists every problem of a broken policy at once', () => {
    const broken = shipped
      .replace('min_level: high', 'min_level: severe')
      .replace('window: 24h', 'window: soon')
      .replace('{ default: true, category: network_attack }', '{ attack: [T1190], category: hacking }')
      .replace('major:            { acknowledge: 30m, contain: 8h, recover: 72h }', 'major:            { acknowledge: 9h, contain: 8h, recover: 72h }')
      .replace('quiet_period: 24h', 'quiet_period: 0h');
    let error: PolicyError | undefined;
    try {
      parsePolicy(broken, 'policy.yml');
    } catch (e) {
      error = e as PolicyError;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect(error!.issues.map((i) => i.path)).toEqual(['grouping.min_level', 'grouping.window', 'categories[5].category', 'categories', 'sla.major', 'recovery.quiet_period']);
  });

  it('refuses unknown fields and grades, and YAML that is not a map', () => {
    expect(() => parsePolicy('- a')).toThrow(/must be a map/);
    expect(() => parsePolicy(`${shipped}\nescalation: {}\n`)).toThrow(/escalation: unknown field/);
    expect(() => parsePolicy(shipped.replace('unrated:', 'minor:'))).toThrow(/sla.minor: unknown grade/);
  });
});
