/**
 * @overview The one place that reads the environment. `loadConfig()` parses every variable once into
 * a typed, nested object and reports every bad variable in one error, so a misconfigured start fails
 * fast with a message that names what to fix.
 */
export { loadConfig, loadConfigOrExit, ConfigError, type Config, databaseUrlOf, requireRedis } from './config.ts';
