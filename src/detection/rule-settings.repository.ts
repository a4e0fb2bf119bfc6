import type { Sql } from '../database/index.js';

/** Whether a rule is switched off: operational state kept beside the rule files, which stay as written. */
export class RuleSettingsRepository {
  async disabledRuleIds(sql: Sql): Promise<Set<string>> {
    return new Set((await sql.query<{ rule_id: string }>(`SELECT rule_id FROM rule_settings WHERE NOT enabled`)).map((r) => r.rule_id));
  }

  async setEnabled(sql: Sql, ruleId: string, enabled: boolean, updatedBy: string): Promise<void> {
    await sql.query(
      `INSERT INTO rule_settings (rule_id, enabled, updated_by, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (rule_id) DO UPDATE SET enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = now()`,
      [ruleId, enabled, updatedBy],
    );
  }

  /** Drops the settings of rules that no longer exist (their file was deleted). */
  async forget(sql: Sql, ruleIds: string[]): Promise<void> {
    await sql.query('DELETE FROM rule_settings WHERE rule_id = ANY($1)', [ruleIds]);
  }
}
