import { mkdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.ts';

const REASONS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is in the way',
  EEXIST: 'a file is in the way',
  // /proc, /sys and similar refuse new entries with ENOENT although the parent exists.
  ENOENT: 'the file system does not accept new entries there',
};

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return String(error);
  return REASONS[code] ? `${code}, ${REASONS[code]}` : code;
}

/** The nearest part of `path` that exists, and the missing folders below it (outermost first). */
async function splitExisting(path: string): Promise<{ existing: string; missing: string[] }> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    const found = await stat(current).then(
      (s) => s,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
    if (found) return { existing: current, missing };
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) return { existing: current, missing };
    current = parent;
  }
}

/**
 * Creates `dir` and its missing parents one level at a time (the recursive `mkdir` spins forever under /proc)
 * and proves it writable with a probe file, so a bad `--out` fails at once with the kernel's reason, before
 * any work. Returns the folders it created, for `removeCreatedDirs` when a later step fails.
 */
export async function prepareOutDir(dir: string, flag: string): Promise<string[]> {
  const target = resolve(dir);
  const fail = (what: string, error: unknown): never => {
    throw new UserError(`${flag} ${dir}: cannot ${what} (${reason(error)}) — pass a writable folder`, {
      cause: error,
    });
  };
  const { existing, missing } = await splitExisting(target).catch((error: unknown) =>
    fail('look it up', error),
  );
  const base = await stat(existing);
  if (!base.isDirectory())
    fail(`use ${existing}`, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }));
  const created: string[] = [];
  for (const folder of missing) {
    try {
      await mkdir(folder);
      created.push(folder);
    } catch (error) {
      await removeCreatedDirs(created);
      fail(`create ${folder}`, error);
    }
  }
  const probe = join(target, `.write-check-${process.pid}`);
  try {
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    await removeCreatedDirs(created);
    fail(`write into ${target}`, error);
  }
  return created;
}

/** Removes folders `prepareOutDir` created, innermost first, if they are still empty. */
export async function removeCreatedDirs(created: readonly string[]): Promise<void> {
  for (const folder of [...created].reverse()) await rmdir(folder).catch(() => undefined);
}
