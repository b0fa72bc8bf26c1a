import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../support/fake-apiserver.ts';
import { kindCreatingCluster, seedNodes } from '../../support/kind-stand-in.ts';
import { createStandInBin, DOCKER_UP, type StandInBin } from '../../support/stand-in-bin.ts';

// The run's signal handling end to end, in a real process: the `run` path (prerequisites, kind provider, run
// lifecycle) on stand-in kind/docker/helm whose calls are recorded, a fake API for the kubeconfig kind "writes",
// and the phase under test reached for real (the scenario vitest child; helm).
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = fileURLToPath(new URL('../../support/run-phase-driver.ts', import.meta.url));
const SPAWN_TIMEOUT = 90_000;

let bin: StandInBin | undefined;
let api: FakeApiServer;
let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'aus-signals-'));
  api = await FakeApiServer.start();
  seedNodes(api, 3);
});
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
  await api.close();
  await rm(work, { recursive: true, force: true });
});

const kindRules = () => kindCreatingCluster(api);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function spawnDriver(phase: 'scenarios' | 'helm', b: StandInBin, pidFile: string) {
  return execa(process.execPath, ['--import', 'tsx', DRIVER, phase], {
    cwd: ROOT,
    env: b.env({ AUS_TEST_RUNS_ROOT: join(work, 'runs'), AUS_TEST_PID_FILE: pidFile }),
    extendEnv: false,
    reject: false,
    timeout: SPAWN_TIMEOUT,
  });
}

async function kindDeletes(b: StandInBin): Promise<string[][]> {
  return (await b.calls()).filter((c) => c.tool === 'kind' && c.argv[0] === 'delete').map((c) => [...c.argv]);
}

describe('signals during the run (spawned, stand-in kind/docker/helm)', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    'on %s during the scenarios: stops the scenario vitest, deletes the cluster, exits %i',
    async (signal, exitCode) => {
      const b = await createStandInBin({ docker: DOCKER_UP, helm: [], kind: kindRules() });
      bin = b;
      const pidFile = join(work, 'scenario.pid');
      const child = spawnDriver('scenarios', b, pidFile);
      // The scenario file runs inside the vitest child once this file exists.
      await until('the scenario vitest running its test', () => existsSync(pidFile), SPAWN_TIMEOUT / 2);
      const scenarioPid = Number(await readFile(pidFile, 'utf8'));
      child.kill(signal);
      const result = await child;
      expect(result.stderr).toContain(`${signal} received — stopping and cleaning up`);
      expect(result.exitCode).toBe(exitCode);
      const [runId] = await readdir(join(work, 'runs'));
      const create = (await b.calls()).find((c) => c.tool === 'kind' && c.argv[0] === 'create');
      const name = create?.argv[create.argv.indexOf('--name') + 1];
      expect(await kindDeletes(b)).toEqual([
        ['delete', 'cluster', '--name', name, '--kubeconfig', join(work, 'runs', runId ?? '', 'kubeconfig')],
      ]);
      // The worker running the scenario file is gone before the run exits, not seconds later.
      expect(alive(scenarioPid)).toBe(false);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'on SIGTERM during helm: stops helm at once (it does not finish first), deletes the cluster, exits 143',
    async () => {
      const b = await createStandInBin({
        docker: DOCKER_UP,
        helm: [{ match: ['upgrade', '--install'], hang: true }],
        kind: kindRules(),
      });
      bin = b;
      const child = spawnDriver('helm', b, join(work, 'unused.pid'));
      await b.waitForCall((line) => line === 'helm <hanging>', SPAWN_TIMEOUT / 2);
      const helmPid = (await b.calls()).find((c) => c.tool === 'helm' && c.argv[0] === '<hanging>')?.pid;
      child.kill('SIGTERM');
      const result = await child;
      // A helm that is not stopped would hold the run until the spawn timeout (it never exits by itself).
      expect(result.timedOut).toBe(false);
      expect(result.exitCode).toBe(143);
      expect(await kindDeletes(b)).toHaveLength(1);
      expect(helmPid !== undefined && alive(helmPid)).toBe(false);
    },
    SPAWN_TIMEOUT,
  );
});
