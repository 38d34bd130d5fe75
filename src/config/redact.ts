import type { GtcConfig } from './schema.ts';

export const REDACTED = '[redacted]';

/** Masks the password of a URL, and the path and query of webhook URLs (their tokens live there). */
export function redactUrl(value: string, { hidePath = false } = {}): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.password) url.password = REDACTED;
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, REDACTED);
  if (hidePath && url.pathname.length > 1) url.pathname = `/${REDACTED}`;
  return url.toString();
}

/** Every secret value present in the configuration, for scrubbing log lines and error messages. */
export function secretsOf(config: GtcConfig): string[] {
  const secrets: string[] = [];
  if (config.api.apiKey) secrets.push(config.api.apiKey);
  if (config.server.token) secrets.push(config.server.token);
  try {
    const db = new URL(config.database.url);
    if (db.password) secrets.push(db.password, decodeURIComponent(db.password));
  } catch {
    // a SQLite path has no password
  }
  for (const hook of config.alerts.webhooks) {
    const url = new URL(hook.url);
    if (url.pathname.length > 1) secrets.push(url.pathname, url.href);
    if (url.search) secrets.push(url.search.slice(1));
  }
  return [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of a secret in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** The configuration as `gtc config show` prints it: every value, secrets masked. */
export function redactConfig(config: GtcConfig): GtcConfig {
  return {
    ...config,
    database: { ...config.database, url: redactUrl(config.database.url) },
    api: { ...config.api, ...(config.api.apiKey ? { apiKey: REDACTED } : {}) },
    server: { ...config.server, ...(config.server.token ? { token: REDACTED } : {}) },
    alerts: { webhooks: config.alerts.webhooks.map((hook) => ({ ...hook, url: redactUrl(hook.url, { hidePath: true }) })) },
  };
}
