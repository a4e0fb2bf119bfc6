/** The registry's vocabularies, free of ORM imports so pure modules (playbooks, compliance) can use them. */
export const ASSET_TYPES = ['server', 'workstation', 'network_device', 'iot_gateway', 'iot_sensor', 'camera', 'web_application', 'database', 'cloud_service', 'other'] as const;
export const DATA_LEVELS = ['core', 'important', 'general'] as const;
export const PERSONAL_DATA = ['none', 'personal', 'sensitive'] as const;
export const STORAGE_LOCATIONS = ['in_china', 'abroad'] as const;
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const LIFECYCLES = ['planned', 'active', 'maintenance', 'retired'] as const;
/** Lifecycles in which an asset is expected to send events. */
export const SENDING_LIFECYCLES = ['active', 'maintenance'] as const;
/**
 * An asset's expected reporting interval, in whole minutes: from a heartbeat every minute to a
 * monthly batch job (31 days). The database holds the same bounds.
 */
export const EXPECTED_INTERVAL_MINUTES = { min: 1, max: 31 * 24 * 60 } as const;
