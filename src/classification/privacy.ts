import type { StoredEvent } from '../events/index.js';
import { maskEvent, type ExemptFields, type MaskingPolicy } from './detectors/index.js';

/** Personal-data handling applied to every event before it leaves the pipeline. */
export interface PrivacyHook {
  /** Keys event ids, so an id cannot be brute-forced back to the personal data in its line. */
  key: string;
  /** With the key, all a worker thread needs to build the same hook. */
  policy: MaskingPolicy;
  /** A copy of the event with personal data masked, and what was found (masked values and keyed hashes only). */
  mask(event: StoredEvent): { event: StoredEvent; findings: { path: string; type: string; sensitive: boolean; hash: string; masked: string }[] };
}

/** Personal data found on an event, for classification drift and people counts. */
export interface PiiSighting {
  assetId?: string;
  department?: string;
  declared?: 'none' | 'personal' | 'sensitive';
  findings: ReturnType<PrivacyHook['mask']>['findings'];
  eventId: string;
  at: Date;
}

/**
 * What Taishi writes on an event itself, holding nothing of its line: the id, a keyed hash that
 * must stay the id (a run of digits in it could read as a number to mask), and the asset block
 * from the registry (an asset id whose UUID groups are all digits chains like a card number, and
 * sent every event of that asset through the detectors).
 */
const WRITTEN_BY_TAISHI: ExemptFields = new Map<string, true | ExemptFields>([
  ['taishi', true],
  ['event', new Map([['id', true]])],
]);

export function privacyHook(key: string, policy: MaskingPolicy): PrivacyHook {
  return { key, policy, mask: (event: StoredEvent) => maskEvent(event, policy, key, WRITTEN_BY_TAISHI) };
}
