import { toError } from '../errors.ts';
import { type Clock, systemClock } from './clock.ts';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Turns the last value seen into the text a timeout reports; defaults to JSON. */
  describe?: (last: unknown) => string;
  /** Told after every poll: what is awaited, for how long so far, and what was seen (console progress). */
  onPoll?: (tick: WaitTick) => void;
}

/** One poll of a wait, for progress output: `last` is the same text a timeout would report. */
export interface WaitTick {
  what: string;
  elapsedMs: number;
  timeoutMs: number;
  last: string;
}

/** A wait that ran out of time; says what it waited for and what it saw last. */
export class WaitTimeout extends Error {
  readonly what: string;
  readonly timeoutMs: number;
  readonly lastSeen: unknown;

  constructor(what: string, timeoutMs: number, lastSeen: unknown, describe: (last: unknown) => string) {
    super(
      `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}; last seen: ${describe(lastSeen)}`,
    );
    this.name = 'WaitTimeout';
    this.what = what;
    this.timeoutMs = timeoutMs;
    this.lastSeen = lastSeen;
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (no read completed)';
  if (value instanceof Error) return `error: ${value.message}`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}

/**
 * Polls `read` until `done` holds. A read error does not end the wait (the API may be restarting) but is kept
 * as the last thing seen, so a timeout can say what went wrong instead of only that time passed.
 */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: WaitOptions,
): Promise<T> {
  const {
    timeoutMs,
    intervalMs = 1_000,
    signal,
    clock = systemClock,
    describe = describeValue,
    onPoll,
  } = options;
  const start = clock.now();
  let last: T | Error | undefined;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await read();
      last = value;
      if (done(value)) return value;
    } catch (error) {
      last = toError(error);
    }
    const elapsed = clock.now() - start;
    onPoll?.({ what, elapsedMs: elapsed, timeoutMs, last: describe(last) });
    if (elapsed >= timeoutMs) throw new WaitTimeout(what, timeoutMs, last, describe);
    await clock.sleep(Math.min(intervalMs, timeoutMs - elapsed), signal);
  }
}
