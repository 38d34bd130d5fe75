/**
 * A progress bar for long work, drawn on stderr only when stdout is a terminal (so pipes and
 * --json output stay clean). Redraws at most ten times a second.
 */
export interface Progress {
  /** Adds `n` units of work done. */
  tick(n?: number): void;
  /** Sets the total when it becomes known. */
  setTotal(total: number): void;
  /** Clears the bar. */
  done(): void;
}

export function createProgress(label: string, total?: number, streams: { out?: NodeJS.WriteStream; err?: NodeJS.WriteStream } = {}): Progress {
  const out = streams.out ?? process.stdout;
  const err = streams.err ?? process.stderr;
  if (!out.isTTY || !err.isTTY) return { tick: () => undefined, setTotal: () => undefined, done: () => undefined };
  let count = 0;
  let max = total;
  let drawnAt = 0;
  const started = Date.now();
  const draw = (force = false): void => {
    const now = Date.now();
    if (!force && now - drawnAt < 100) return;
    drawnAt = now;
    const rate = count / Math.max(0.001, (now - started) / 1000);
    const width = 30;
    let text: string;
    if (max && max > 0) {
      const share = Math.min(1, count / max);
      const filled = Math.round(share * width);
      text = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(1)}% ${count.toLocaleString('en-US')}/${max.toLocaleString('en-US')}`;
    } else text = `${label} ${count.toLocaleString('en-US')}`;
    // Time left at the rate so far, once there is a total and some progress.
    const eta = max && count > 0 && count < max ? `, ETA ${duration((max - count) / rate)}` : '';
    err.write(`\r${text} (${Math.round(rate).toLocaleString('en-US')}/s${eta})\u001b[K`);
  };
  return {
    tick(n = 1) {
      count += n;
      draw();
    },
    setTotal(t) {
      max = t;
    },
    done() {
      draw(true);
      err.write('\r\u001b[K');
    },
  };
}

/** Seconds as "45s", "3m12s" or "1h05m". */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
