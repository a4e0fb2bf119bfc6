import type { Principal } from '../shared/principal.js';
import type { PostureReason } from './posture.js';

/** What a module adds to the situation view for one caller. */
export interface SituationContribution {
  /** Shown by the console's section of the same key; the provider decides its shape. */
  data: unknown;
  /** Deductions from the posture score, with their reasons. */
  reasons?: PostureReason[];
}

export interface SituationScope {
  principal: Principal;
  /** The owner's department, or undefined for roles that see every department. */
  department: string | undefined;
  from: Date;
  to: Date;
  timeZone: string;
}

/**
 * A section of the situation view owned by another module (incidents by grade, compliance pass
 * rate by law, running reporting clocks). The module registers it once at start:
 *
 *   constructor(situation: SituationService) { situation.register(this); }
 *
 * and the section appears under `sections[key]` of GET /api/situation; until then the key is
 * absent and the console shows its empty state.
 */
export interface SituationProvider {
  readonly key: string;
  /** null: nothing to show this caller (e.g. a role that may not see it). */
  contribute(scope: SituationScope): Promise<SituationContribution | null>;
}
