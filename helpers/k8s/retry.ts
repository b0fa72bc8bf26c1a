import { apiStatusOf, KubeApiError, networkErrorCode } from './api-error.ts';
import { type Clock, systemClock } from './clock.ts';

/** Why a failed call may be tried again, or `undefined` when it must not be. */
export type RetryReason =
  | 'conflict'
  | 'throttled'
  | 'server error'
  | 'connection failure'
  | 'kind not served yet';

export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After honoured; a longer one is capped (the caller's deadline still rules). */
  maxRetryAfterMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** 409 is a retry only where repeating the call resolves it (apply); a create's 409 is final. */
  retryConflict?: boolean;
}

export const defaultRetry = {
  attempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
} as const;

/** Classifies a failure: 429, 5xx, resets and (optionally) 409 are transient; other 4xx are final. */
export function retryReason(error: unknown, retryConflict: boolean): RetryReason | undefined {
  const status = apiStatusOf(error);
  if (status) {
    if (status.code === 409) return retryConflict ? 'conflict' : undefined;
    if (status.code === 429) return 'throttled';
    if (status.code >= 500) return 'server error';
    return undefined;
  }
  if (networkErrorCode(error)) return 'connection failure';
  // A custom resource applied right after its CRD: discovery does not list the kind until it is established.
  if (error instanceof Error && /Unrecognized API version and kind/.test(error.message)) {
    return 'kind not served yet';
  }
  return undefined;
}

/** Delay before attempt `attempt + 1`: Retry-After when the server gave one, else capped exponential backoff. */
export function retryDelayMs(error: unknown, attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? defaultRetry.baseDelayMs;
  const max = options.maxDelayMs ?? defaultRetry.maxDelayMs;
  const retryAfter = apiStatusOf(error)?.retryAfterSeconds;
  if (retryAfter !== undefined) {
    return Math.min(retryAfter * 1_000, options.maxRetryAfterMs ?? defaultRetry.maxRetryAfterMs);
  }
  return Math.min(base * 2 ** (attempt - 1), max);
}

/**
 * Runs `call` until it succeeds, a final error occurs, or the attempts run out. Either failure throws a
 * `KubeApiError` naming `operation` and the API's last answer (bounded retries say how many attempts were made).
 */
export async function withRetry<T>(
  operation: string,
  call: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? defaultRetry.attempts;
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      const reason = retryReason(error, options.retryConflict ?? false);
      if (reason === undefined) throw new KubeApiError(operation, error);
      if (attempt >= attempts) {
        throw new KubeApiError(`${operation} (${attempts} attempts, last: ${reason})`, error);
      }
      await clock.sleep(retryDelayMs(error, attempt, options), options.signal);
    }
  }
}
