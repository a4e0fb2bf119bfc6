export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
/** What a list may filter on: a status, or `unclosed` (open or acknowledged), which the situation counts as open alerts. */
export const ALERT_LIST_STATUSES = [...ALERT_STATUSES, 'unclosed'] as const;
export const RESOLUTIONS = ['true_positive', 'false_positive', 'benign', 'duplicate', 'other'] as const;

/** An alert as `alerts` stores it. */
export interface Alert {
  id: string;
  ruleId: string;
  ruleTitle: string;
  ruleKind: 'rule' | 'correlation' | 'scheduled';
  level: string;
  tags: string[];
  groupKey: string;
  assetId: string | null;
  department: string | null;
  status: (typeof ALERT_STATUSES)[number];
  resolution: (typeof RESOLUTIONS)[number] | null;
  statusNote: string | null;
  statusBy: string | null;
  statusAt: Date | null;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  eventIds: string[];
  /** `ip:…`, `host:…`, `user:…` of the events' actors, for grouping alerts into incidents. */
  actors: string[];
  createdAt: Date;
}
