export { ConfigModule, SETTINGS_TOKEN } from './config.module.js';
export { ConfigError, loadSettings, organisationNamed, SETTINGS, type Settings, type SettingName } from './settings.js';
