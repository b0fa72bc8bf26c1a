import type { Clock } from '../../helpers/k8s/clock.ts';

/** A clock whose sleeps return at once and move time forward; records every sleep. */
export function instantClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      slept.push(ms);
      now += ms;
    },
  };
}

/** A clock that only moves when the test calls `advance`; sleeps end when their time has come. */
export class ManualClock implements Clock {
  private time = 0;
  private sleepers: { due: number; resolve: () => void }[] = [];
  readonly slept: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const sleeper = { due: this.time + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Number of sleeps not yet over. */
  get pending(): number {
    return this.sleepers.length;
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.due <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.due > this.time);
    for (const s of due) s.resolve();
  }
}
