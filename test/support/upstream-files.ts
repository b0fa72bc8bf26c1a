import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PinnedFile, ResolvePinnedOptions } from '../../helpers/upstream/pinned-files.ts';

/** The repository root (this file is test/support/upstream-files.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every upstream file the tests read, pinned by commit and sha256 (written by generate-pinned-upstream.ts). */
export const PINNED_UPSTREAM: readonly PinnedFile[] = JSON.parse(
  readFileSync(new URL('./pinned-upstream.json', import.meta.url), 'utf8'),
) as PinnedFile[];

/**
 * `shared/upstream` beside the clone or beside a folder above it (a git worktree sits one level deeper
 * than its main checkout); AUS_UPSTREAM_DIR names another folder laid out the same way.
 */
export function localUpstreamDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AUS_UPSTREAM_DIR) return env.AUS_UPSTREAM_DIR;
  let dir = dirname(REPO_ROOT.replace(/\/+$/, ''));
  for (;;) {
    const candidate = join(dir, 'shared', 'upstream');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function fixtureSources(env: NodeJS.ProcessEnv = process.env): ResolvePinnedOptions {
  const localDir = localUpstreamDir(env);
  return {
    ...(localDir ? { localDir } : {}),
    cacheDir: join(REPO_ROOT, '.cache', 'upstream'),
    ...(env.AUS_FIXTURES_URL ? { mirrorUrl: env.AUS_FIXTURES_URL } : {}),
  };
}

export const FIXTURES_FIX =
  'provide them one of three ways: a copy laid out like ../shared/upstream beside the clone (or AUS_UPSTREAM_DIR=<folder>), AUS_FIXTURES_URL=<http mirror in that layout>, or network access to GitHub once (kept in .cache/upstream)';
