import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runProgress } from '../../../cli/run-progress.ts';
import { listrProgress, type Progress } from '../../../helpers/report/progress.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('run progress', () => {
  it('runs steps through the shared task reporter and writes info/warn lines to their streams', async () => {
    const titles: string[] = [];
    const tasks: Progress = {
      task: async (title, fn) => {
        titles.push(title);
        return fn(() => {});
      },
    };
    const out = capture();
    const err = capture();
    const progress = runProgress(tasks, { out: out.stream, err: err.stream });
    await expect(progress.step('set up kind cluster aus-1', async () => 42)).resolves.toBe(42);
    progress.info('cluster: kind');
    progress.warn('cleanup failed');
    expect(titles).toEqual(['set up kind cluster aus-1']);
    expect(out.text()).toBe('cluster: kind\n');
    expect(err.text()).toBe('cleanup failed\n');
  });

  it('propagates a failed step unchanged', async () => {
    const tasks: Progress = { task: (_title, fn) => fn(() => {}) };
    const boom = new Error('kind create failed');
    await expect(runProgress(tasks).step('set up', () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('the spinner installs no SIGINT/SIGTERM handlers of its own (the run must clean up the cluster)', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    let during = { int: -1, term: -1 };
    await listrProgress().task('look at the signal handlers', async () => {
      during = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    });
    expect(during).toEqual(before);
  });
});
