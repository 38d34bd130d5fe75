/**
 * Fixed reference data of the simulated market: networks, their DEXes and quote tokens (real ids
 * and addresses, so ids look exactly like the API's), and the word lists token names come from.
 */

export type AddressStyle = 'base58' | 'evm';

export interface QuoteTokenSpec {
  address: string;
  name: string;
  symbol: string;
  decimals: number;
  coingeckoCoinId: string;
  /** Typical USD price and daily volatility of its price walk. */
  usd: number;
  sigmaPerDay: number;
}

export interface NetworkSpec {
  id: string;
  name: string;
  coingeckoAssetPlatformId: string | null;
  addressStyle: AddressStyle;
  /** The wrapped native token first (quote of most pools), then a stablecoin. */
  quotes: [QuoteTokenSpec, QuoteTokenSpec];
  dexes: { id: string; name: string; weight: number }[];
  /** Block height at `blockAtMs`, and the block time, for block numbers of trades. */
  block: { height: number; atMs: number; intervalMs: number };
  baseDecimals: number[];
}

const usdc = (address: string, decimals = 6): QuoteTokenSpec => ({
  address,
  name: 'USD Coin',
  symbol: 'USDC',
  decimals,
  coingeckoCoinId: 'usd-coin',
  usd: 1,
  sigmaPerDay: 0.0004,
});

const weth = (address: string): QuoteTokenSpec => ({
  address,
  name: 'Wrapped Ether',
  symbol: 'WETH',
  decimals: 18,
  coingeckoCoinId: 'weth',
  usd: 2960,
  sigmaPerDay: 0.03,
});

const ETH_BLOCK = { height: 20_000_000, atMs: Date.UTC(2024, 5, 1), intervalMs: 12_000 };

export const NETWORKS: readonly NetworkSpec[] = [
  {
    id: 'solana',
    name: 'Solana',
    coingeckoAssetPlatformId: 'solana',
    addressStyle: 'base58',
    quotes: [
      { address: 'So11111111111111111111111111111111111111112', name: 'Wrapped SOL', symbol: 'SOL', decimals: 9, coingeckoCoinId: 'wrapped-solana', usd: 212, sigmaPerDay: 0.035 },
      usdc('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'),
    ],
    dexes: [
      { id: 'pumpswap', name: 'PumpSwap', weight: 5 },
      { id: 'raydium', name: 'Raydium', weight: 4 },
      { id: 'pump-fun', name: 'Pump.fun', weight: 3 },
      { id: 'meteora', name: 'Meteora DLMM', weight: 2 },
      { id: 'orca', name: 'Orca', weight: 2 },
      { id: 'raydium-clmm', name: 'Raydium (CLMM)', weight: 1 },
    ],
    block: { height: 363_106_602, atMs: 1_756_397_712_000, intervalMs: 400 },
    baseDecimals: [6, 6, 6, 9],
  },
  {
    id: 'eth',
    name: 'Ethereum',
    coingeckoAssetPlatformId: 'ethereum',
    addressStyle: 'evm',
    quotes: [weth('0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'), usdc('0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48')],
    dexes: [
      { id: 'uniswap_v2', name: 'Uniswap V2', weight: 5 },
      { id: 'uniswap_v3', name: 'Uniswap V3', weight: 4 },
      { id: 'sushiswap', name: 'SushiSwap', weight: 2 },
      { id: 'curve', name: 'Curve', weight: 1 },
    ],
    block: ETH_BLOCK,
    baseDecimals: [18, 18, 18, 9],
  },
  {
    id: 'bsc',
    name: 'BNB Chain',
    coingeckoAssetPlatformId: 'binance-smart-chain',
    addressStyle: 'evm',
    quotes: [
      { address: '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c', name: 'Wrapped BNB', symbol: 'WBNB', decimals: 18, coingeckoCoinId: 'wbnb', usd: 594, sigmaPerDay: 0.03 },
      { ...usdc('0x55d398326f99059ff775485246999027b3197955', 18), name: 'Tether USD', symbol: 'USDT', coingeckoCoinId: 'tether' },
    ],
    dexes: [
      { id: 'pancakeswap_v2', name: 'PancakeSwap V2', weight: 5 },
      { id: 'pancakeswap-v3-bsc', name: 'PancakeSwap V3 (BSC)', weight: 3 },
      { id: 'biswap', name: 'BiSwap', weight: 1 },
    ],
    block: { height: 39_000_000, atMs: Date.UTC(2024, 5, 1), intervalMs: 3_000 },
    baseDecimals: [18, 18, 9],
  },
  {
    id: 'base',
    name: 'Base',
    coingeckoAssetPlatformId: 'base',
    addressStyle: 'evm',
    quotes: [weth('0x4200000000000000000000000000000000000006'), usdc('0x833589fcd6edb6e08f4c7c32d4f71b54bda02913')],
    dexes: [
      { id: 'aerodrome-base', name: 'Aerodrome', weight: 4 },
      { id: 'uniswap-v3-base', name: 'Uniswap V3 (Base)', weight: 3 },
      { id: 'baseswap', name: 'BaseSwap', weight: 1 },
    ],
    block: { height: 15_000_000, atMs: Date.UTC(2024, 5, 1), intervalMs: 2_000 },
    baseDecimals: [18],
  },
  {
    id: 'polygon_pos',
    name: 'Polygon POS',
    coingeckoAssetPlatformId: 'polygon-pos',
    addressStyle: 'evm',
    quotes: [
      { address: '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', name: 'Wrapped POL', symbol: 'WPOL', decimals: 18, coingeckoCoinId: 'wmatic', usd: 0.52, sigmaPerDay: 0.04 },
      usdc('0x3c499c542cef5e3811e1192ce70d8cc03d5c3359'),
    ],
    dexes: [
      { id: 'quickswap', name: 'QuickSwap', weight: 3 },
      { id: 'uniswap_v3_polygon_pos', name: 'Uniswap V3 (Polygon)', weight: 2 },
    ],
    block: { height: 58_000_000, atMs: Date.UTC(2024, 5, 1), intervalMs: 2_000 },
    baseDecimals: [18, 18, 6],
  },
];

