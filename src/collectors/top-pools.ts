/**
 * `top-pools:<network>`: the network's top pools and the top pools of each configured DEX,
 * `pages` pages each, with tokens and dexes from `included`; every sighting lands in
 * pool_snapshots.
 */
import type { CollectorDeps } from './deps.ts';
import { RunTally } from './page-commit.ts';
import { readPoolList } from './pool-lists.ts';
import type { CollectorInstance } from './types.ts';

export interface TopPoolsOptions {
  network: string;
  /** DEX ids to read besides the network list (default: collectors.top-pools.dexes). */
  dexes?: readonly string[];
  /** Read only the DEX lists, not the network's (`gtc collect top-pools --dex D`). */
  dexOnly?: boolean;
}

export function createTopPoolsCollector(deps: CollectorDeps, options: TopPoolsOptions): CollectorInstance {
  const settings = deps.config.collectors['top-pools'];
  const { network } = options;
  const dexes = options.dexes ?? settings.dexes;
  const name = `top-pools:${network}`;
  return {
    name,
    collector: 'top-pools',
    intervalMs: settings.interval,
    dependsOn: 'api',
    async run(ctx) {
      const tally = new RunTally();
      const pageOptions = { pages: settings.pages, signal: ctx.signal };
      if (!options.dexOnly) {
        await readPoolList(deps, ctx, tally, {
          pages: deps.api.topPools(network, pageOptions),
          label: `top-pools ${network}`,
          snapshotSource: 'top-pools',
          checkpoint: { collector: name, key: 'network' },
        });
      }
      for (const dex of dexes) {
        await readPoolList(deps, ctx, tally, {
          pages: deps.api.topPoolsByDex(network, dex, pageOptions),
          label: `top-pools ${network} dex ${dex}`,
          snapshotSource: 'top-pools',
          checkpoint: { collector: name, key: `dex:${dex}` },
        });
      }
      return tally.summary();
    },
  };
}
