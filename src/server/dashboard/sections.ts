/**
 * The dashboard's server-rendered sections: every table works without JavaScript. Every value that
 * came from the chain or the database is interpolated through `html`, which escapes it.
 * `data-field` / `data-status` attributes tell assets/dashboard.js which cell a live update fills.
 */
import type { StatusReport } from '../../monitor/status.ts';
import { html, type SafeHtml } from '../escape.ts';
import type { GapView, PoolView, RunView } from '../views.ts';
import * as f from './format.ts';

export function collectorsSection(status: StatusReport, now: number): SafeHtml {
  const rows = status.collectors.map(
    (c) => html`<tr data-collector="${c.name}">
      <td class="name">${c.name}</td>
      <td><span class="state state-${c.state}" data-field="state">${c.state}</span></td>
      <td data-field="lastSuccessAt" title="${c.lastSuccessAt ?? ''}">${f.relative(c.lastSuccessAt, now)}</td>
      <td data-field="nextRunAt" title="${c.nextRunAt ?? ''}">${f.relative(c.nextRunAt, now)}</td>
      <td class="num" data-field="consecutiveFailures">${c.consecutiveFailures}</td>
      <td data-field="interval">${f.interval(c.intervalSeconds, c.configuredIntervalSeconds)}</td>
      <td class="error" data-field="lastError">${c.lastError ?? ''}</td>
    </tr>`,
  );
  return html`<section id="collectors">
    <h2>Collectors</h2>
    <table>
      <thead><tr><th>Instance</th><th>State</th><th>Last success</th><th>Next run</th><th>Failures in a row</th><th>Interval now</th><th>Last error</th></tr></thead>
      <tbody>${rows.length ? rows : html`<tr><td colspan="7">No collector has run yet.</td></tr>`}</tbody>
    </table>
  </section>`;
}

/** One strip of coloured marks per collector, newest on the right. */
export function timelineSection(runs: readonly RunView[]): SafeHtml {
  const byCollector = new Map<string, RunView[]>();
  for (const run of [...runs].reverse()) byCollector.set(run.collector, [...(byCollector.get(run.collector) ?? []), run]);
  const strips = [...byCollector].sort(([a], [b]) => a.localeCompare(b)).map(
    ([name, list]) => html`<div class="strip-row"><span class="strip-name">${name}</span><span class="strip" data-collector="${name}">${list.slice(-40).map(
      (r) => html`<span class="run run-${r.status}" title="${`${f.time(r.startedAt)} ${r.status}${r.durationMs !== null ? ` in ${f.runDuration(r.durationMs)}` : ''}, ${r.rowsWritten} rows${r.error ? `: ${r.error}` : ''}`}"></span>`,
    )}</span></div>`,
  );
  const recent = runs.slice(0, 12).map(
    (r) => html`<tr><td>${f.time(r.startedAt)}</td><td>${r.collector}</td><td><span class="state state-${r.status}">${r.status}</span></td><td class="num">${f.runDuration(r.durationMs)}</td><td class="num">${r.rowsWritten}</td><td class="num">${r.rejected}</td><td class="error">${r.error ?? ''}</td></tr>`,
  );
  return html`<section id="timeline">
    <h2>Recent runs</h2>
    <div class="strips" id="strips">${strips.length ? strips : html`<p>No runs yet.</p>`}</div>
    <table>
      <thead><tr><th>Started</th><th>Instance</th><th>Status</th><th>Duration</th><th>Rows</th><th>Rejected</th><th>Error</th></tr></thead>
      <tbody id="recent-runs">${recent}</tbody>
    </table>
  </section>`;
}

const item = (label: string, field: string, value: string, cls = ''): SafeHtml => html`<div class="kv"><dt>${label}</dt><dd data-status="${field}" class="${cls}">${value}</dd></div>`;

export function databaseSection(status: StatusReport): SafeHtml {
  const d = status.database;
  return html`<section id="database">
    <h2>Database</h2>
    <dl>
      ${item('Engine', 'database.dialect', d.dialect)}
      ${item('Reachable', 'database.ok', d.ok ? 'yes' : `no${d.error ? `: ${d.error}` : ''}`, d.ok ? 'good' : 'bad')}
      ${item('Query latency', 'database.latencyMs', f.ms(d.latencyMs))}
      ${item('Write-lock wait', 'database.writeLockWaitMs', f.ms(d.writeLockWaitMs))}
      ${item('Busy retries', 'database.busyRetries', f.count(d.busyRetries))}
      ${item('WAL size', 'database.walSizeBytes', f.bytes(d.walSizeBytes))}
      ${item('Breaker', 'database.breaker', d.breaker ?? '—', `state-${d.breaker ?? 'unknown'}`)}
    </dl>
  </section>`;
}

