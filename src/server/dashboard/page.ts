import type { StatusReport } from '../../monitor/status.ts';
import { html } from '../escape.ts';
import type { GapView, PoolView, RunView } from '../views.ts';
import { time } from './format.ts';
import { apiSection, chartSection, collectorsSection, databaseSection, gapsSection, timelineSection, watchlistSection } from './sections.ts';

export interface DashboardModel {
  status: StatusReport;
  runs: RunView[];
  gaps: GapView[];
  /** Watched pools matching the search. */
  watchlist: PoolView[];
  /** Every watched pool, for the chart's pool choice. */
  chartPools: PoolView[];
  selectedPool: PoolView | undefined;
  q: string;
  timeframe: string;
  timeframes: readonly string[];
  now: number;
  /** How often the page's script polls /api/status. */
  refreshMs: number;
}

/** The whole dashboard document. Scripts and styles come from /assets only (the CSP allows nothing else). */
export function dashboardPage(m: DashboardModel): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gtc dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/lightweight-charts.standalone.production.js" defer></script>
<script src="/assets/dashboard.js" defer></script>
</head>
<body data-refresh-ms="${m.refreshMs}">
<header>
  <h1>gtc</h1>
  <p>DEX market data collection · status at <time id="generated-at" datetime="${m.status.generatedAt}">${time(m.status.generatedAt)}</time> · <span id="live">updates every ${Math.round(m.refreshMs / 1000)} s</span></p>
</header>
<main>
${collectorsSection(m.status, m.now)}
<div class="panels">
${databaseSection(m.status)}
${apiSection(m.status)}
</div>
${timelineSection(m.runs)}
${gapsSection(m.status, m.gaps)}
${watchlistSection(m.watchlist, m.q, m.timeframe)}
${chartSection(m.chartPools, m.selectedPool, m.timeframe, m.timeframes, m.q)}
</main>
<footer>Candle chart: <a href="https://www.tradingview.com/" rel="noopener noreferrer">TradingView Lightweight Charts</a>.</footer>
</body>
</html>
`.text;
}
