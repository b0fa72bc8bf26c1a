import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { defaultFetch, FetchError, type FetchText, fetchWithCache, sha256Of } from '../mesh/fetch-cache.ts';

/** One upstream file at a pinned commit, stored at `<folder>/<path>` in a folder laid out like ../shared/upstream. */
export interface PinnedFile {
  folder: string;
  path: string;
  /** GitHub `owner/name`. */
  repo: string;
  commit: string;
  /** The file's path inside `repo`. */
  source: string;
  sha256: string;
}

export interface ResolvePinnedOptions {
  /** A folder laid out like ../shared/upstream; used (digest-checked) when it exists. */
  localDir?: string;
  /** Where downloaded files are kept, in the same layout. */
  cacheDir: string;
  /** A mirror laid out like ../shared/upstream (`<base>/<folder>/<path>`), instead of GitHub. */
  mirrorUrl?: string;
  fetch?: FetchText;
  timeoutMs?: number;
}

export interface ResolvedPinned {
  /** A folder holding every file at `<folder>/<path>`. */
  dir: string;
  origin: 'local folder' | 'cache' | 'mirror' | 'GitHub';
}

export function githubRawUrl(file: PinnedFile): string {
  return `https://raw.githubusercontent.com/${file.repo}/${file.commit}/${file.source}`;
}

export function mirrorFileUrl(base: string, file: PinnedFile): string {
  return `${base.replace(/\/+$/, '')}/${file.folder}/${file.path}`;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function checkLocal(dir: string, files: readonly PinnedFile[]): Promise<void> {
  const wrong: string[] = [];
  await Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file.folder, file.path), 'utf8').catch(() => undefined);
      if (text === undefined) wrong.push(`${file.folder}/${file.path} missing`);
      else if (sha256Of(text) !== file.sha256) wrong.push(`${file.folder}/${file.path} differs`);
    }),
  );
  if (wrong.length > 0) {
    wrong.sort();
    throw new UserError(
      `${dir} does not hold the pinned upstream files (${wrong.length}: ${wrong.slice(0, 3).join(', ')}${wrong.length > 3 ? ', …' : ''}) — restore them, or regenerate the pinned list with \`npm run fixtures:manifest\` after a deliberate update`,
    );
  }
}

/**
 * Makes every pinned file available in one folder: the local folder when it exists, else a cache filled
 * from the mirror or from GitHub at the pinned commits. Every byte is checked against the pinned sha256.
 */
export async function resolvePinnedFiles(
  files: readonly PinnedFile[],
  options: ResolvePinnedOptions,
  fix: string,
): Promise<ResolvedPinned> {
  if (options.localDir !== undefined && (await isDirectory(options.localDir))) {
    await checkLocal(options.localDir, files);
    return { dir: options.localDir, origin: 'local folder' };
  }
  // Counts real requests, so the caller can say whether the files came from the cache or over the wire.
  let downloaded = false;
  const inner = options.fetch ?? defaultFetch;
  const fetch: FetchText = (url, init) => {
    downloaded = true;
    return inner(url, init);
  };
  const results = await Promise.allSettled(
    files.map((file) =>
      fetchWithCache({
        url: options.mirrorUrl ? mirrorFileUrl(options.mirrorUrl, file) : githubRawUrl(file),
        cachePath: join(options.cacheDir, file.folder, file.path),
        sha256: file.sha256,
        fix,
        fetch,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      }),
    ),
  );
  const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failed.length > 0) {
    const first = failed[0];
    if (!(first instanceof FetchError)) throw first;
    const from = options.mirrorUrl ? `from ${options.mirrorUrl}` : 'from GitHub';
    throw new UserError(
      `cannot get ${failed.length} of ${files.length} pinned upstream files ${from} (first: ${first.url}: ${first.reason}) — ${fix}`,
      { cause: first },
    );
  }
  if (!downloaded) return { dir: options.cacheDir, origin: 'cache' };
  return { dir: options.cacheDir, origin: options.mirrorUrl ? 'mirror' : 'GitHub' };
}
