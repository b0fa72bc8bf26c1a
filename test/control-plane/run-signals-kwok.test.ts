/**
 * Ctrl-C and SIGTERM on the kwok provider, end to end: the real CLI (`ambient-upgrade run --provider kwok`) as a
 * child, a real kwok cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok) in its network
 * namespace, helm, the real Sail operator process and the scenario vitest — stopped by a signal at a phase read
 * from the run folder, then checked: the signal's exit code, no process of the run left (found by its folder and
 * its network namespace, not by name: other runs may be up on the same machine), the namespace deleted, and the
 * run folder's cleanup record. Skipped, with the reason, without root or the built binaries.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEANUP_RECORD_FILE, type CleanupRecord } from '../../clusters/cleanup-record.ts';
import { destroyNetns, netnsExists, netnsPids } from '../../clusters/kwok/netns.ts';
import { controlPlaneSkipReason } from '../support/control-plane.ts';
import { netnsInode, type RunProcess, runProcesses } from '../support/run-processes.ts';

const skip = await controlPlaneSkipReason({ operator: true });

const CLI = fileURLToPath(new URL('../../bin/ambient-upgrade.js', import.meta.url));
/** Cluster, CRDs, chart, operator and the scenario child on a loaded 2-core machine. */
const PHASE_TIMEOUT_MS = 8 * 60_000;
/** Not a timing test: a bound that turns a hang into a failure. */
const STOP_BOUND_MS = 60_000;

let work: string;
let child: ResultPromise<{ reject: false; all: true }> | undefined;
let runDir: string | undefined;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'aus-kwok-signals-'));
});
afterEach(async () => {
  // Backstop when an assertion failed half-way: nothing of this run may outlive the test.
  child?.kill('SIGKILL');
  await child;
  child = undefined;
  if (runDir) {
    await destroyNetns(`aus-${runDir.split('/').pop()}`).catch(() => undefined);
    for (const p of await runProcesses({ runDir })) process.kill(p.pid, 'SIGKILL');
  }
  runDir = undefined;
  await rm(work, { recursive: true, force: true });
}, 120_000);

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (child?.exitCode !== undefined && child.exitCode !== null)
      throw new Error(`the run exited ${child.exitCode} before ${what}`);
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The real CLI from a scratch working directory (its `runs/` and `.cache` go there), plain progress lines. */
function startRun(): ResultPromise<{ reject: false; all: true }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    CI: 'true',
    NO_COLOR: '1',
  };
  for (const key of ['HOME', 'AUS_CACHE_DIR', 'TMPDIR'] as const) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  const run = execa(
    process.execPath,
    [CLI, 'run', '--provider', 'kwok', '--scenario', 'smoke', '--reports-dir', join(work, 'reports')],
    {
      cwd: work,
      env,
      extendEnv: false,
      reject: false,
      all: true,
      timeout: PHASE_TIMEOUT_MS + STOP_BOUND_MS,
      // execa would SIGKILL the run 5 s after our SIGTERM: a slow cleanup must show as slow, not as killed.
      forceKillAfterDelay: false,
    },
  );
  child = run;
  return run;
}

/** The run's folder, once `run` made it (`runs/<runId>/run.json`). */
async function runFolder(): Promise<string> {
  const dir = await until(
    'the run folder',
    async () => {
      const [id] = await readdir(join(work, 'runs')).catch(() => []);
      return id && existsSync(join(work, 'runs', id, 'run.json')) ? join(work, 'runs', id) : undefined;
    },
    60_000,
  );
  runDir = dir;
  return dir;
}

/** True once the inventory has a line of `kind`/`name` created with its uid (the object exists). */
async function inventoryHas(dir: string, kind: string, name: string): Promise<true | undefined> {
  const lines = (await readFile(join(dir, 'inventory.jsonl'), 'utf8').catch(() => '')).split('\n');
  return lines.some((line) => {
    if (line === '') return false;
    const entry = JSON.parse(line) as { type?: string; uid?: string; ref?: { kind?: string; name?: string } };
    return entry.type === 'created' && entry.uid && entry.ref?.kind === kind && entry.ref.name === name;
  })
    ? true
    : undefined;
}

interface Stopped {
  /** undefined when the run was killed (hung past the bound). */
  readonly exitCode: number | undefined;
  readonly output: string;
  readonly stopMs: number;
  readonly leftovers: RunProcess[];
  readonly netnsLeft: boolean;
  readonly record: CleanupRecord;
}

