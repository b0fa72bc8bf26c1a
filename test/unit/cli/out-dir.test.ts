import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import { prepareOutDir, removeCreatedDirs } from '../../../helpers/out-dir.ts';

describe('prepareOutDir', () => {
  it('refuses /proc/x at once with the kernel reason (the recursive mkdir spins there forever)', async () => {
    const error = await prepareOutDir('/proc/x/plans', '--out').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      '--out /proc/x/plans: cannot create /proc/x (ENOENT, the file system does not accept new entries there) — pass a writable folder',
    );
  });

  it('names a file in the way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aus-out-'));
    await writeFile(join(dir, 'file'), '');
    await expect(prepareOutDir(join(dir, 'file', 'plans'), '--out')).rejects.toThrow(
      /cannot look it up \(ENOTDIR, a file is in the way\)/,
    );
  });

  it('creates the missing levels, leaves no probe file, and removes only what it created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aus-out-'));
    const created = await prepareOutDir(join(dir, 'a', 'b'), '--out');
    expect(created).toEqual([join(dir, 'a'), join(dir, 'a', 'b')]);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual([]);
    await removeCreatedDirs(created);
    expect(await readdir(dir)).toEqual([]);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });
});
