import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** Values that must never appear in a log line (API key, tokens, passwords). */
  secrets?: readonly string[];
  /** Where lines go; defaults to stderr so stdout stays clean for --json output. */
  destination?: NodeJS.WritableStream;
  base?: Record<string, unknown>;
}

const REDACTED = '[redacted]';

function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message, secrets), stack: scrub(value.stack, secrets), ...scrubObject(value, secrets, depth) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  return scrubObject(value as Record<string, unknown>, secrets, depth);
}

function scrubObject(value: object, secrets: readonly string[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = scrub(v, secrets, depth + 1);
  return out;
}

/**
 * A pino logger whose every line — message, fields and error stacks — is scrubbed of the given
 * secrets, and whose well-known secret fields are redacted by name as well.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['apiKey', '*.apiKey', 'token', '*.token', 'password', '*.password', 'headers["x-cg-pro-api-key"]', 'headers.authorization'], censor: REDACTED },
      hooks: secrets.length
        ? {
            logMethod(args, method) {
              method.apply(this, args.map((arg) => scrub(arg, secrets)) as Parameters<typeof method>);
            },
          }
        : {},
      // The hook has already turned errors into plain objects; scrub again for errors logged without it.
      serializers: { err: (err: unknown) => scrub(err, secrets) },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}
