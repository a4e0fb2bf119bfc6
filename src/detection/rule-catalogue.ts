import { Injectable } from '@nestjs/common';
import type { Language } from '../shared/principal.js';
import { localisedRuleTitle, type RuleText } from './rule-text.js';

type CatalogueEntry = RuleText & { id?: string; name?: string; author?: string };

/**
 * The loaded rules by id, for places that show a rule after the fact (alerts, incidents): its
 * title in the reader's language, and its author, whom SigmaHQ's licence (DRL 1.1) asks to be
 * named wherever a match is shown. Detection refills it on every load; a rule no longer loaded
 * keeps the title stored with its alerts.
 */
@Injectable()
export class RuleCatalogue {
  private byKey = new Map<string, CatalogueEntry>();

  /** Alerts name a rule by id, else name (correlations), else title. */
  replace(rules: readonly CatalogueEntry[]): void {
    const byKey = new Map<string, CatalogueEntry>();
    for (const rule of rules) for (const key of [rule.id, rule.name, rule.title]) if (key && !byKey.has(key)) byKey.set(key, rule);
    this.byKey = byKey;
  }

  title(ruleId: string, stored: string, language: Language): string {
    const rule = this.byKey.get(ruleId);
    return rule ? localisedRuleTitle(rule, language) : stored;
  }

  author(ruleId: string): string | null {
    return this.byKey.get(ruleId)?.author ?? null;
  }
}
