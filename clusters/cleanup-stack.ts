import { toError } from '../helpers/errors.ts';

export interface CleanupEntry {
  readonly what: string;
  readonly run: () => Promise<void> | void;
}

export interface CleanupFailure {
  readonly what: string;
  readonly error: Error;
}

/**
 * Undo actions run last-in, first-out: a port-forward registered after the cluster closes before the cluster goes.
 * Every entry runs even when an earlier one fails; failures are returned, not thrown, so the caller reports
 * them all. `runAll` is idempotent: a signal arriving during a normal teardown does not run anything twice.
 */
export class CleanupStack {
  readonly #entries: CleanupEntry[] = [];
  #running: Promise<CleanupFailure[]> | undefined;

  push(what: string, run: () => Promise<void> | void): void {
    if (this.#running) throw new Error(`cleanup already started; cannot register "${what}"`);
    this.#entries.push({ what, run });
  }

  get size(): number {
    return this.#entries.length;
  }

  runAll(onStep?: (what: string) => void): Promise<CleanupFailure[]> {
    this.#running ??= this.#drain(onStep);
    return this.#running;
  }

  async #drain(onStep?: (what: string) => void): Promise<CleanupFailure[]> {
    const failures: CleanupFailure[] = [];
    for (let entry = this.#entries.pop(); entry; entry = this.#entries.pop()) {
      onStep?.(entry.what);
      try {
        await entry.run();
      } catch (error) {
        failures.push({ what: entry.what, error: toError(error) });
      }
    }
    return failures;
  }
}
