import { toError } from '../helpers/errors.ts';

export interface CleanupEntry {
  readonly what: string;
  readonly run: () => Promise<void> | void;
}

export interface CleanupFailure {
  readonly what: string;
  readonly error: Error;
}

/** One undo action as it ran: what, how long, and its error if it failed. */
export interface CleanupStepResult {
  readonly what: string;
  readonly ms: number;
  readonly error?: Error;
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

  /** `onDone` hears every step once it has run (the run folder's cleanup record). */
  runAll(onDone?: (step: CleanupStepResult) => void): Promise<CleanupFailure[]> {
    this.#running ??= this.#drain(onDone);
    return this.#running;
  }

  async #drain(onDone?: (step: CleanupStepResult) => void): Promise<CleanupFailure[]> {
    const failures: CleanupFailure[] = [];
    for (let entry = this.#entries.pop(); entry; entry = this.#entries.pop()) {
      const started = Date.now();
      try {
        await entry.run();
        onDone?.({ what: entry.what, ms: Date.now() - started });
      } catch (error) {
        const failure = { what: entry.what, error: toError(error) };
        failures.push(failure);
        onDone?.({ ...failure, ms: Date.now() - started });
      }
    }
    return failures;
  }
}
