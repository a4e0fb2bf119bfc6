import type { CheckResult, Control } from './catalogue/index.js';
import { DAY_MS, instant } from './catalogue/time.js';
import { acceptanceHolds, beijingDate } from './findings-workflow.js';

/** What a run needs to know of the latest attestation for one control and subject. */
export interface AttestationRef {
  id: string;
  fileName: string;
  sha256: string;
  attestedBy: string;
  attestedAt: string;
  /** YYYY-MM-DD, valid through that Beijing day. */
  validUntil: string;
}

/** How long an attestation of an automatic control's open question (e.g. an export assessment) holds. */
export const AUTOMATIC_ATTESTATION_DAYS = 365;

/**
 * A result that waits for a person's word becomes a pass while a valid attestation covers it;
 * an expired one is named, so the report says what must be renewed.
 */
export function applyAttestation(result: CheckResult, attestation: AttestationRef | undefined, now: Date): CheckResult {
  if (result.status !== 'needs_attestation' || attestation === undefined) return result;
  const about = { attestationId: attestation.id, evidenceFile: attestation.fileName, evidenceSha256: attestation.sha256, attestedBy: attestation.attestedBy, attestedAt: attestation.attestedAt, validUntil: attestation.validUntil };
  if (!acceptanceHolds(attestation.validUntil, now)) {
    return {
      ...result,
      evidence: { ...result.evidence, ...about },
      message: {
        'zh-CN': `${result.message['zh-CN']}（上次证明已于 ${attestation.validUntil} 到期）`,
        en: `${result.message.en} (the last attestation expired on ${attestation.validUntil})`,
      },
    };
  }
  return {
    ...result,
    status: 'pass',
    evidence: { ...result.evidence, ...about },
    message: {
      'zh-CN': `${attestation.attestedBy} 已证明：${attestation.fileName}（SHA-256 ${attestation.sha256.slice(0, 12)}…，有效期至 ${attestation.validUntil}）。`,
      en: `Attested by ${attestation.attestedBy}: ${attestation.fileName} (SHA-256 ${attestation.sha256.slice(0, 12)}…, valid through ${attestation.validUntil}).`,
    },
  };
}

/**
 * The expiry of a new attestation: the one asked for, or the control's validity from today. A
 * manual control's validity is a ceiling: evidence cannot be declared good for longer than the
 * control allows.
 */
export function attestationExpiry(control: Control, requested: string | undefined, now: Date): { validUntil: string } | { problem: 'past' } | { problem: 'too_late'; latest: string; maxDays: number } {
  const today = beijingDate(now);
  const maxDays = control.check.kind === 'manual' ? control.check.validityDays : AUTOMATIC_ATTESTATION_DAYS;
  const latest = beijingDate(new Date(instant(today) + maxDays * DAY_MS));
  if (requested === undefined) return { validUntil: latest };
  if (requested < today) return { problem: 'past' };
  if (requested > latest) return { problem: 'too_late', latest, maxDays };
  return { validUntil: requested };
}
