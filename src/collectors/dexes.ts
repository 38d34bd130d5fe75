/** `dexes:<network>`: the DEX list of one network, every page. */
import type { CollectorDeps } from './deps.ts';
import { nowSeconds } from './deps.ts';
import { commitPage, RunTally } from './page-commit.ts';
import type { CollectorInstance } from './types.ts';

export function createDexesCollector(deps: CollectorDeps, network: string): CollectorInstance {
  const name = `dexes:${network}`;
  return {
    name,
    collector: 'dexes',
    intervalMs: deps.config.collectors.dexes.interval,
    dependsOn: 'api',
    async run(ctx) {
      const tally = new RunTally();
      for await (const page of deps.api.dexes(network, { signal: ctx.signal })) {
        tally.apiCalls += 1;
        const at = nowSeconds(deps);
        await commitPage(deps, ctx, tally, { source: `dexes ${network} page ${page.page}`, rejected: page.rejected }, async (tx) => {
          const rows = await tx.dexes.upsert(page.dexes);
          await tx.checkpoints.set(name, 'dexes', JSON.stringify({ page: page.page, dexes: page.dexes.length, at }), at);
          return rows;
        });
        tally.count('dexes', page.dexes.length);
      }
      return tally.summary();
    },
  };
}
