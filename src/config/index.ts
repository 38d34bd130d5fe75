export { formatDuration, parseDuration } from './duration.ts';
export { ConfigError } from './errors.ts';
export { DEFAULT_CONFIG_FILE, describeIssue, loadConfig, validateConfig, type LoadedConfig, type LoadOptions } from './load.ts';
export { REDACTED, redactConfig, redactUrl, scrubSecrets, secretsOf } from './redact.ts';
export { configSchema, TIMEFRAMES, type CollectorName, type ConfigInput, type GtcConfig, type Timeframe } from './schema.ts';
