import type { Command } from 'commander';
import { ConfigError, loadConfig, secretsOf, scrubSecrets, type LoadedConfig } from '../config/index.ts';
import { GtcError, errorMessage } from '../lib/errors.ts';

/** Loads configuration honouring the global `--config` option of the program. */
export function loadCliConfig(command: Command): LoadedConfig {
  const root = rootOf(command);
  const file = root.opts<{ config?: string }>().config;
  return loadConfig(file ? { file } : {});
}

function rootOf(command: Command): Command {
  let current = command;
  while (current.parent) current = current.parent;
  return current;
}

/** Secrets known so far, so even a failure report never prints them. */
let knownSecrets: string[] = [];

/** Remembers the configuration's secrets for error reports of this process. */
export function rememberSecrets(loaded: LoadedConfig): void {
  knownSecrets = secretsOf(loaded.config);
}

/**
 * Wraps a command action: one clear sentence on failure, exit code 2 for bad configuration or
 * arguments, 1 for anything else; a bug's stack is shown only at debug level.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportFailure(error);
    }
  };
}

export class UsageError extends GtcError {
  constructor(message: string) {
    super('bug', message);
  }
}

function reportFailure(error: unknown): number {
  const message = scrubSecrets(errorMessage(error), knownSecrets);
  process.stderr.write(`gtc: ${message}\n`);
  const debug = process.env.GTC_LOG_LEVEL === 'debug' || process.env.GTC_LOG_LEVEL === 'trace';
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${scrubSecrets(error.stack, knownSecrets)}\n`);
  if (error instanceof ConfigError || error instanceof UsageError) return 2;
  return 1;
}

/** Prints a value as JSON on stdout (the `--json` form of every command). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
