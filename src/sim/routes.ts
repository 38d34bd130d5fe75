import { candlePage, intervalSeconds } from './candles.ts';
import { decCompare, decFromDoubleExact, decFromString, decRound, decAdd, decToString, type Dec } from './decimal.ts';
import { RawNumber } from './json.ts';
import type { Market } from './market.ts';
import { renderDex, renderIncluded, renderNetwork, renderPool, renderToken, type IncludeKey } from './render.ts';
import type { SimTrade } from './trades.ts';
import type { SimPool, SimToken } from './universe.ts';

/**
 * The API's endpoints (paths relative to /api/v2 or /api/v3/onchain), with its limits: 20 items
 * per page and 10 pages, 30 addresses per multi call, the last 300 trades of 24 h, 1000 candles.
 */
export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface RouteContext {
  market: Market;
  now: number;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Base URL of this API, for `links`. */
  baseUrl: string;
  path: string;
}

interface Route {
  /** Template such as /networks/:network/pools/:address, also the key of the statistics. */
  template: string;
  pattern: RegExp;
  names: string[];
  handle(ctx: RouteContext): ApiResponse;
}

export const PAGE_SIZE = 20;
export const MAX_PAGES = 10;
export const MULTI_LIMIT = 30;
export const TRADES_LIMIT = 300;
export const CANDLE_LIMIT = 1000;
const DAY = 86_400_000;
const TRENDING_BUCKETS: Record<string, number> = { '5m': 300_000, '1h': 3_600_000, '6h': 21_600_000, '24h': DAY };

export const notFound = (): ApiResponse => ({ status: 404, body: { errors: [{ status: '404', title: 'Not Found' }] } });
const badRequest = (detail: string): ApiResponse => ({ status: 400, body: { errors: [{ status: '400', title: 'Bad Request', detail }] } });

function pageOf<T>(items: T[], query: URLSearchParams): T[] {
  const page = Number(query.get('page') ?? '1');
  const index = Number.isInteger(page) && page >= 1 ? page : 1;
  if (index > MAX_PAGES) return [];
  return items.slice((index - 1) * PAGE_SIZE, index * PAGE_SIZE);
}

function includes(query: URLSearchParams): IncludeKey[] {
  const wanted = (query.get('include') ?? '').split(',').map((s) => s.trim());
  return wanted.filter((k): k is IncludeKey => k === 'base_token' || k === 'quote_token' || k === 'dex');
}

function poolList(ctx: RouteContext, pools: SimPool[], options: { withNetwork?: boolean; priceOf?: SimToken } = {}): ApiResponse {
  const page = pageOf(pools, ctx.query);
  const data = page.map((p) => renderPool(ctx.market, p, ctx.now, options));
  const include = includes(ctx.query);
  return { status: 200, body: include.length > 0 ? { data, included: renderIncluded(page, include) } : { data } };
}

function links(ctx: RouteContext, lastPage: number): Record<string, string | null> {
  const page = Math.max(1, Number(ctx.query.get('page') ?? '1') || 1);
  const url = (n: number): string => `${ctx.baseUrl}${ctx.path}?page=${n}`;
  return { first: url(1), prev: page > 1 ? url(page - 1) : null, next: page < lastPage ? url(page + 1) : null, last: url(lastPage) };
}

function networkKnown(ctx: RouteContext): boolean {
  return ctx.market.universe.networkSpecs.some((n) => n.id === ctx.params.network);
}

/** EVM addresses are case-insensitive (the API lowercases them); Solana's are not. */
function poolId(ctx: RouteContext, address: string): string {
  const spec = ctx.market.universe.networkSpecs.find((n) => n.id === ctx.params.network);
  return `${ctx.params.network}_${spec?.addressStyle === 'evm' ? address.toLowerCase() : address}`;
}

function findPool(ctx: RouteContext): SimPool | undefined {
  return ctx.market.universe.pool(poolId(ctx, ctx.params.address ?? ''), ctx.now);
}

function findToken(ctx: RouteContext): SimToken | undefined {
  const token = ctx.market.universe.token(poolId(ctx, ctx.params.address ?? ''), ctx.now);
  return token && ctx.market.tokenPools(ctx.now, token).length > 0 ? token : undefined;
}

