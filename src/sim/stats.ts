/**
 * What the simulator was asked and what it answered: counts per route and status, and the most
 * recent requests, so tests and benchmarks can count API calls at the server.
 */
export interface RequestRecord {
  /** Path and query as requested. */
  path: string;
  /** Route template (e.g. /networks/:network/pools/multi/:addresses), or "(unmatched)". */
  route: string;
  /** HTTP status; 0 when no response was sent (hang, unreachable). */
  status: number;
  /** Simulated time of the request, epoch ms. */
  at: number;
  /** The injected fault that shaped the answer, if any. */
  fault?: string;
}

export interface StatsSnapshot {
  total: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  recent: RequestRecord[];
}

export class Stats {
  private total = 0;
  private byStatus: Record<string, number> = {};
  private byRoute: Record<string, Record<string, number>> = {};
  private recent: RequestRecord[] = [];

  constructor(private readonly recentLimit = 2000) {}

  record(entry: RequestRecord): void {
    const status = String(entry.status);
    this.total += 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    const route = (this.byRoute[entry.route] ??= {});
    route[status] = (route[status] ?? 0) + 1;
    this.recent.push(entry);
    if (this.recent.length > this.recentLimit) this.recent.splice(0, this.recent.length - this.recentLimit);
  }

  snapshot(): StatsSnapshot {
    return {
      total: this.total,
      byStatus: { ...this.byStatus },
      byRoute: Object.fromEntries(Object.entries(this.byRoute).map(([k, v]) => [k, { ...v }])),
      recent: [...this.recent],
    };
  }

  reset(): void {
    this.total = 0;
    this.byStatus = {};
    this.byRoute = {};
    this.recent = [];
  }
}
