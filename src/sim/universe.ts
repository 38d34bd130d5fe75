import {
  FIXTURE_TRADES_PER_DAY,
  HOSTILE_NAMES,
  NAME_WORDS_A,
  NAME_WORDS_B,
  UNICODE_NAMES,
  networkSpec,
  type NetworkSpec,
} from './catalog.ts';
import { BASE58, HEX, Rng, hashString } from './prng.ts';

/**
 * The simulated market's population: tokens and pools per network. Pools existing at the start
 * were created over the preceding history; new pools keep appearing afterwards (a Poisson
 * process), generated lazily in index order so the population at any time depends only on the
 * seed and the options.
 */
export interface SimToken {
  id: string;
  network: string;
  address: string;
  name: string;
  symbol: string;
  decimals: number;
  imageUrl: string | null;
  coingeckoCoinId: string | null;
  isQuote: boolean;
  /** Key of this token's USD price walk. */
  walkKey: number;
  startUsd: number;
  sigmaPerDay: number;
  /** Whole tokens in existence (for FDV). */
  totalSupply: number;
  /** Share of the supply circulating, for tokens with a known market cap (most have none: null). */
  circulatingShare: number | null;
}

export interface SimPool {
  id: string;
  network: NetworkSpec;
  index: number;
  address: string;
  dexId: string;
  base: SimToken;
  quote: SimToken;
  name: string;
  /** Epoch ms, whole seconds. */
  createdAt: number;
  tradesPerDay: number;
  liquidityUsd: number;
  /** Static popularity used to rank top pools. */
  score: number;
  /** Hash of the id, key of this pool's random streams. */
  key: number;
  walletCount: number;
}

export interface UniverseOptions {
  seed: string;
  networks: readonly string[];
  poolsPerNetwork: number;
  startTime: number;
  newPoolsPerHour: number;
  historyDays: number;
  tradeRates: readonly number[];
  hostileNames: boolean;
}

const HOSTILE_POOL_INDEXES = [1, 3, 5, 7];
const UNICODE_POOL_INDEXES = [4, 9, 14];
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MIN_AGE_OF_BUSIEST = 3 * DAY;

interface NetworkState {
  spec: NetworkSpec;
  pools: SimPool[];
  quoteTokens: [SimToken, SimToken];
  nextCreatedAt: number;
}

export class Universe {
  private readonly states: NetworkState[];
  private readonly poolsById = new Map<string, SimPool>();
  private readonly tokensById = new Map<string, SimToken>();
  private readonly sortedRates: number[];

  constructor(private readonly options: UniverseOptions) {
    this.sortedRates = [...(options.tradeRates.length > 0 ? options.tradeRates : FIXTURE_TRADES_PER_DAY)].sort((a, b) => a - b);
    this.states = options.networks.map((id) => this.initNetwork(networkSpec(id)));
  }

  get networkSpecs(): NetworkSpec[] {
    return this.states.map((s) => s.spec);
  }

  /** Pools of one network (or all) created at or before `at`, in creation-index order. */
  pools(at: number, network?: string): SimPool[] {
    this.ensure(at);
    const out: SimPool[] = [];
    for (const state of this.states) {
      if (network !== undefined && state.spec.id !== network) continue;
      for (const pool of state.pools) if (pool.createdAt <= at) out.push(pool);
    }
    return out;
  }

  pool(id: string, at: number): SimPool | undefined {
    this.ensure(at);
    const pool = this.poolsById.get(id);
    return pool && pool.createdAt <= at ? pool : undefined;
  }

  token(id: string, at: number): SimToken | undefined {
    this.ensure(at);
    return this.tokensById.get(id);
  }

  tokens(at: number): SimToken[] {
    this.ensure(at);
    return [...this.tokensById.values()];
  }

  quoteTokens(network: string): SimToken[] {
    return this.states.find((s) => s.spec.id === network)?.quoteTokens ?? [];
  }

  /** Generates every pool created up to `at` (and the first one after it). */
  private ensure(at: number): void {
    for (const state of this.states) {
      while (state.nextCreatedAt <= at) {
        const index = state.pools.length;
        const createdAt = state.nextCreatedAt;
        this.addPool(state, index, () => createdAt);
        const gap = new Rng(this.options.seed, state.spec.id, 'new-pool-gap', index).exponential(HOUR / this.options.newPoolsPerHour);
        state.nextCreatedAt += Math.max(1000, Math.round(gap / 1000) * 1000);
      }
    }
  }

