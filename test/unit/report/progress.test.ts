import { describe, expect, it } from 'vitest';
import { plainProgress, progressMode } from '../../../helpers/report/progress.ts';

function clock(...isoTimes: string[]) {
  let i = 0;
  return () => new Date(isoTimes[Math.min(i++, isoTimes.length - 1)] ?? 0);
}

describe('plain progress', () => {
  it('prints a start line, updates and an end line with timestamps, and returns the value', async () => {
    const lines: string[] = [];
    const p = plainProgress({
      write: (l) => lines.push(l),
      now: clock('2025-11-25T10:00:00Z', '2025-11-25T10:00:03Z', '2025-11-25T10:01:06Z'),
    });
    const value = await p.task('upgrade ztunnel', async (update) => {
      update('2/3 nodes');
      return 7;
    });
    expect(value).toBe(7);
    expect(lines).toEqual([
      '[10:00:00] ▶ upgrade ztunnel',
      '[10:00:03]   upgrade ztunnel: 2/3 nodes',
      '[10:01:06] ✔ upgrade ztunnel (66.0 s)',
    ]);
  });

  it('prints why a task failed and rethrows the same error', async () => {
    const lines: string[] = [];
    const p = plainProgress({ write: (l) => lines.push(l), now: clock('2025-11-25T10:00:00Z') });
    const boom = new Error('drain deadline passed');
    await expect(p.task('drain', async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(lines.at(-1)).toBe('[10:00:00] ✖ drain (0.0 s): drain deadline passed');
  });

  it('keeps a failure to one line: a refusal of several problems is printed in full by the CLI, not here', async () => {
    const lines: string[] = [];
    const p = plainProgress({ write: (l) => lines.push(l), now: clock('2025-11-25T10:00:00Z') });
    const refusal = new Error(
      'Namespace istio-system already exists\nambient-upgrade: Istio default already exists',
    );
    await expect(p.task('check the cluster', async () => Promise.reject(refusal))).rejects.toBe(refusal);
    expect(lines.at(-1)).toBe(
      '[10:00:00] ✖ check the cluster (0.0 s): Namespace istio-system already exists (+1 more)',
    );
  });
});

describe('progressMode', () => {
  it.each([
    [{ CI: 'true' }, true, 'plain'],
    [{ CI: '1' }, false, 'plain'],
    [{}, false, 'plain'],
    [{}, true, 'listr'],
    [{ CI: 'false' }, true, 'listr'],
    [{ CI: '' }, true, 'listr'],
  ] as const)('env %j on a TTY=%s gives %s', (env, isTTY, mode) => {
    expect(progressMode(env, isTTY)).toBe(mode);
  });
});
