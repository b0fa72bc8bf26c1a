import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { upstreamPath } from '../../support/upstream.ts';
import { REPO_ROOT } from '../../support/upstream-files.ts';

// A read-only mount, made in a private mount namespace (unshare -m) so nothing outside the test sees it.
let unavailable: string | undefined;
beforeAll(async () => {
  if (process.getuid?.() !== 0) unavailable = 'a read-only mount needs root (unshare -m)';
  else {
    const probe = await execa('unshare', ['-m', 'true'], { reject: false });
    if (probe.exitCode !== 0) unavailable = `unshare -m: ${probe.stderr.split('\n')[0]}`;
  }
});

const plan = (out: string) =>
  [
    'node bin/ambient-upgrade.js plan --scenario inplace --from 1.29.6 --to 1.30.3',
    `--crd ${upstreamPath('sail-operator/crds/sailoperator.io_istios.yaml')}`,
    `--manifests-dir ${upstreamPath('istio/samples')} --out ${out}`,
  ].join(' ');

describe('plan --out on a read-only file system', () => {
  it.for([
    ['a new folder', '/mnt/aus-ro/plans', 'cannot create /mnt/aus-ro/plans'],
    ['the mount itself', '/mnt/aus-ro', 'cannot write into /mnt/aus-ro'],
  ] as const)('%s: one line naming EROFS, exit 2', async ([, out, what], { skip }) => {
    if (unavailable) skip(unavailable);
    const started = Date.now();
    const result = await execa(
      'unshare',
      ['-m', 'sh', '-c', `mkdir -p /mnt/aus-ro && mount -t tmpfs -o ro tmpfs /mnt/aus-ro && ${plan(out)}`],
      { cwd: REPO_ROOT, reject: false },
    );
    expect(result.stderr).toBe(
      `ambient-upgrade: --out ${out}: ${what} (EROFS, read-only file system) — pass a writable folder`,
    );
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    // Fails before samples, the probe bundle or CRDs are read (a timing bound, loose for loaded CI machines).
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
