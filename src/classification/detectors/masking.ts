import { createHmac } from 'node:crypto';
import { mapEventLeaves, type ExemptFields, type Leaf } from './event-walk.js';
import { detectorFor } from './registry.js';
import type { PiiFinding, PiiType } from './types.js';

/** `mask` writes a partly hidden value, `hash` the keyed hash, `keep` leaves the clear value. */
export type MaskingAction = 'mask' | 'hash' | 'keep';
/** Types missing from a policy are masked: forgetting a type must not store it in clear. */
export type MaskingPolicy = Partial<Record<PiiType, MaskingAction>>;

export interface MaskedFinding {
  path: string;
  type: PiiType;
  sensitive: boolean;
  /** Keyed hash of the normalised value: counts and correlates a person without storing who it is. */
  hash: string;
  /** The masked form, safe to show whatever the policy wrote into the event. */
  masked: string;
}

export interface MaskResult<T> {
  event: T;
  findings: MaskedFinding[];
}

const MIN_KEY_BYTES = 16;
const HASH_BYTES = 16;

/** Replaces the characters counted by `counted` with '*', except those `keep(index, total)` keeps. */
function hideCounted(value: string, counted: RegExp, keep: (index: number, total: number) => boolean): string {
  const chars = [...value];
  const total = chars.filter((char) => counted.test(char)).length;
  let index = 0;
  return chars
    .map((char) => {
      if (!counted.test(char)) return char;
      return keep(index++, total) ? char : '*';
    })
    .join('');
}

const DIGIT = /\d/;
const ALNUM = /[0-9A-Za-z]/;
const keepEnds = (head: number, tail: number) => (index: number, total: number) => index < head || index >= total - tail;

/** Masked form of one detected value; separators and prefixes stay so the value keeps its shape. */
export function maskValue(type: PiiType, value: string): string {
  switch (type) {
    case 'resident_id':
      return hideCounted(value, ALNUM, keepEnds(6, 4));
    case 'mobile':
      // Hide digits 4–7 of the national number; a +86/0086 prefix stays in view.
      return hideCounted(value, DIGIT, (index, total) => index < total - 8 || index >= total - 4);
    case 'bank_card':
      return hideCounted(value, DIGIT, keepEnds(6, 4));
    case 'plate': {
      // Province character and issuing-office letter name a city, not a car; the last character
      // alone does not identify one either.
      const head = value.slice(0, 2);
      const tail = value.slice(-1);
      return head + hideCounted(value.slice(2, -1), ALNUM, () => false) + tail;
    }
    case 'vin':
      return hideCounted(value, ALNUM, keepEnds(3, 4));
    case 'passport':
    case 'hk_macao_permit':
    case 'taiwan_permit':
      return hideCounted(value, ALNUM, keepEnds(1, 2));
    case 'permanent_residence_id':
      return hideCounted(value, ALNUM, keepEnds(3, 4));
    case 'email': {
      const at = value.search(/@|%40/);
      return `${value[0]}***${value.slice(at)}`;
    }
    case 'location':
      // Two decimals is about a kilometre: enough for a district-level picture, not for a person.
      return value.replace(/-?\d{1,3}\.\d+/g, (number) => Number(number).toFixed(2));
  }
}

/** HMAC-SHA-256 of the normalised value under `key`, truncated to 128 bits, base64url (22 characters). */
export function keyedHash(type: PiiType, value: string, key: string | Uint8Array): string {
  const normalized = detectorFor(type).normalize(value);
  // The type is part of the message so a mobile and a card with the same digits never collide.
  return createHmac('sha256', key).update(`${type}\u0000${normalized}`).digest().subarray(0, HASH_BYTES).toString('base64url');
}

// Anything but an explicit 'keep' or 'hash' masks, so a misspelt policy entry fails closed.
function replacement(finding: PiiFinding, action: MaskingAction, hash: string): string {
  return action === 'hash' ? `[${finding.type}:${hash}]` : maskValue(finding.type, finding.value);
}

/**
 * A copy of `event` with personal data masked, hashed or kept per `policy`, and one entry per
 * finding carrying its keyed hash. `key` must hold at least 16 bytes: the hash of an 11-digit
 * mobile number is only as secret as the key.
 */
export function maskEvent<T>(event: T, policy: MaskingPolicy, key: string | Uint8Array, exempt?: ExemptFields): MaskResult<T> {
  const keyBytes = typeof key === 'string' ? Buffer.byteLength(key) : key?.byteLength;
  if (!keyBytes || keyBytes < MIN_KEY_BYTES) throw new RangeError(`masking key must be at least ${MIN_KEY_BYTES} bytes`);
  const findings: MaskedFinding[] = [];
  const rewrite = (leaf: Leaf): unknown => {
    let text = leaf.text;
    let changed = false;
    let onlyLocations = true;
    const hashes = leaf.findings.map((finding) => keyedHash(finding.type, finding.value, key));
    leaf.findings.forEach((finding, i) => {
      findings.push({ path: leaf.path, type: finding.type, sensitive: finding.sensitive, hash: hashes[i], masked: maskValue(finding.type, finding.value) });
    });
    // Right to left, so earlier offsets stay valid as replacements change the length.
    for (let i = leaf.findings.length - 1; i >= 0; i--) {
      const finding = leaf.findings[i];
      const action = policy?.[finding.type] ?? 'mask';
      if (action === 'keep') continue;
      text = text.slice(0, finding.start) + replacement(finding, action, hashes[i]) + text.slice(finding.end);
      changed = true;
      onlyLocations &&= finding.type === 'location' && action === 'mask';
    }
    if (!changed) return leaf.original;
    // A rounded coordinate stays a number, so dashboards and geo queries still work on it.
    return typeof leaf.original === 'number' && onlyLocations ? Number(text) : text;
  };
  return { event: mapEventLeaves(event, rewrite, exempt) as T, findings };
}
