/** A real SQLite store in a temporary folder, filled with pools, hostile token names, candles, runs and gaps. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type CandleRecord, type PoolRecord, type Store, type TokenRecord } from '../../src/store/index.ts';

export const HOSTILE = ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>', '=HYPERLINK("http://x")'] as const;

export const NOW_S = Math.floor(Date.UTC(2025, 0, 10) / 1000);

export function token(network: string, address: string, name: string, symbol: string): TokenRecord {
  return { id: `${network}_${address}`, network, address, name, symbol, decimals: 9, imageUrl: null, coingeckoCoinId: null };
}

export function pool(network: string, address: string, name: string, base: string, quote: string, over: Partial<PoolRecord> = {}): PoolRecord {
  return {
    id: `${network}_${address}`, network, address, name, dexId: 'raydium', baseTokenId: base, quoteTokenId: quote,
    baseTokenPriceUsd: '0.000012345678901234567890', quoteTokenPriceUsd: '150.25', baseTokenPriceNativeCurrency: null, quoteTokenPriceNativeCurrency: null,
    baseTokenPriceQuoteToken: null, quoteTokenPriceBaseToken: null, reserveInUsd: '125000.5', fdvUsd: null, marketCapUsd: null, volumeUsdH24: '98000.12',
    priceChangeH24: '-3.2', transactionsH24: 1234, priceChangePercentage: {}, volumeUsd: {}, transactions: {}, poolCreatedAt: NOW_S - 86_400, updatedAt: NOW_S,
    ...over,
  };
}

/** `count` hourly candles ending at NOW_S, a random walk with exact decimal strings. */
export function candles(poolId: string, count: number): CandleRecord[] {
  const out: CandleRecord[] = [];
  let price = 1.5;
  for (let i = count - 1; i >= 0; i--) {
    const open = price;
    price *= 1 + Math.sin(i) * 0.02;
    out.push({ poolId, timeframe: '1h', ts: NOW_S - i * 3600, open: open.toFixed(8), high: (Math.max(open, price) * 1.01).toFixed(8), low: (Math.min(open, price) * 0.99).toFixed(8), close: price.toFixed(8), volumeUsd: (1000 + i * 10).toFixed(2), flags: 0 });
  }
  return out;
}

export interface FilledStore {
  store: Store;
  dir: string;
  url: string;
  pools: PoolRecord[];
  cleanup(): Promise<void>;
}

export async function filledStore(): Promise<FilledStore> {
  const dir = mkdtempSync(join(tmpdir(), 'gtc-server-'));
  const url = `sqlite:${join(dir, 'gtc.sqlite')}`;
  const store = await openStore({ url, checkpointEveryMs: 0 });
  const sol = 'So11111111111111111111111111111111111111112';
  const tokens = [token('solana', sol, 'Wrapped SOL', 'SOL'), ...HOSTILE.map((name, i) => token('solana', `HOSTILE${i}`, name, name))];
  const pools = [
    pool('solana', 'POOLPLAIN', 'BONK / SOL', tokens[0]!.id, tokens[0]!.id),
    ...HOSTILE.map((name, i) => pool('solana', `POOLHOSTILE${i}`, `${name} / SOL`, `solana_HOSTILE${i}`, tokens[0]!.id)),
    pool('solana', 'POOLUNWATCHED', 'UNWATCHED / SOL', tokens[0]!.id, tokens[0]!.id),
  ];
  await store.write(async (tx) => {
    await tx.tokens.upsert(tokens);
    await tx.pools.upsert(pools);
    await tx.watchlist.upsert(pools.slice(0, 4).map((p, i) => ({ poolId: p.id, active: true, source: 'manual' as const, score: null, addedAt: NOW_S - 100 + i, updatedAt: NOW_S, symbol: null, name: null, note: null, belowSince: null })));
    for (const p of pools.slice(0, 4)) await tx.candles.upsert(candles(p.id, 200));
    await tx.collectorState.upsert([
      { collector: 'ohlcv', state: 'healthy', consecutiveFailures: 0, intervalS: 900, configuredIntervalS: 900, nextRunAt: NOW_S + 600, lastRunAt: NOW_S - 300, lastSuccessAt: NOW_S - 300, lastError: null, disabled: false, updatedAt: NOW_S },
      { collector: 'top-pools:solana', state: 'suspended', consecutiveFailures: 3, intervalS: 450, configuredIntervalS: 300, nextRunAt: NOW_S + 5, lastRunAt: NOW_S - 10, lastSuccessAt: NOW_S - 1000, lastError: 'API answered 503 three times', disabled: false, updatedAt: NOW_S },
    ]);
    for (const [collector, status] of [['ohlcv', 'ok'], ['top-pools:solana', 'ok'], ['top-pools:solana', 'failed'], ['top-pools:solana', 'failed']] as const) {
      const id = await tx.runs.start({ collector, instanceId: 'test:1', slotStart: NOW_S, startedAt: NOW_S - 60 });
      await tx.runs.finish(id, { finishedAt: NOW_S - 59, status, rowsWritten: status === 'ok' ? 20 : 0, rejected: 0, error: status === 'failed' ? 'API answered 503' : null, failureClass: status === 'failed' ? 'api-down' : null });
    }
    await tx.gaps.insert([{ poolId: pools[1]!.id, kind: 'trades' as const, timeframe: null, fromTs: NOW_S - 7200, toTs: NOW_S - 3600, reason: 'more than 300 trades between polls' }].map((g) => ({ ...g, detectedAt: NOW_S })));
  });
  return {
    store,
    dir,
    url,
    pools,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