/** Sends the signal, waits for the run to exit, and reads what it left. */
async function stop(
  run: ResultPromise<{ reject: false; all: true }>,
  dir: string,
  inode: number | undefined,
  signal: 'SIGTERM' | 'SIGINT',
): Promise<Stopped> {
  const sent = Date.now();
  run.kill(signal);
  // A run that has not exited by the bound is hung (a live child or handle): kill it and report it as such.
  const bound = setTimeout(() => run.kill('SIGKILL'), STOP_BOUND_MS);
  const result = await run;
  clearTimeout(bound);
  const stopMs = Date.now() - sent;
  const netns = `aus-${dir.split('/').pop()}`;
  return {
    exitCode: result.exitCode,
    output: result.all,
    stopMs,
    leftovers: await runProcesses({ runDir: dir, netnsInode: inode }),
    netnsLeft: await netnsExists(netns),
    record: JSON.parse(await readFile(join(dir, CLEANUP_RECORD_FILE), 'utf8')) as CleanupRecord,
  };
}

/** `etcd, kube-apiserver, node ×3, …`: what a list of processes runs, for the log. */
const programs = (list: readonly RunProcess[]): string => {
  const counts = new Map<string, number>();
  for (const p of list) {
    const name = (p.cmdline.split(' ')[0] ?? '').split('/').pop() ?? '';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
};

function expectCleanedUp(stopped: Stopped, signal: 'SIGTERM' | 'SIGINT', exitCode: number): void {
  expect(stopped.output).toContain(`${signal} received — stopping and cleaning up`);
  expect(stopped.exitCode, stopped.output.split('\n').slice(-15).join('\n')).toBe(exitCode);
  expect(stopped.stopMs).toBeLessThan(STOP_BOUND_MS);
  expect(stopped.leftovers).toEqual([]);
  expect(stopped.netnsLeft).toBe(false);
  expect(stopped.record).toMatchObject({
    trigger: signal,
    keptCluster: false,
    finishedAt: expect.any(String),
  });
  expect(stopped.record.steps.filter((s) => !s.ok)).toEqual([]);
  expect(stopped.record.steps.map((s) => s.what)).toContainEqual(
    expect.stringMatching(/^remove kwok cluster aus-/),
  );
}

describe.skipIf(skip !== undefined)(
  `signals on the kwok provider (real CLI, control plane, operator)${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it.each([
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const)(
      'on %s during the scenarios: every process of the run stops, the namespace goes, exit %i',
      async (signal, exitCode) => {
        const run = startRun();
        const dir = await runFolder();
        const netns = `aus-${dir.split('/').pop()}`;
        // The scenario child created the mesh's Istio: the scenario phase runs, with the operator reconciling it.
        await until(
          'the smoke scenario creating Istio default',
          () => inventoryHas(dir, 'Istio', 'default'),
          PHASE_TIMEOUT_MS,
        );
        const inode = await netnsInode(netns);
        const before = await runProcesses({ runDir: dir, netnsInode: inode });
        // Preconditions: what the signal must stop is really running (else the test could pass on nothing).
        const commands = before.map((p) => p.cmdline).join('\n');
        for (const component of [
          'etcd',
          'kube-apiserver',
          'kube-controller-manager',
          'kube-scheduler',
          'kwok-controller',
          'sail-operator',
          'socat',
          'vitest',
        ])
          expect(commands, `${component} running before the signal`).toContain(component);
        expect((await netnsPids(netns)).length).toBeGreaterThan(0);

        const stopped = await stop(run, dir, inode, signal);
        console.log(
          `kwok ${signal} during the scenarios: exit ${stopped.exitCode} ${stopped.stopMs} ms after the signal (${before.length} processes of the run stopped: ${programs(before)})`,
        );
        expectCleanedUp(stopped, signal, exitCode);
        // A stopped run gives the machine back first: no log export before the delete.
        expect(existsSync(join(dir, 'logs'))).toBe(false);
      },
      PHASE_TIMEOUT_MS + 2 * STOP_BOUND_MS,
    );

    it(
      'on SIGTERM while the cluster is being created: the half-made cluster is removed, exit 143',
      async () => {
        const run = startRun();
        const dir = await runFolder();
        const netns = `aus-${dir.split('/').pop()}`;
        // kwokctl has started etcd inside the run's namespace; the cluster is not up yet.
        const inode = await until(
          'etcd starting in the run namespace',
          async () => {
            const ino = await netnsInode(netns);
            const running = await runProcesses({ runDir: dir, netnsInode: ino });
            return running.some((p) => p.by !== 'environ' && /\/etcd /.test(p.cmdline)) ? ino : undefined;
          },
          120_000,
        );
        const stopped = await stop(run, dir, inode, 'SIGTERM');
        console.log(
          `kwok SIGTERM during cluster creation: exit ${stopped.exitCode} ${stopped.stopMs} ms after the signal`,
        );
        // The signal came before `set up` finished: this is the creation path, not the scenarios'.
        expect(stopped.output).not.toMatch(/✔ set up kwok cluster/);
        expectCleanedUp(stopped, 'SIGTERM', 143);
      },
      4 * 60_000,
    );
  },
);
