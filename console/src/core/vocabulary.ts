/**
 * The server's vocabularies the console offers as choices. They are copies (browser code cannot
 * import the server's modules); test/unit/console-vocabulary.test.ts fails when they drift apart.
 */
export const ASSET_TYPES = ['server', 'workstation', 'network_device', 'iot_gateway', 'iot_sensor', 'camera', 'web_application', 'database', 'cloud_service', 'other'] as const;
export const DATA_LEVELS = ['core', 'important', 'general'] as const;
export const PERSONAL_DATA = ['none', 'personal', 'sensitive'] as const;
export const STORAGE_LOCATIONS = ['in_china', 'abroad'] as const;
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const LIFECYCLES = ['planned', 'active', 'maintenance', 'retired'] as const;
export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export const ALERT_LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export const RESOLUTIONS = ['true_positive', 'false_positive', 'benign', 'duplicate', 'other'] as const;
export const EVENT_FILTER_FIELDS = ['event.action', 'event.outcome', 'event.dataset', 'event.module', 'event.category', 'event.kind', 'source.ip', 'destination.ip', 'destination.port', 'user.name', 'host.name', 'observer.name', 'device.id', 'taishi.asset_id', 'taishi.department', 'taishi.zone'] as const;
export const ROLES = ['admin', 'analyst', 'compliance', 'owner'] as const;
export const INCIDENT_STATES = ['new', 'acknowledged', 'confirmed', 'containment', 'eradication', 'recovery', 'verification', 'closed', 'false_positive', 'benign', 'duplicate'] as const;
export const PROTECT_STATES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export const PHASES = ['protect', 'detect', 'respond', 'recover', 'closed'] as const;
/** National grades, most serious first; `unrated` is not a grade but a state of not knowing yet. */
export const GRADES = ['especially_major', 'major', 'relatively_major', 'general'] as const;
export const INCIDENT_CATEGORIES = ['malware', 'network_attack', 'data_security', 'information_content', 'equipment_failure', 'policy_violation', 'latent_risk', 'abnormal_behaviour', 'force_majeure', 'other'] as const;
export const PRIORITIES = ['p1', 'p2', 'p3', 'p4'] as const;
export const TASK_STATUSES = ['todo', 'in_progress', 'on_hold', 'done', 'cancelled'] as const;
export const REPORT_STATUSES = ['draft', 'initial_submitted', 'supplementary', 'final'] as const;
export const REPORTER_TYPES = ['cii_operator', 'central_organ', 'other_operator'] as const;
export const CHECK_STATUSES = ['pass', 'fail', 'not_applicable', 'needs_attestation'] as const;
export const FINDING_STATUSES = ['open', 'in_remediation', 'resolved', 'risk_accepted'] as const;
/** The moves a person may make on a finding (audit runs make the others), as src/compliance/findings-workflow.ts allows. */
export const FINDING_MOVES: Record<(typeof FINDING_STATUSES)[number], readonly (typeof FINDING_STATUSES)[number][]> = {
  open: ['in_remediation', 'risk_accepted', 'resolved'],
  in_remediation: ['open', 'risk_accepted', 'resolved'],
  risk_accepted: ['open'],
  resolved: ['open'],
};
/** The laws and standards compliance controls cite, in the catalogue's order. */
export const LAWS = ['CSL', 'DSL', 'PIPL', 'CII_REGS', 'NDSR', 'MLPS_MEASURES', 'GB_T_22239', 'AUTOMOTIVE', 'INCIDENT_REPORTING'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const VERIFICATIONS = ['verified', 'secondary', 'recalled'] as const;
export const SELECTORS = ['all_assets', 'cii', 'mlps_gte_2', 'mlps_gte_3', 'important_data', 'personal_data', 'sensitive_personal_data', 'automotive_data', 'public_cameras', 'monitor', 'organisation'] as const;
