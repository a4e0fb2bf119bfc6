import type { Control } from './catalogue.js';
import { EVALUATORS, assetSubject, type CheckResult, type Subject } from './evaluators.js';
import type { FactsSnapshot } from './facts.js';
import { isAssetSelector, selectAssets } from './selector.js';

/**
 * One control over one snapshot. Manual controls yield `needs_attestation` per subject; turning
 * that into a pass is the attestation store's job, which knows what was attached and when.
 */
export function evaluateControl(control: Control, facts: FactsSnapshot): CheckResult[] {
  // The monitor's own checks are reported against the organisation that runs it.
  const organisation: Subject = { type: 'organisation', id: facts.organisation.id, name: facts.organisation.name };
  const selector = control.appliesTo;
  const perAsset = isAssetSelector(selector);
  const assets = perAsset ? selectAssets(selector, facts.assets) : [];
  // An empty scope is reported, so that a report shows the control was considered and why it is silent.
  if (perAsset && assets.length === 0)
    return [
      {
        subject: organisation,
        status: 'not_applicable',
        evidence: { assetsInScope: 0, appliesTo: control.appliesTo },
        message: { 'zh-CN': '没有适用该控制项的资产。', en: 'No asset falls under this control.' },
      },
    ];
  const check = control.check;
  if (check.kind === 'manual') {
    const subjects = perAsset ? assets.map(assetSubject) : [organisation];
    return subjects.map((subject) => ({
      subject,
      status: 'needs_attestation',
      evidence: { validityDays: check.validityDays },
      message: {
        'zh-CN': `需人工证明，请附：${check.evidence['zh-CN']}（有效期 ${check.validityDays} 天）。`,
        en: `Needs attestation; attach: ${check.evidence.en} (valid ${check.validityDays} days).`,
      },
    }));
  }
  // Loaded controls only name registered evaluators (the catalogue refuses the rest).
  const evaluator = EVALUATORS.get(check.evaluator)!;
  return evaluator.run(facts, check.params, { assets, subject: organisation });
}