  private initNetwork(spec: NetworkSpec): NetworkState {
    const quoteTokens = spec.quotes.map((q) => {
      const token: SimToken = {
        id: `${spec.id}_${q.address}`,
        network: spec.id,
        address: q.address,
        name: q.name,
        symbol: q.symbol,
        decimals: q.decimals,
        imageUrl: `https://assets.geckoterminal.com/${q.coingeckoCoinId}.png`,
        coingeckoCoinId: q.coingeckoCoinId,
        isQuote: true,
        walkKey: hashString(`quote|${spec.id}|${q.address}`),
        startUsd: q.usd,
        sigmaPerDay: q.sigmaPerDay,
        totalSupply: 1e9,
        circulatingShare: null,
      };
      this.tokensById.set(token.id, token);
      return token;
    }) as [SimToken, SimToken];
    const state: NetworkState = { spec, pools: [], quoteTokens, nextCreatedAt: Infinity };
    const { startTime, historyDays, poolsPerNetwork, seed } = this.options;
    for (let index = 0; index < poolsPerNetwork; index++) {
      const u = new Rng(seed, spec.id, 'created', index).next();
      // Skewed towards recent: most pools are young, a few are months old. Busy pools have a
      // history: a pool at rate quantile q is at least 3q days old (new busy pools still appear
      // after the start).
      const age = (rateQuantile: number): number => Math.max(historyDays * DAY * u * u, MIN_AGE_OF_BUSIEST * rateQuantile);
      this.addPool(state, index, (q) => Math.floor((startTime - age(q)) / 1000) * 1000);
    }
    state.nextCreatedAt = Math.ceil((startTime + 1) / 1000) * 1000;
    return state;
  }

  /** Adds pool `index`; its creation time may depend on its rate's quantile in the spread. */
  private addPool(state: NetworkState, index: number, createdAtFor: (rateQuantile: number) => number): void {
    const { spec } = state;
    const rng = new Rng(this.options.seed, spec.id, 'pool', index);
    const dex = weightedPick(rng, spec.dexes);
    const quote = rng.next() < 0.85 ? state.quoteTokens[0] : state.quoteTokens[1];
    const reuse = index >= 8 && rng.next() < 0.08 ? state.pools[rng.int(state.pools.length)]?.base : undefined;
    const base = reuse ?? this.newToken(spec, index, dex.id, rng);
    const address = spec.addressStyle === 'base58' ? rng.chars(BASE58, 44) : `0x${rng.chars(HEX, 40)}`;
    const rateQuantile = rng.next();
    const tradesPerDay = this.sampleRate(rateQuantile);
    const createdAt = createdAtFor(rateQuantile);
    const liquidityUsd = Math.max(500, (tradesPerDay + 5) * 60 * Math.exp(1.2 * rng.gaussian()));
    const id = `${spec.id}_${address}`;
    const pool: SimPool = {
      id,
      network: spec,
      index,
      address,
      dexId: dex.id,
      base,
      quote,
      name: `${base.symbol} / ${quote.symbol}`,
      createdAt,
      tradesPerDay,
      liquidityUsd,
      score: (tradesPerDay + 1) * Math.sqrt(liquidityUsd),
      key: hashString(id),
      walletCount: Math.max(3, Math.round(tradesPerDay * 0.6)),
    };
    state.pools.push(pool);
    this.poolsById.set(id, pool);
  }

  private newToken(spec: NetworkSpec, index: number, dexId: string, rng: Rng): SimToken {
    let address = spec.addressStyle === 'base58' ? rng.chars(BASE58, 44) : `0x${rng.chars(HEX, 40)}`;
    if (dexId.startsWith('pump')) address = `${address.slice(0, 40)}pump`;
    const hostile = this.options.hostileNames ? HOSTILE_NAMES[HOSTILE_POOL_INDEXES.indexOf(index)] : undefined;
    const unicode = UNICODE_NAMES[UNICODE_POOL_INDEXES.indexOf(index)];
    const wordA = rng.pick(NAME_WORDS_A);
    const wordB = rng.pick(NAME_WORDS_B);
    const generated = { name: `${wordA} ${wordB}`, symbol: rng.next() < 0.5 ? wordB.slice(0, 4).toUpperCase() : `${wordA[0]}${wordB}`.toUpperCase().slice(0, 6) };
    const names = hostile ?? unicode ?? generated;
    const token: SimToken = {
      id: `${spec.id}_${address}`,
      network: spec.id,
      address,
      name: names.name,
      symbol: names.symbol,
      decimals: rng.pick(spec.baseDecimals),
      imageUrl: rng.next() < 0.8 ? `https://assets.geckoterminal.com/${rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 28)}` : null,
      coingeckoCoinId: null,
      isQuote: false,
      walkKey: hashString(`token|${spec.id}|${address}`),
      startUsd: Math.min(50, Math.max(1e-9, 1e-4 * Math.exp(2.5 * rng.gaussian()))),
      sigmaPerDay: 0.05 + 0.5 * rng.next(),
      totalSupply: dexId.startsWith('pump') ? 1e9 : Math.round(10 ** (6 + 6 * rng.next())),
      circulatingShare: rng.next() < 0.15 ? Math.round(300 + 700 * rng.next()) / 1000 : null,
    };
    this.tokensById.set(token.id, token);
    return token;
  }

  /** Quantile of the configured rate spread (linear between neighbours). */
  private sampleRate(u: number): number {
    const rates = this.sortedRates;
    const position = u * (rates.length - 1);
    const low = rates[Math.floor(position)] as number;
    const high = rates[Math.ceil(position)] as number;
    return low + (high - low) * (position - Math.floor(position));
  }
}

function weightedPick<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let r = rng.next() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1] as T;
}
