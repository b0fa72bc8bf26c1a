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
  /** The "— fix" half of the error when neither the network nor the cache has the file. */
  fix: string;
}

/**
 * Returns the cached copy when there is one (so a second run works offline and sees the same bytes);
 * otherwise downloads the file and stores it. Delete the cache folder to refresh.
 */
export async function fetchWithCache(options: CachedFetchOptions): Promise<string> {
  const cached = await readFile(options.cachePath, 'utf8').catch(() => undefined);
  if (cached !== undefined) return cached;
  const fetch = options.fetch ?? defaultFetch;
  let text: string;
  try {
    const response = await fetch(options.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `cannot fetch ${options.url} (${reason}) and no cached copy at ${options.cachePath} — ${options.fix}`,
      {
        cause: error,
      },
    );
  }
  await mkdir(dirname(options.cachePath), { recursive: true });
  // Write then rename so a crash never leaves a truncated file that later runs would trust.
  const partial = `${options.cachePath}.${process.pid}.partial`;
  await writeFile(partial, text, 'utf8');
  await rename(partial, options.cachePath);
  return text;
}
