import type { Clock } from '../../../src/lib/clock.ts';

/**
 * Simulated time shared by several processes without talking: each computes
 * `simStart + offset + (Date.now() - realStart) × speed` from the same wall clock, so a
 * simulator in the test process and collectors in a child process agree to the millisecond. A
 * jump forward (simulated downtime) is a larger offset, passed to processes started after it.
 */
export interface AcceleratedTime {
  simStart: number;
  realStart: number;
  speed: number;
  offset: number;
}

export class AcceleratedClock implements Clock {
  constructor(readonly time: AcceleratedTime) {}

  now(): number {
    const { simStart, realStart, speed, offset } = this.time;
    return Math.floor(simStart + offset + (Date.now() - realStart) * speed);
  }

  /** Jumps simulated time forward. */
  jump(ms: number): void {
    this.time.offset += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms / this.time.speed));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