function ohlcv(ctx: RouteContext): ApiResponse {
  const pool = findPool(ctx);
  if (!pool) return notFound();
  const { query } = ctx;
  const aggregate = Number(query.get('aggregate') ?? '1');
  const interval = intervalSeconds(ctx.params.timeframe ?? '', aggregate);
  if (interval === undefined) return badRequest(`unsupported timeframe/aggregate ${ctx.params.timeframe}/${aggregate}`);
  const currency = query.get('currency') ?? 'usd';
  if (currency !== 'usd' && currency !== 'token') return badRequest(`currency must be usd or token`);
  const token = query.get('token') ?? 'base';
  if (token !== 'base' && token !== pool.base.address) return badRequest('the simulator serves base-token candles only');
  const before = query.has('before_timestamp') ? Number(query.get('before_timestamp')) : Math.floor(ctx.now / 1000) + 1;
  const limit = Math.min(CANDLE_LIMIT, Math.max(1, Number(query.get('limit') ?? '100') || 100));
  if (!Number.isFinite(before)) return badRequest('before_timestamp must be unix seconds');
  const candles = candlePage(ctx.market.trades, pool, {
    intervalSec: interval,
    beforeTs: Math.floor(before),
    limit,
    currency,
    includeEmpty: query.get('include_empty_intervals') === 'true',
    now: ctx.now,
    historyStartMs: ctx.market.historyStart(ctx.now),
  });
  const meta = (t: SimToken): Record<string, unknown> => ({ address: t.address, name: t.name, symbol: t.symbol, coingecko_coin_id: t.coingeckoCoinId });
  return {
    status: 200,
    body: {
      data: {
        id: ctx.market.uuid(ctx.path, query.toString(), ctx.now),
        type: 'ohlcv_request_response',
        attributes: {
          ohlcv_list: candles.map((c) => [c.ts, ...[c.open, c.high, c.low, c.close, c.volume].map((v) => new RawNumber(v))]),
        },
      },
      meta: { base: meta(pool.base), quote: meta(pool.quote) },
    },
  };
}

function trades(ctx: RouteContext): ApiResponse {
  const pool = findPool(ctx);
  if (!pool) return notFound();
  const thresholdText = ctx.query.get('trade_volume_in_usd_greater_than');
  let threshold: Dec | undefined;
  if (thresholdText !== null && thresholdText !== '') {
    const asNumber = Number(thresholdText);
    if (!Number.isFinite(asNumber)) return badRequest('trade_volume_in_usd_greater_than must be a number');
    threshold = /^\d+(\.\d+)?$/.test(thresholdText) ? decFromString(thresholdText) : decFromDoubleExact(asNumber);
  }
  const accept = (trade: SimTrade): boolean => !threshold || decCompare(trade.volumeUsd, threshold) > 0;
  const recent = ctx.market.trades.newest(pool, ctx.now - DAY + 1, ctx.now + 1, TRADES_LIMIT, accept);
  const data = recent.map((trade) => ctx.market.renderTrade(trade));
  return { status: 200, body: { data } };
}

function multi(ctx: RouteContext): ApiResponse {
  const addresses = [...new Set((ctx.params.addresses ?? '').split(',').map((a) => a.trim()).filter(Boolean))].slice(0, MULTI_LIMIT);
  const pools = addresses.map((a) => ctx.market.universe.pool(poolId(ctx, a), ctx.now)).filter((p): p is SimPool => p !== undefined);
  const data = pools.map((p) => renderPool(ctx.market, p, ctx.now, {}));
  const include = includes(ctx.query);
  return { status: 200, body: include.length > 0 ? { data, included: renderIncluded(pools, include) } : { data } };
}

function tokenInfo(ctx: RouteContext): ApiResponse {
  const token = findToken(ctx);
  if (!token) return notFound();
  const top = ctx.market.tokenPools(ctx.now, token).slice(0, 5);
  const snapshots = top.map((p) => ({ pool: p, s: ctx.market.snapshot(p, ctx.now) }));
  const first = snapshots[0] as { pool: SimPool; s: ReturnType<Market['snapshot']> };
  const sum = (values: Dec[]): string => decToString(values.reduce((a, b) => decAdd(a, b), { m: 0n, s: 0 }));
  const priceUsd = first.pool.base.id === token.id ? first.s.baseUsd : first.s.quoteUsd;
  const body: Record<string, unknown> = {
    data: {
      id: token.id,
      type: 'token',
      attributes: {
        ...renderToken(token).attributes,
        total_supply: decToString(decRound(decFromDoubleExact(token.totalSupply), 1)),
        price_usd: decToString(priceUsd),
        fdv_usd: first.pool.base.id === token.id ? decToString(first.s.fdvUsd) : null,
        total_reserve_in_usd: sum(snapshots.map((x) => x.s.reserveUsd)),
        volume_usd: { h24: sum(snapshots.map((x) => x.s.volumeUsd.h24)) },
        market_cap_usd: first.pool.base.id === token.id && first.s.marketCapUsd !== null ? decToString(first.s.marketCapUsd) : null,
      },
      relationships: { top_pools: { data: top.map((p) => ({ id: p.id, type: 'pool' })) } },
    },
  };
  if ((ctx.query.get('include') ?? '').split(',').includes('top_pools')) body.included = top.map((p) => renderPool(ctx.market, p, ctx.now, {}));
  return { status: 200, body };
}

