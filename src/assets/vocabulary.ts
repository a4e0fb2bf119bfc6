/** The registry's vocabularies, free of ORM imports so pure modules (playbooks, compliance) can use them. */
export const ASSET_TYPES = ['server', 'workstation', 'network_device', 'iot_gateway', 'iot_sensor', 'camera', 'web_application', 'database', 'cloud_service', 'other'] as const;
export const DATA_LEVELS = ['core', 'important', 'general'] as const;
export const PERSONAL_DATA = ['none', 'personal', 'sensitive'] as const;
export const STORAGE_LOCATIONS = ['in_china', 'abroad'] as const;
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const LIFECYCLES = ['planned', 'active', 'maintenance', 'retired'] as const;
