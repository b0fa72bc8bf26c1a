import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fetch as undiciFetch } from 'undici';
import { UserError } from '../errors.ts';

/** The slice of `fetch` the loaders use; tests inject one that serves files from disk. */
export type FetchText = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export const defaultFetch: FetchText = (url, init) => undiciFetch(url, init);

const FETCH_TIMEOUT_MS = 60_000;

export interface CachedFetchOptions {
  url: string;
  cachePath: string;
  fetch?: FetchText;
  /** When set, the cached or downloaded bytes must have this sha256 (hex); a stale cache is fetched again. */
  sha256?: string;
  /** The "— fix" half of the error when neither the network nor the cache has the file. */
  fix: string;
  timeoutMs?: number;
}

export function sha256Of(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** undici says only "fetch failed"; the reason (ENOTFOUND, ECONNREFUSED, …) is in its cause. */
export function fetchFailureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${error.message}: ${code}` : `${error.message}: ${cause.message}`;
  }
  return error.message;
}

/** A download that failed and had no cached copy to fall back on. */
export class FetchError extends UserError {
  readonly url: string;
  readonly reason: string;

  constructor(message: string, url: string, reason: string, cause?: unknown) {
    super(message, { cause });
    this.url = url;
    this.reason = reason;
  }
}

/**
 * Returns the cached copy when there is one (so a second run works offline and sees the same bytes);
 * otherwise downloads the file and stores it. Delete the cache folder to refresh. With `sha256`, both the
 * cached and the downloaded bytes are checked, so neither a mirror nor a stale cache can change a file.
 */
export async function fetchWithCache(options: CachedFetchOptions): Promise<string> {
  const cached = await readFile(options.cachePath, 'utf8').catch(() => undefined);
  if (cached !== undefined && (options.sha256 === undefined || sha256Of(cached) === options.sha256)) {
    return cached;
  }
  const fetch = options.fetch ?? defaultFetch;
  let text: string;
  try {
    const response = await fetch(options.url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    const reason = fetchFailureReason(error);
    throw new FetchError(
      `cannot fetch ${options.url} (${reason}) and no cached copy at ${options.cachePath} — ${options.fix}`,
      options.url,
      reason,
      error,
    );
  }
  if (options.sha256 !== undefined) {
    const actual = sha256Of(text);
    if (actual !== options.sha256) {
      const reason = `sha256 ${actual}, pinned ${options.sha256}`;
      throw new FetchError(
        `${options.url} has ${reason} — the source serves other bytes than the pinned commit; ${options.fix}`,
        options.url,
        reason,
      );
    }
  }
  await mkdir(dirname(options.cachePath), { recursive: true });
  // Write then rename so a crash never leaves a truncated file that later runs would trust.
  const partial = `${options.cachePath}.${process.pid}.partial`;
  await writeFile(partial, text, 'utf8');
  await rename(partial, options.cachePath);
  return text;
}
