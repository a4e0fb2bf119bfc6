import { bankCardDetector } from './bank-card.js';
import { emailDetector } from './email.js';
import { locationDetector } from './location.js';
import { mobileDetector } from './mobile.js';
import { plateDetector } from './plate.js';
import { blankProfile, profileText, tokenBits } from './profile.js';
import { residentIdDetector } from './resident-id.js';
import { hkMacaoPermitDetector, passportDetector, permanentResidenceDetector, taiwanPermitDetector } from './travel-documents.js';
import type { Detector, PiiFinding, PiiType, TextProfile } from './types.js';
import { vinDetector } from './vin.js';

export const DETECTORS: readonly Detector[] = [
  residentIdDetector,
  bankCardDetector,
  mobileDetector,
  vinDetector,
  plateDetector,
  emailDetector,
  locationDetector,
  passportDetector,
  hkMacaoPermitDetector,
  taiwanPermitDetector,
  permanentResidenceDetector,
];

const BY_TYPE = new Map<PiiType, Detector>(DETECTORS.map((detector) => [detector.type, detector]));

/** Every type, in the registry's order. */
export const PII_TYPES: readonly PiiType[] = DETECTORS.map((detector) => detector.type);

export function detectorFor(type: PiiType): Detector {
  return BY_TYPE.get(type)!;
}

/** Sensitive personal information under PIPL Art. 28: identity documents, financial accounts, whereabouts. */
export function isSensitive(type: PiiType): boolean {
  return detectorFor(type).sensitive;
}

/**
 * One span of text is one thing: when detectors claim overlapping spans (a Gansu id starting 62
 * that also passes Luhn, say), the more confident claim wins, then the longer one.
 */
function withoutOverlaps(findings: PiiFinding[]): PiiFinding[] {
  const ranked = [...findings].sort((a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: PiiFinding[] = [];
  for (const finding of ranked) {
    if (!kept.some((other) => finding.start < other.end && other.start < finding.end)) kept.push(finding);
  }
  return kept.sort((a, b) => a.start - b.start);
}

// Every length of whole token a detector matches: travel documents, VINs, resident ids.
const DOCUMENT_TOKENS = tokenBits(8, 9, 11, 15, 17, 18);

/**
 * Implied by every detector's `applies`. Most event fields (names, actions, times, addresses,
 * ids) fail it, and one test is cheaper than asking eleven detectors through one call site that
 * has seen them all.
 */
export function mayHoldAny(profile: TextProfile): boolean {
  return (
    profile.longestDigitChain >= 11 ||
    profile.preciseDecimals >= 2 ||
    profile.hasAt ||
    profile.hasPlateProvince ||
    (profile.longestDigitRun >= 4 && (profile.tokenLengths & DOCUMENT_TOKENS) !== 0)
  );
}

const NOTHING: readonly PiiFinding[] = Object.freeze([]);

/**
 * No detector finds anything in fewer characters: an address takes six (`a@b.cn`), a plate seven,
 * a pair of precise coordinates thirteen, every number detector more. Most fields of an event are
 * shorter (actions, methods, ports, process names), and they skip the profile's copy of the text.
 */
export const SHORTEST_FINDING = 6;

// Detectors read the profile only while scanText asks them and scanText is never re-entered, so
// one profile serves every scan: most texts are short and this was an allocation per field.
const scratchProfile = blankProfile();

// The same long text is often scanned twice in a row: the recognition tally shapes an event's
// message just before masking walks it, and shippers repeat a line as message and event.original.
// The last few long texts keep their findings; shorter ones cost less to scan again than to compare.
const RECENT_MIN_LENGTH = 32;
const RECENT_TEXTS = 4;
const recentTexts: string[] = [];
const recentFindings: (readonly PiiFinding[])[] = [];
let recentNext = 0;

function detect(text: string): readonly PiiFinding[] {
  const profile = profileText(text, scratchProfile);
  if (!mayHoldAny(profile)) return NOTHING;
  const findings: PiiFinding[] = [];
  for (const detector of DETECTORS) {
    if (!detector.applies(profile)) continue;
    for (const candidate of detector.detect(text, profile)) {
      findings.push({ type: detector.type, sensitive: detector.sensitive, ...candidate });
    }
  }
  if (findings.length === 0) return NOTHING;
  return Object.freeze(findings.length > 1 ? withoutOverlaps(findings) : findings);
}

/**
 * All personal information in one text, in order of position. Non-string input yields nothing.
 * The result may be shared with other calls for the same text, hence read-only.
 */
export function scanText(text: string): readonly PiiFinding[] {
  if (typeof text !== 'string' || text.length < SHORTEST_FINDING) return NOTHING;
  if (text.length < RECENT_MIN_LENGTH) return detect(text);
  const recent = recentTexts.indexOf(text);
  if (recent >= 0) return recentFindings[recent];
  const findings = detect(text);
  recentTexts[recentNext] = text;
  recentFindings[recentNext] = findings;
  recentNext = (recentNext + 1) % RECENT_TEXTS;
  return findings;
}
