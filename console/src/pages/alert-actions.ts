import type { MessageKey } from '../core/i18n.js';
import type { Role } from '../core/session.js';
import { SEND_TO_INCIDENT } from './alert-to-incident.js';

export interface AlertRow {
  id: string;
  ruleId: string;
  ruleTitle: string;
  ruleKind: string;
  level: string;
  tags: string[];
  groupKey: string;
  assetId: string | null;
  department: string | null;
  status: 'open' | 'acknowledged' | 'closed';
  resolution: string | null;
  statusNote: string | null;
  statusBy: string | null;
  statusAt: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  eventIds: string[];
}

/**
 * Extra actions on the alerts page, for the selected alerts (bulk bar) and in an alert's detail.
 * `run` returns when done and the page reloads.
 */
export interface AlertAction {
  label: MessageKey;
  roles: readonly Role[];
  run(alerts: AlertRow[]): Promise<void>;
}

export const ALERT_ACTIONS: AlertAction[] = [SEND_TO_INCIDENT];
