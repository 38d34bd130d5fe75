/**
 * `new-pools:<network>` and `new-pools:all`: the newest pools of one network or across networks,
 * `pages` pages; every sighting also lands in pool_snapshots (the history of new pools).
 */
import type { CollectorDeps } from './deps.ts';
import { RunTally } from './page-commit.ts';
import { readPoolList } from './pool-lists.ts';
import type { CollectorInstance } from './types.ts';

/** `network` null: the all-network list (`/networks/new_pools`). */
export function createNewPoolsCollector(deps: CollectorDeps, network: string | null): CollectorInstance {
  const settings = deps.config.collectors['new-pools'];
  const name = `new-pools:${network ?? 'all'}`;
  return {
    name,
    collector: 'new-pools',
    intervalMs: settings.interval,
    dependsOn: 'api',
    async run(ctx) {
      const tally = new RunTally();
      const pageOptions = { pages: settings.pages, signal: ctx.signal };
      await readPoolList(deps, ctx, tally, {
        pages: network === null ? deps.api.newPoolsAllNetworks(pageOptions) : deps.api.newPools(network, pageOptions),
        label: `new-pools ${network ?? 'all networks'}`,
        snapshotSource: 'new-pools',
        checkpoint: { collector: name, key: 'list' },
      });
      return tally.summary();
    },
  };
}