const ROUTES: Route[] = [
  ['/networks', (ctx: RouteContext) => {
    // Every simulated network fits on the first page (the API pages networks by 100).
    const page = Number(ctx.query.get('page') ?? '1');
    const data = page === 1 ? ctx.market.universe.networkSpecs.map(renderNetwork) : [];
    return { status: 200, body: { data, links: links(ctx, 1) } };
  }],
  ['/networks/trending_pools', (ctx: RouteContext) => poolList(ctx, trending(ctx), { withNetwork: true })],
  ['/networks/new_pools', (ctx: RouteContext) => poolList(ctx, ctx.market.newPools(ctx.now), { withNetwork: true })],
  ['/networks/:network/dexes', (ctx: RouteContext) => {
    const spec = ctx.market.universe.networkSpecs.find((n) => n.id === ctx.params.network);
    if (!spec) return notFound();
    const all = spec.dexes.map((d) => renderDex(d.id, d.name));
    return { status: 200, body: { data: pageOf(all, ctx.query), links: links(ctx, Math.max(1, Math.ceil(all.length / PAGE_SIZE))) } };
  }],
  ['/networks/:network/pools', (ctx: RouteContext) => (networkKnown(ctx) ? poolList(ctx, ctx.market.topPools(ctx.now, ctx.params.network)) : notFound())],
  ['/networks/:network/dexes/:dex/pools', (ctx: RouteContext) => {
    const spec = ctx.market.universe.networkSpecs.find((n) => n.id === ctx.params.network);
    if (!spec?.dexes.some((d) => d.id === ctx.params.dex)) return notFound();
    return poolList(ctx, ctx.market.topPools(ctx.now, spec.id, ctx.params.dex));
  }],
  ['/networks/:network/trending_pools', (ctx: RouteContext) => (networkKnown(ctx) ? poolList(ctx, trending(ctx, ctx.params.network)) : notFound())],
  ['/networks/:network/new_pools', (ctx: RouteContext) => (networkKnown(ctx) ? poolList(ctx, ctx.market.newPools(ctx.now, ctx.params.network)) : notFound())],
  ['/networks/:network/pools/multi/:addresses', (ctx: RouteContext) => (networkKnown(ctx) ? multi(ctx) : notFound())],
  ['/networks/:network/pools/:address/ohlcv/:timeframe', ohlcv],
  ['/networks/:network/pools/:address/trades', trades],
  ['/networks/:network/pools/:address', (ctx: RouteContext) => {
    const pool = findPool(ctx);
    if (!pool) return notFound();
    const include = includes(ctx.query);
    const data = renderPool(ctx.market, pool, ctx.now, {});
    return { status: 200, body: include.length > 0 ? { data, included: renderIncluded([pool], include) } : { data } };
  }],
  ['/networks/:network/tokens/:address/pools', (ctx: RouteContext) => {
    const token = findToken(ctx);
    return token ? poolList(ctx, ctx.market.tokenPools(ctx.now, token), { priceOf: token }) : notFound();
  }],
  ['/networks/:network/tokens/:address', tokenInfo],
].map(([template, handle]) => compile(template as string, handle as Route['handle']));

function trending(ctx: RouteContext, network?: string): SimPool[] {
  const bucket = TRENDING_BUCKETS[ctx.query.get('duration') ?? '24h'] ?? DAY;
  return ctx.market.trendingPools(ctx.now, bucket, network);
}

function compile(template: string, handle: Route['handle']): Route {
  const names: string[] = [];
  const source = template.replace(/:([a-z]+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { template, pattern: new RegExp(`^${source}/?$`), names, handle };
}

/** The route for a path (relative to the API prefix), with its decoded parameters. */
export function matchRoute(path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? '')));
    return { route, params };
  }
  return undefined;
}
