/**
 * Opens a store without migrating, waits for a shared start time, migrates, prints the applied
 * migration names as JSON.   node --import tsx test/store/workers/migrate.ts URL START_AT_MS
 */
import { openStore } from '../../../src/store/index.ts';

const [url, startAt] = process.argv.slice(2);
if (!url || !startAt) throw new Error('usage: URL START_AT_MS');
const store = await openStore({ url, migrate: false });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const applied = await store.migrate();
process.stdout.write(`${JSON.stringify({ applied })}\n`);
await store.close();
