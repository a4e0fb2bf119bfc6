import { HyperLogLog } from './hyperloglog.js';
import type { PiiType } from './types.js';

/** Identifiers that stand for one person each; plates, cards and e-mail addresses do not. */
export const PERSON_IDENTIFIERS = ['resident_id', 'mobile'] as const;
export type PersonIdentifier = (typeof PERSON_IDENTIFIERS)[number];

export interface PeopleEstimate {
  resident_id: number;
  mobile: number;
  /**
   * The larger of the two counts: a lower bound on distinct people, because one person may appear
   * under both an id and a mobile and the keyed hashes cannot be linked to tell.
   */
  atLeast: number;
}

/**
 * Distinct people whose personal information passed through each asset's logs, for the PIPL and
 * NDSR volume thresholds (1M, 10M people), kept as keyed-hash sketches rather than clear values.
 */
export class PeopleCounter {
  private readonly sketches = new Map<string, Map<PersonIdentifier, HyperLogLog>>();
  /** `assetId|type` of sketches fed since they were last taken for persisting. */
  private changed = new Set<string>();

  constructor(readonly precision = 14) {}

  /** Feeds the keyed hashes of one masked event's findings; other types are ignored. */
  observe(assetId: string, findings: ReadonlyArray<{ type: PiiType; hash: string }>): void {
    for (const finding of findings) {
      if (!isPersonIdentifier(finding.type)) continue;
      if (this.sketch(assetId, finding.type).add(finding.hash)) this.changed.add(`${assetId}|${finding.type}`);
    }
  }

  /** The sketches fed since the last call; give them back with `markChanged` if persisting them fails. */
  takeChanged(): { assetId: string; type: PersonIdentifier }[] {
    const taken = [...this.changed].map((key) => {
      const bar = key.lastIndexOf('|');
      return { assetId: key.slice(0, bar), type: key.slice(bar + 1) as PersonIdentifier };
    });
    this.changed = new Set();
    return taken;
  }

  markChanged(entries: readonly { assetId: string; type: PersonIdentifier }[]): void {
    for (const { assetId, type } of entries) this.changed.add(`${assetId}|${type}`);
  }

  /**
   * Folds a stored sketch (another instance's, or this one's before a restart) into this counter.
   * A union: counting the same people twice is impossible, so merging again is harmless.
   */
  merge(assetId: string, type: PersonIdentifier, stored: HyperLogLog): void {
    this.sketch(assetId, type).merge(stored);
  }

  estimate(assetId: string): PeopleEstimate {
    const counts = this.sketches.get(assetId);
    const residentIds = counts?.get('resident_id')?.count() ?? 0;
    const mobiles = counts?.get('mobile')?.count() ?? 0;
    return { resident_id: residentIds, mobile: mobiles, atLeast: Math.max(residentIds, mobiles) };
  }

  /** The sketch behind one count, created on first use; serialise it to persist or merge across instances. */
  sketch(assetId: string, type: PersonIdentifier): HyperLogLog {
    let byType = this.sketches.get(assetId);
    if (!byType) this.sketches.set(assetId, (byType = new Map()));
    let sketch = byType.get(type);
    if (!sketch) byType.set(type, (sketch = new HyperLogLog(this.precision)));
    return sketch;
  }
}

function isPersonIdentifier(type: PiiType): type is PersonIdentifier {
  return (PERSON_IDENTIFIERS as readonly PiiType[]).includes(type);
}
