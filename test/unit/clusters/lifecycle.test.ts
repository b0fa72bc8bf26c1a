import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_FACTS } from '../../../clusters/facts.ts';
import { type Reporter, runLifecycle } from '../../../clusters/lifecycle.ts';
import type { ClusterHandle, ClusterProvider, KeepInstructions } from '../../../clusters/types.ts';

let runDir: string;
beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'aus-life-'));
});
afterEach(async () => {
  await rm(runDir, { recursive: true, force: true });
});

/** A provider that records its verbs; `failUp` makes creation fail half-way. */
function fakeProvider(events: string[], { failUp = false } = {}): ClusterProvider & KeepInstructions {
  return {
    name: 'kind',
    capabilities: new Set(['data-plane', 'istiod-controller']),
    kubeconfigPath: join(runDir, 'kubeconfig'),
    describe: () => 'kind cluster aus-test',
    async up(): Promise<ClusterHandle> {
      events.push('up');
      if (failUp) throw new Error('kind create failed');
      return {
        provider: 'kind',
        name: 'aus-test',
        kubeconfigPath: join(runDir, 'kubeconfig'),
        facts: NO_FACTS,
      };
    },
    async destroy() {
      events.push('destroy');
    },
    async exportLogs(dir) {
      events.push(`exportLogs ${dir}`);
    },
    keepInstructions: (runId) => [`keep ${runId}`],
  };
}

function reporter(lines: string[]): Reporter {
  return {
    step: (_title, body) => body(),
    info: (l) => lines.push(`info ${l}`),
    warn: (l) => lines.push(`warn ${l}`),
  };
}

const cleanupRecord = async (): Promise<unknown> =>
  JSON.parse(await readFile(join(runDir, 'cleanup.json'), 'utf8'));

const record = {
  runId: 'r1',
  provider: 'kind',
  clusterName: 'aus-test',
  kubeconfigPath: 'k',
  startedAt: 'now',
} as const;

describe('run lifecycle', () => {
  it('on success: runs the body with the cluster, then cleanup in reverse order, and records the run', async () => {
    const events: string[] = [];
    const outcome = await runLifecycle(
      {
        runId: 'r1',
        runDir,
        provider: fakeProvider(events),
        record,
        keepCluster: false,
        reporter: reporter([]),
      },
      async ({ handle, cleanup }) => {
        events.push(`body ${handle.name}`);
        cleanup.push('port-forward', () => {
          events.push('close port-forward');
        });
        return 'ok';
      },
    );
    expect(outcome).toEqual({ kind: 'completed', value: 'ok', cleanupFailed: false });
    expect(events).toEqual(['up', 'body aus-test', 'close port-forward', 'destroy']);
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'))).toEqual(record);
  });

  it('on failure: exports logs into the run folder, then destroys', async () => {
    const events: string[] = [];
    const outcome = await runLifecycle(
      {
        runId: 'r1',
        runDir,
        provider: fakeProvider(events),
        record,
        keepCluster: false,
        reporter: reporter([]),
      },
      async () => {
        throw new Error('scenario crashed');
      },
    );
    expect(outcome).toMatchObject({ kind: 'failed', error: new Error('scenario crashed') });
    expect(events).toEqual(['up', `exportLogs ${join(runDir, 'logs')}`, 'destroy']);
  });

  it('removes a half-created cluster even with --keep-cluster', async () => {
    const events: string[] = [];
    const outcome = await runLifecycle(
      {
        runId: 'r1',
        runDir,
        provider: fakeProvider(events, { failUp: true }),
        record,
        keepCluster: true,
        reporter: reporter([]),
      },
      async () => 'never',
    );
    expect(outcome.kind).toBe('failed');
    expect(events).toEqual(['up', 'destroy']);
  });

  it('with --keep-cluster: keeps a cluster that came up and says how to reach it', async () => {
    const events: string[] = [];
    const lines: string[] = [];
    await runLifecycle(
      {
        runId: 'r1',
        runDir,
        provider: fakeProvider(events),
        record,
        keepCluster: true,
        reporter: reporter(lines),
      },
      async () => 'ok',
    );
    expect(events).toEqual(['up']);
    expect(lines).toContain('info keep r1');
  });

  it('on SIGTERM: aborts the shared signal, cleans up and reports the signal exit code', async () => {
    const events: string[] = [];
    const listenersBefore = process.listenerCount('SIGTERM');
    const outcome = await runLifecycle(
      {
        runId: 'r1',
        runDir,
        provider: fakeProvider(events),
        record,
        keepCluster: false,
        reporter: reporter([]),
      },
      ({ signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
          process.emit('SIGTERM', 'SIGTERM');
        }),
    );
    expect(outcome).toEqual({ kind: 'stopped', signal: 'SIGTERM', exitCode: 143, cleanupFailed: false });
    // Stopped by the user: no log export, straight to cleanup.
    expect(events).toEqual(['up', 'destroy']);
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
    // The run folder says the cleanup ran because of the signal, and what it removed.
    expect(await cleanupRecord()).toMatchObject({
      runId: 'r1',
      trigger: 'SIGTERM',
      keptCluster: false,
      finishedAt: expect.any(String),
      steps: [{ what: 'remove kind cluster aus-test', ok: true }],
    });
  });

  it('reports a failed cleanup and how to retry it', async () => {
    const lines: string[] = [];
    const provider = {
      ...fakeProvider([]),
      destroy: async () => Promise.reject(new Error('kind delete failed')),
    };
    const outcome = await runLifecycle(
      { runId: 'r1', runDir, provider, record, keepCluster: false, reporter: reporter(lines) },
      async () => 'ok',
    );
    expect(outcome.cleanupFailed).toBe(true);
    expect(lines).toContain('warn cleanup: remove kind cluster aus-test failed: kind delete failed');
    expect(lines).toContain('warn some cleanup failed — retry with: npx ambient-upgrade cleanup --run r1');
    expect(await cleanupRecord()).toMatchObject({
      trigger: 'completed',
      steps: [{ what: 'remove kind cluster aus-test', ok: false, error: 'kind delete failed' }],
    });
  });
});
