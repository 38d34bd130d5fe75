import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defer } from './cleanup.ts';

const created = new Set<string>();
let exitHookInstalled = false;

/**
 * A fresh empty folder under the OS temp dir. Removed after the test when a test context is
 * given (`tempDir(t)`), and in any case when the process exits.
 */
export function tempDir(t?: { after(fn: () => void | Promise<void>): void }, prefix = 'gtc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const d of created) rmSync(d, { recursive: true, force: true });
    });
  }
  if (t) {
    defer(t, () => {
      rmSync(dir, { recursive: true, force: true });
      created.delete(dir);
    });
  }
  return dir;
}
