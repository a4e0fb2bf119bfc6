export { ConfigModule, SETTINGS_TOKEN } from './config.module.js';
export { ConfigError, loadSettings, SETTINGS, type Settings, type SettingName } from './settings.js';