export function apiSection(status: StatusReport): SafeHtml {
  const a = status.api;
  return html`<section id="api">
    <h2>API budget</h2>
    <dl>
      ${item('Calls last minute', 'api.requestsPerMinute', `${f.count(a.requestsPerMinute)} / ${a.limitPerMinute}`)}
      ${item('Remaining today', 'api.remainingToday', `${f.count(a.remainingToday)} / ${a.dailyLimit}`)}
      ${item('Waiting for the limiter', 'api.queueLength', f.count(a.queueLength))}
      ${item('429 answers', 'api.rateLimited429', f.count(a.rateLimited429), a.rateLimited429 ? 'warn' : '')}
      ${item('Breaker', 'api.breaker', a.breaker ?? '—', `state-${a.breaker ?? 'unknown'}`)}
    </dl>
  </section>`;
}

export function gapsSection(status: StatusReport, gaps: readonly GapView[]): SafeHtml {
  const rows = gaps.map((g) => html`<tr><td>${g.poolId}</td><td>${g.kind}${g.timeframe ? ` ${g.timeframe}` : ''}</td><td>${f.time(g.from)}</td><td>${f.time(g.to)}</td><td>${g.reason}</td></tr>`);
  return html`<section id="gaps">
    <h2>Open data gaps: <span data-status="gaps.open">${status.gaps.open}</span></h2>
    ${rows.length ? html`<table><thead><tr><th>Pool</th><th>Kind</th><th>From</th><th>To</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>None: everything the API offered was collected.</p>`}
  </section>`;
}

/** A link to this page with the chart set to a pool and timeframe (and the search kept). */
export function chartLink(poolId: string, timeframe: string, q: string): string {
  const params = new URLSearchParams({ pool: poolId, timeframe });
  if (q) params.set('q', q);
  return `/?${params.toString()}#chart`;
}

function tokenLabel(pool: PoolView): string {
  if (pool.baseToken && pool.quoteToken) return `${pool.baseToken.symbol} / ${pool.quoteToken.symbol}`;
  return pool.name;
}

export function watchlistSection(pools: readonly PoolView[], q: string, timeframe: string): SafeHtml {
  const rows = pools.map(
    (p) => html`<tr>
      <td><a href="${chartLink(p.id, timeframe, q)}">${tokenLabel(p)}</a></td>
      <td>${p.name}</td>
      <td>${p.network}</td>
      <td>${p.dexId ?? ''}</td>
      <td class="num" title="${p.baseTokenPriceUsd ?? ''}">${f.decimal(p.baseTokenPriceUsd)}</td>
      <td class="num">${f.decimal(p.reserveInUsd, 4)}</td>
      <td class="num">${f.decimal(p.volumeUsdH24, 4)}</td>
      <td class="num">${f.count(p.transactionsH24)}</td>
    </tr>`,
  );
  return html`<section id="watchlist">
    <h2>Watchlist</h2>
    <form method="get" action="/" class="search">
      <input type="search" name="q" value="${q}" placeholder="name, symbol, address or id" aria-label="Search the watchlist">
      <input type="hidden" name="timeframe" value="${timeframe}">
      <button type="submit">Search</button>
    </form>
    <table>
      <thead><tr><th>Pair</th><th>Pool</th><th>Network</th><th>DEX</th><th>Price (USD)</th><th>Reserve (USD)</th><th>Volume 24 h</th><th>Trades 24 h</th></tr></thead>
      <tbody>${rows.length ? rows : html`<tr><td colspan="8">${q ? 'No watched pool matches.' : 'The watchlist is empty.'}</td></tr>`}</tbody>
    </table>
  </section>`;
}

export function chartSection(pools: readonly PoolView[], selected: PoolView | undefined, timeframe: string, timeframes: readonly string[], q: string): SafeHtml {
  const options = pools.map((p) => html`<option value="${p.id}"${selected?.id === p.id ? html` selected` : ''}>${tokenLabel(p)} (${p.id})</option>`);
  const tfOptions = timeframes.map((t) => html`<option value="${t}"${t === timeframe ? html` selected` : ''}>${t}</option>`);
  return html`<section id="chart">
    <h2>Candles${selected ? html`: <span class="pool-title">${tokenLabel(selected)}</span>` : ''}</h2>
    <form method="get" action="/#chart" class="chart-form">
      <select name="pool" aria-label="Pool">${options}</select>
      <select name="timeframe" aria-label="Timeframe">${tfOptions}</select>
      <input type="hidden" name="q" value="${q}">
      <button type="submit">Show</button>
    </form>
    ${selected ? html`<div id="candles" class="candles" data-pool="${selected.id}" data-timeframe="${timeframe}"></div>` : html`<p>Watch a pool to chart its candles.</p>`}
    <noscript><p>The chart needs JavaScript; every table on this page works without it.</p></noscript>
  </section>`;
}