export function networkSpec(id: string): NetworkSpec {
  const spec = NETWORKS.find((n) => n.id === id);
  if (!spec) throw new Error(`unknown simulated network "${id}"; known: ${NETWORKS.map((n) => n.id).join(', ')}`);
  return spec;
}

export const NAME_WORDS_A = [
  'Open', 'Cracker', 'Moon', 'Based', 'Giga', 'Tiny', 'Frozen', 'Golden', 'Silent', 'Happy', 'Dark',
  'Little', 'Cosmic', 'Hyper', 'Retro', 'Lazy', 'Super', 'Baby', 'Wild', 'Quantum', 'Sleepy', 'Turbo',
];
export const NAME_WORDS_B = [
  'BackRooms', 'Barrel', 'Cat', 'Frog', 'Doge', 'Pepe', 'Shiba', 'Rocket', 'Penguin', 'Whale', 'Llama',
  'Wizard', 'Banana', 'Hamster', 'Otter', 'Goblin', 'Kitten', 'Dragon', 'Robot', 'Cowboy', 'Panda', 'Bull',
];
/** Names from the chain are arbitrary Unicode: keep a few non-ASCII ones in every market. */
export const UNICODE_NAMES = [
  { name: 'Ñandú Coin', symbol: 'ÑAN' },
  { name: '火箭 Rocket 🚀', symbol: '🚀' },
  { name: 'Ünïcödé Tëst', symbol: 'ÜTST' },
];
/** Token names meant to break dashboards and spreadsheets (option `hostileNames`). */
export const HOSTILE_NAMES = [
  { name: '<img src=x onerror=alert(1)>', symbol: '<b>IMG</b>' },
  { name: '"><script>alert(1)</script>', symbol: '"><svg/onload=alert(1)>' },
  { name: '=HYPERLINK("http://x")', symbol: '=CMD()' },
  { name: '@SUM(1+1)', symbol: '+1-1' },
];

/**
 * Trades per 24 h of the pools in the real fixtures (`transactions.h24` buys + sells, 120 pools):
 * the default spread of the simulated pools' trade rates.
 */
export const FIXTURE_TRADES_PER_DAY: readonly number[] = [
  0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 7, 8, 8, 9, 9, 10, 12, 13, 14, 16, 18,
  19, 20, 20, 21, 25, 26, 27, 27, 28, 29, 31, 41, 42, 48, 49, 49, 50, 54, 56, 58, 58, 61, 62, 64, 65, 65,
  67, 67, 70, 73, 86, 93, 98, 116, 116, 126, 150, 151, 176, 179, 204, 212, 243, 256, 282, 299, 301, 339,
  347, 395, 419, 452, 458, 461, 464, 504, 509, 534, 742, 835, 854, 1593, 1626, 1707, 1730, 1908, 2052,
  2072, 2079, 2330, 2556, 2688, 2791, 2816, 3006, 3183, 3279, 3515, 3642, 3714, 4002, 4100, 4247, 4987,
  5399, 6284, 6948,
];
