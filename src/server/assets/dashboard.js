/*
 * gtc dashboard: live updates and the candle chart. Everything from the server is put into the page
 * with textContent / setAttribute / dataset, never innerHTML, so a token named
 * "<img src=x onerror=alert(1)>" stays text. Formatting mirrors src/server/dashboard/format.ts.
 */
/* global LightweightCharts */
'use strict';

(() => {
  const body = document.body;
  const refreshMs = Number(body.dataset.refreshMs) || 2000;
  const DASH = '\u2014';

  function relative(iso, now) {
    if (!iso) return DASH;
    const deltaS = Math.round((Date.parse(iso) - now) / 1000);
    const abs = Math.abs(deltaS);
    const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
    return deltaS <= 0 ? `${text} ago` : `in ${text}`;
  }
  function duration(s) {
    if (s === null || s === undefined) return DASH;
    if (s < 60) return `${Math.round(s)}s`;
    if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${s / 60}m`;
    const m = Math.round((s % 3600) / 60);
    return m ? `${Math.floor(s / 3600)}h${m}m` : `${Math.floor(s / 3600)}h`;
  }
  const interval = (now, configured) => (configured === null || configured === now ? duration(now) : `${duration(now)} (configured ${duration(configured)})`);
  const ms = (v) => (v === null || v === undefined ? DASH : v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v)} ms`);
  const count = (v) => (v === null || v === undefined ? DASH : v.toLocaleString('en-US'));
  function bytes(v) {
    if (v === null || v === undefined) return DASH;
    if (v < 1024) return `${v} B`;
    if (v < 1024 ** 2) return `${(v / 1024).toFixed(1)} KiB`;
    if (v < 1024 ** 3) return `${(v / 1024 ** 2).toFixed(1)} MiB`;
    return `${(v / 1024 ** 3).toFixed(2)} GiB`;
  }
  const time = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : DASH);

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function cell(tr, field, cls) {
    const td = document.createElement('td');
    if (field) td.dataset.field = field;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function collectorRow(name) {
    const tr = document.createElement('tr');
    tr.dataset.collector = name;
    cell(tr, null, 'name').textContent = name;
    const state = document.createElement('span');
    state.dataset.field = 'state';
    cell(tr).appendChild(state);
    cell(tr, 'lastSuccessAt');
    cell(tr, 'nextRunAt');
    cell(tr, 'consecutiveFailures', 'num');
    cell(tr, 'interval');
    cell(tr, 'lastError', 'error');
    return tr;
  }

  function updateCollectors(status, now) {
    const tbody = document.querySelector('#collectors tbody');
    if (!tbody) return;
    const rows = new Map();
    for (const tr of tbody.querySelectorAll('tr')) {
      if (tr.dataset.collector === undefined) tr.remove();
      else rows.set(tr.dataset.collector, tr);
    }
    for (const c of status.collectors) {
      let tr = rows.get(c.name);
      if (!tr) {
        tr = collectorRow(c.name);
        tbody.appendChild(tr);
      }
      const state = tr.querySelector('[data-field="state"]');
      setText(state, c.state);
      state.className = `state state-${c.state}`;
      const last = tr.querySelector('[data-field="lastSuccessAt"]');
      setText(last, relative(c.lastSuccessAt, now));
      last.title = c.lastSuccessAt || '';
      const next = tr.querySelector('[data-field="nextRunAt"]');
      setText(next, relative(c.nextRunAt, now));
      next.title = c.nextRunAt || '';
      setText(tr.querySelector('[data-field="consecutiveFailures"]'), String(c.consecutiveFailures));
      setText(tr.querySelector('[data-field="interval"]'), interval(c.intervalSeconds, c.configuredIntervalSeconds));
      setText(tr.querySelector('[data-field="lastError"]'), c.lastError || '');
    }
  }

  const STATUS_FIELDS = {
    'database.dialect': (s) => s.database.dialect,
    'database.ok': (s) => (s.database.ok ? 'yes' : `no${s.database.error ? `: ${s.database.error}` : ''}`),
    'database.latencyMs': (s) => ms(s.database.latencyMs),
    'database.writeLockWaitMs': (s) => ms(s.database.writeLockWaitMs),
    'database.busyRetries': (s) => count(s.database.busyRetries),
    'database.walSizeBytes': (s) => bytes(s.database.walSizeBytes),
    'database.breaker': (s) => s.database.breaker || DASH,
    'api.requestsPerMinute': (s) => `${count(s.api.requestsPerMinute)} / ${s.api.limitPerMinute}`,
    'api.remainingToday': (s) => `${count(s.api.remainingToday)} / ${s.api.dailyLimit}`,
    'api.queueLength': (s) => count(s.api.queueLength),
    'api.rateLimited429': (s) => count(s.api.rateLimited429),
    'api.breaker': (s) => s.api.breaker || DASH,
    'gaps.open': (s) => String(s.gaps.open),
  };

  function updatePanels(status) {
    for (const el of document.querySelectorAll('[data-status]')) {
      const format = STATUS_FIELDS[el.dataset.status];
      if (format) setText(el, format(status));
    }
    for (const [field, breaker] of [['database.breaker', status.database.breaker], ['api.breaker', status.api.breaker]]) {
      const el = document.querySelector(`[data-status="${field}"]`);
      if (el) el.className = `state-${breaker || 'unknown'}`;
    }
    const generated = document.getElementById('generated-at');
    if (generated) {
      generated.dateTime = status.generatedAt;
      setText(generated, time(status.generatedAt));
    }
  }

  function updateStrips(runs) {
    const container = document.getElementById('strips');
    if (!container) return;
    const byCollector = new Map();
    for (const run of runs.slice().reverse()) {
      if (!byCollector.has(run.collector)) byCollector.set(run.collector, []);
      byCollector.get(run.collector).push(run);
    }
    const rows = [...byCollector.keys()].sort().map((name) => {
      const row = document.createElement('div');
      row.className = 'strip-row';
      const label = document.createElement('span');
      label.className = 'strip-name';
      label.textContent = name;
      const strip = document.createElement('span');
      strip.className = 'strip';
      strip.dataset.collector = name;
      for (const r of byCollector.get(name).slice(-40)) {
        const mark = document.createElement('span');
        mark.className = `run run-${r.status}`;
        mark.title = `${time(r.startedAt)} ${r.status}${r.durationMs !== null ? ` in ${r.durationMs < 1000 ? '< 1 s' : duration(r.durationMs / 1000)}` : ''}, ${r.rowsWritten} rows${r.error ? `: ${r.error}` : ''}`;
        strip.appendChild(mark);
      }
      row.append(label, strip);
      return row;
    });
    if (rows.length) container.replaceChildren(...rows);
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  }

  const live = document.getElementById('live');
  let polls = 0;
  async function poll() {
    try {
      const status = await getJson('/api/status');
      updateCollectors(status, Date.now());
      updatePanels(status);
      if (polls++ % 5 === 0) updateStrips((await getJson('/api/runs?limit=400')).runs);
      if (live) {
        live.classList.remove('offline');
        setText(live, `live, updated ${new Date().toLocaleTimeString()}`);
      }
    } catch (error) {
      if (live) {
        live.classList.add('offline');
        setText(live, `not updating: ${error.message}`);
      }
    } finally {
      setTimeout(poll, refreshMs);
    }
  }
  setTimeout(poll, refreshMs);

  const num = (v) => (v === null ? NaN : Number(v));

  function startChart(container) {
    if (typeof LightweightCharts === 'undefined') return;
    const chart = LightweightCharts.createChart(container, {
      autoSize: true,
      layout: { background: { color: '#171d24' }, textColor: '#d8dee6', attributionLogo: false },
      grid: { vertLines: { color: '#222a33' }, horzLines: { color: '#222a33' } },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { scaleMargins: { top: 0.05, bottom: 0.25 } },
    });
    const candles = chart.addSeries(LightweightCharts.CandlestickSeries, { priceFormat: { type: 'price', precision: 8, minMove: 1e-8 } });
    const volume = chart.addSeries(LightweightCharts.HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume', color: '#58a6ff88' });
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    const url = `/api/pools/${encodeURIComponent(container.dataset.pool)}/ohlcv?timeframe=${encodeURIComponent(container.dataset.timeframe)}&limit=1000`;
    let first = true;
    async function load() {
      try {
        const { candles: rows } = await getJson(url);
        const usable = rows.filter((c) => [c.open, c.high, c.low, c.close].every((v) => Number.isFinite(num(v))));
        candles.setData(usable.map((c) => ({ time: c.time, open: num(c.open), high: num(c.high), low: num(c.low), close: num(c.close) })));
        volume.setData(usable.map((c) => ({ time: c.time, value: Number.isFinite(num(c.volumeUsd)) ? num(c.volumeUsd) : 0, color: num(c.close) >= num(c.open) ? '#3fb95066' : '#f8514966' })));
        if (first && usable.length) chart.timeScale().fitContent();
        first = false;
        container.dataset.candles = String(usable.length);
      } catch (error) {
        container.dataset.error = error.message;
      }
    }
    load();
    setInterval(load, Math.max(refreshMs * 10, 15000));
  }

  const chartContainer = document.getElementById('candles');
  if (chartContainer) startChart(chartContainer);
})();
