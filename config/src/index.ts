export { loadConfig, ConfigError, type AppConfig } from './load-config';
export { settings, type SettingName } from './settings';
