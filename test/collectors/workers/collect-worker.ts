/**
 * A child process collecting like the daemon (watchlist, ohlcv and trades, each on its interval)
 * on an accelerated clock shared with the simulator in the parent, until it is killed.
 * argv[2]: JSON { url, simUrl, time: AcceleratedTime }.
 */
import { ApiClient } from '../../../src/api/index.ts';
import { buildCollectors } from '../../../src/collectors/index.ts';
import { validateConfig } from '../../../src/config/index.ts';
import { createLogger } from '../../../src/lib/log.ts';
import { openStore } from '../../../src/store/index.ts';
import { AcceleratedClock, type AcceleratedTime } from '../support/accelerated-clock.ts';
import { runLoops } from '../support/loops.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { url: string; simUrl: string; time: AcceleratedTime };
const clock = new AcceleratedClock(args.time);
const config = validateConfig({ api: { baseUrl: args.simUrl, timeoutMs: 600_000 }, networks: ['solana'] });
const store = await openStore({ url: args.url, clock });
const api = new ApiClient({ baseUrl: args.simUrl, clock, requestsPerMinute: 30, dailyLimit: 1_000_000, timeoutMs: config.api.timeoutMs });
const logger = createLogger({ level: process.env.GTC_TEST_LOG ?? 'silent' });
const deps = { api, store, config, clock, instanceId: `worker:${process.pid}` };
process.stdout.write(`${JSON.stringify({ started: clock.now() })}\n`);
await runLoops({ ...deps, logger }, buildCollectors(deps, { collectors: ['watchlist', 'ohlcv', 'trades'] }), Number.MAX_SAFE_INTEGER);
