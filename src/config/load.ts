import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { ZodIssue } from 'zod';
import { ConfigError } from './errors.ts';
import { configSchema, type GtcConfig } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'gtc.config.yaml';

export interface LoadOptions {
  /** Explicit file (the CLI's --config); otherwise GTC_CONFIG, otherwise ./gtc.config.yaml if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values applied over the file and under the environment (used by `gtc demo`). */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: GtcConfig;
  /** The file that was read, if any. */
  file?: string;
}

/** Reads the YAML file, applies the environment (which wins), validates, and returns the config. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.GTC_CONFIG ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const raw = file ? readConfigFile(file) : {};
  const merged = deepMerge(deepMerge(raw, options.overrides ?? {}), environmentValues(env));
  return { config: validateConfig(merged), ...(file ? { file: resolve(file) } : {}) };
}

/** Validates a plain object against the schema, turning the first problem into one sentence. */
export function validateConfig(input: unknown): GtcConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssue(result.error.issues[0] as ZodIssue));
  return result.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  // yaml is loaded only when there is a file to parse: it is a good part of a CLI command's start-up
  // (loadConfig is synchronous, hence require; yaml's Node entry is CommonJS).
  const { parse: parseYaml, YAMLParseError } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigError(`Configuration file ${file} is not valid YAML${where}: ${(error as Error).message.split('\n')[0]}.`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`Configuration file ${file} must hold a mapping of keys (database, api, networks, collectors, …), not ${Array.isArray(value) ? 'a list' : typeof value}.`);
  }
  return value as Record<string, unknown>;
}

/** Environment variables of design.md §9; they win over the file. */
function environmentValues(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  const set = (section: string, key: string, value: unknown): void => {
    out[section] = { ...out[section], [key]: value };
  };
  if (env.GTC_DATABASE_URL) set('database', 'url', env.GTC_DATABASE_URL);
  if (env.GTC_API_BASE_URL) set('api', 'baseUrl', env.GTC_API_BASE_URL);
  if (env.GTC_API_KEY) set('api', 'apiKey', env.GTC_API_KEY);
  if (env.GTC_HTTP_HOST) set('server', 'host', env.GTC_HTTP_HOST);
  if (env.GTC_HTTP_TOKEN) set('server', 'token', env.GTC_HTTP_TOKEN);
  if (env.GTC_LOG_LEVEL) set('log', 'level', env.GTC_LOG_LEVEL);
  if (env.GTC_HTTP_PORT !== undefined && env.GTC_HTTP_PORT !== '') {
    const port = Number(env.GTC_HTTP_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new ConfigError(`GTC_HTTP_PORT must be a port number from 0 to 65535, got ${JSON.stringify(env.GTC_HTTP_PORT)}.`);
    }
    set('server', 'port', port);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function keyPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '') || '(top level)';
}

/** One sentence naming the key and what is allowed. */
export function describeIssue(issue: ZodIssue): string {
  const path = keyPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => (issue.path.length ? `${path}.${k}` : k)).join(', ');
      return `Unknown configuration key ${keys}; check the spelling against design.md §9 (gtc config show lists every key).`;
    }
    case 'invalid_type':
      return `Configuration key ${path} must be ${article(issue.expected)}, got ${issue.received}.`;
    case 'invalid_enum_value':
      return `Configuration key ${path} must be one of ${issue.options.join(', ')}, got ${JSON.stringify(issue.received)}.`;
    case 'too_small':
    case 'too_big':
      return `Configuration key ${path} is out of range: ${issue.message.replace(/\.$/, '')}.`;
    default:
      return `Configuration key ${path} is invalid: ${issue.message.replace(/\.$/, '')}.`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
