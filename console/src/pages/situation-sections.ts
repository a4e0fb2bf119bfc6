import type { Child } from '../core/dom.js';
import type { MessageKey } from '../core/i18n.js';
import type { Role } from '../core/session.js';
import { REPORTS } from './incident-common.js';
import { clocksSection, complianceSection, incidentsSection } from './situation-incidents.js';
import { silentAssetsSection } from './situation-silent.js';

/**
 * Sections of the situation page that other modules fill (GET /api/situation → sections[key]).
 * Until a module registers its provider on the server, the key is absent and the page shows the
 * section's empty state. To show one: add `render` here (it gets sections[key]).
 */
export interface SituationSection {
  key: string;
  title: MessageKey;
  /** Shown while the server sends nothing for this key. */
  empty: { title: MessageKey; next: MessageKey };
  roles?: readonly Role[];
  render?: (data: unknown, onDispose: (fn: () => void) => void) => Child;
}

export const SITUATION_SECTIONS: SituationSection[] = [
  { key: 'incidents', title: 'situation.incidents', empty: { title: 'situation.incidentsEmpty', next: 'situation.incidentsEmptyNext' }, render: incidentsSection },
  { key: 'compliance', title: 'situation.compliance', empty: { title: 'situation.complianceEmpty', next: 'situation.complianceEmptyNext' }, render: complianceSection },
  { key: 'silentAssets', title: 'situation.silentAssets', empty: { title: 'situation.silentEmpty', next: 'situation.silentEmptyNext' }, render: silentAssetsSection },
  { key: 'clocks', title: 'situation.clocks', empty: { title: 'situation.clocksEmpty', next: 'situation.clocksEmptyNext' }, roles: REPORTS, render: clocksSection },
];
