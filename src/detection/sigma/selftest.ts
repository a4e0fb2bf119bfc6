import type { SigmaRule } from './ast.js';
import { compileRule, type CompileOptions } from './compile.js';
import { SigmaError } from './errors.js';

export interface RuleTestFailure {
  kind: 'match' | 'nomatch';
  /** Index of the example in its list. */
  index: number;
  error: SigmaError;
}

/**
 * Runs a rule's `x-taishi-tests` examples: every `match` event must match, every `nomatch`
 * event must not. Failures point at the example in the rule file.
 */
export function runRuleTests(rule: SigmaRule, options: CompileOptions = {}): RuleTestFailure[] {
  if (!rule.tests) return [];
  const compiled = compileRule(rule, options);
  const failures: RuleTestFailure[] = [];
  for (const kind of ['match', 'nomatch'] as const) {
    rule.tests[kind].forEach((t, index) => {
      const matched = compiled.matches(t.event);
      if (matched !== (kind === 'match')) {
        const msg = kind === 'match' ? 'test event should match but does not' : 'test event should not match but does';
        failures.push({ kind, index, error: SigmaError.at(`${rule.title}: ${msg}`, rule.file, t.pos) });
      }
    });
  }
  return failures;
}
