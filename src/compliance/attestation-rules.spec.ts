import type { CheckResult, Control } from './catalogue/index.js';
import { applyAttestation, attestationExpiry } from './attestation-rules.js';

const NOW = new Date('2026-03-10T04:00:00Z');
const waiting: CheckResult = {
  subject: { type: 'organisation', id: 'organisation', name: '本单位' },
  status: 'needs_attestation',
  evidence: { validityDays: 365 },
  message: { 'zh-CN': '需人工证明。', en: 'Needs attestation.' },
};
const attestation = { id: 'a1', fileName: '应急预案.pdf', sha256: 'ab'.repeat(32), attestedBy: 'compliance1', attestedAt: '2026-01-05T02:00:00.000Z', validUntil: '2026-03-10' };
const manual = { id: 'CSL-25-EMERGENCY-PLAN', check: { kind: 'manual', validityDays: 365, evidence: { 'zh-CN': '预案', en: 'plan' } } } as unknown as Control;
const automatic = { id: 'PIPL-36-PI-LOCALISATION', check: { kind: 'automatic', evaluator: 'foreign_connections', params: {} } } as unknown as Control;

describe('applyAttestation', () => {
  it('turns a waiting result into a pass while the attestation holds, with the evidence named', () => {
    const passed = applyAttestation(waiting, attestation, NOW);
    expect(passed.status).toBe('pass');
    expect(passed.evidence).toEqual({ validityDays: 365, attestationId: 'a1', evidenceFile: '应急预案.pdf', evidenceSha256: 'ab'.repeat(32), attestedBy: 'compliance1', attestedAt: '2026-01-05T02:00:00.000Z', validUntil: '2026-03-10' });
    expect(passed.message.en).toBe(`Attested by compliance1: 应急预案.pdf (SHA-256 ${'ab'.repeat(6)}…, valid through 2026-03-10).`);
  });

  it('keeps waiting after the expiry day, naming the expired attestation', () => {
    const expired = applyAttestation(waiting, attestation, new Date('2026-03-10T16:00:00Z'));
    expect(expired.status).toBe('needs_attestation');
    expect(expired.message.en).toBe('Needs attestation. (the last attestation expired on 2026-03-10)');
  });

  it('leaves decided results and unattested ones alone', () => {
    expect(applyAttestation({ ...waiting, status: 'fail' }, attestation, NOW).status).toBe('fail');
    expect(applyAttestation(waiting, undefined, NOW)).toBe(waiting);
  });
});

describe('attestationExpiry', () => {
  it('defaults to the control’s validity from today and refuses longer or past dates', () => {
    expect(attestationExpiry(manual, undefined, NOW)).toEqual({ validUntil: '2027-03-10' });
    expect(attestationExpiry(manual, '2026-09-30', NOW)).toEqual({ validUntil: '2026-09-30' });
    expect(attestationExpiry(manual, '2027-03-11', NOW)).toEqual({ problem: 'too_late', latest: '2027-03-10', maxDays: 365 });
    expect(attestationExpiry(manual, '2026-03-09', NOW)).toEqual({ problem: 'past' });
    expect(attestationExpiry(automatic, undefined, NOW)).toEqual({ validUntil: '2027-03-10' });
  });
});
