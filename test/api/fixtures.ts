import { readFileSync } from 'node:fs';

/** The real API responses shared with every developer (../shared from the repository root). */
export const FIXTURE_DIR = new URL('../../../shared/fixtures/geckoterminal/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURE_DIR), 'utf8');
}

export const POOL_FIXTURES = [
  'new_pools_solana_include.json',
  'new_pools_eth.json',
  'new_pools_all_networks.json',
  'top_pools_eth.json',
  'top_pools_eth_sushiswap.json',
  'token_pools_eth_weth.json',
] as const;

export const OHLCV_FIXTURES = ['ohlcv_eth_minute15_raw.json', 'ohlcv_solana_minute15.json'] as const;
