/**
 * Pool ids are `{network}_{address}` and network ids may themselves contain `_` (`polygon_pos`),
 * so an id is split against the networks gtc knows (configured ones, and those of stored pools),
 * never on the first underscore.
 */
export interface PoolRef {
  id: string;
  network: string;
  address: string;
}

/** Splits `id` by the longest known network that prefixes it; undefined when none does. */
export function splitPoolId(id: string, networks: Iterable<string>): PoolRef | undefined {
  let best: string | undefined;
  for (const network of networks) {
    if (id.length > network.length + 1 && id.startsWith(`${network}_`) && (best === undefined || network.length > best.length)) best = network;
  }
  return best === undefined ? undefined : { id, network: best, address: id.slice(best.length + 1) };
}

/** Watched pools as references: the stored pool's network when known, else the configured networks. */
export function watchedRefs(watched: readonly { poolId: string; network: string | null }[], configuredNetworks: readonly string[]): { refs: PoolRef[]; unknown: string[] } {
  const refs: PoolRef[] = [];
  const unknown: string[] = [];
  for (const w of watched) {
    const ref = splitPoolId(w.poolId, w.network ? [w.network] : configuredNetworks);
    if (ref) refs.push(ref);
    else unknown.push(w.poolId);
  }
  return { refs, unknown };
}
