/**
 * The one way a collector stores a page: its rows, its checkpoint and the run's counters commit in
 * ONE write transaction, so a crash between pages loses nothing and repeats nothing. Rejected
 * items are counted in the run and logged with their reason; the rest of the page is stored.
 */
import type { Rejection as ApiRejection } from '../api/index.ts';
import type { WriteTx } from '../store/index.ts';
import type { CollectorDeps } from './deps.ts';
import type { Rejection, RunContext, RunSummary } from './types.ts';

/** How many rejections a summary carries with their reasons (all are counted and logged). */
const REJECTIONS_KEPT = 20;

/** Counters of one run, turned into its RunSummary at the end. */
export class RunTally {
  rowsWritten = 0;
  rejected = 0;
  pages = 0;
  apiCalls = 0;
  readonly rejections: Rejection[] = [];
  private readonly details: Record<string, number> = {};

  /** Adds to a collector-specific counter (gaps recorded, pools deactivated, …). */
  count(name: string, n = 1): void {
    if (n === 0) return;
    this.details[name] = (this.details[name] ?? 0) + n;
  }

  summary(): RunSummary {
    const summary: RunSummary = { rowsWritten: this.rowsWritten, rejected: this.rejected, rejections: [...this.rejections], pages: this.pages, apiCalls: this.apiCalls };
    if (Object.keys(this.details).length > 0) summary.details = { ...this.details };
    return summary;
  }
}

export interface PageToCommit {
  /** What was read, e.g. "top-pools solana page 2": names the page in rejections and logs. */
  source: string;
  /** Items of the page that failed validation. */
  rejected: readonly ApiRejection[];
}

/**
 * Runs `write` (rows + checkpoint) in one transaction together with the run's counters and returns
 * the rows it reports written. `write` must only do database work: it may run again on a retry.
 */
export async function commitPage(
  deps: Pick<CollectorDeps, 'store'>,
  ctx: RunContext,
  tally: RunTally,
  page: PageToCommit,
  write: (tx: WriteTx) => Promise<number>,
): Promise<number> {
  const rejected = page.rejected.length;
  const rows = await deps.store.write(async (tx) => {
    const written = await write(tx);
    await tx.runs.addCounts(ctx.runId, written, rejected);
    return written;
  }, { label: page.source });
  tally.rowsWritten += rows;
  tally.rejected += rejected;
  tally.pages += 1;
  // Debug level: a long run's progress, page by page (and, for the chaos harness, when data flowed).
  ctx.logger.debug({ source: page.source, rows, rejected }, 'page stored');
  for (const item of page.rejected) {
    const rejection: Rejection = { source: page.source, index: item.index, reason: item.reason, ...(item.id === undefined ? {} : { id: item.id }) };
    ctx.logger.warn(rejection, 'rejected an invalid item; the rest of its page is stored');
    if (tally.rejections.length < REJECTIONS_KEPT) tally.rejections.push(rejection);
  }
  return rows;
}
