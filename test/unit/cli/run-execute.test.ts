import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../../cli/run-execute.ts';
import { parseRunOptions } from '../../../cli/run-options.ts';
import { plainProgress } from '../../../cli/run-progress.ts';
import type { HostProbe } from '../../../clusters/kind/host-warnings.ts';
import { UserError } from '../../../helpers/errors.ts';
import type { LaunchOptions, LaunchResult } from '../../../suites/launch-contract.ts';
import { FakeApiServer } from '../../support/fake-apiserver.ts';
import { kindCreatingCluster, seedNodes } from '../../support/kind-stand-in.ts';
import { createStandInBin, DOCKER_UP, type StandInBin } from '../../support/stand-in-bin.ts';

const RUN_ID = '20260825-101530-a1b2';
const CLUSTER = `aus-${RUN_ID}`;
let bin: StandInBin;
let root: string;
let out: string;
let err: string;

let api: FakeApiServer;
// A Linux host with kind's recommended limits and no Podman: no host warnings in these tests.
const quietHost: HostProbe = {
  platform: 'linux',
  readFile: async (path) => (path.endsWith('max_user_watches') ? '524288' : '512'),
  exists: async () => true,
  podmanInfo: async () => undefined,
};

beforeEach(async () => {
  api = await FakeApiServer.start();
  seedNodes(api, 3);
  bin = await createStandInBin({ docker: DOCKER_UP, kind: kindCreatingCluster(api), helm: [] });
  root = await mkdtemp(join(tmpdir(), 'aus-exec-'));
  out = '';
  err = '';
});
afterEach(async () => {
  await bin.remove();
  await api.close();
  await rm(root, { recursive: true, force: true });
});

function streams() {
  const o = new PassThrough();
  const e = new PassThrough();
  o.on('data', (d: Buffer) => {
    out += d.toString();
  });
  e.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return plainProgress({ out: o, err: e });
}

async function run(
  flags: Parameters<typeof parseRunOptions>[0],
  launch: (o: LaunchOptions) => Promise<LaunchResult>,
) {
  return executeRun(parseRunOptions(flags), {
    env: bin.env(),
    progress: streams(),
    runId: RUN_ID,
    runsRoot: root,
    loadLaunch: async () => launch,
    host: quietHost,
  });
}

const kindCalls = async () =>
  (await bin.calls()).filter((c) => c.tool === 'kind').map((c) => c.argv.slice(0, 2).join(' '));

describe('run (in process, stand-in kind/docker/helm)', () => {
  it('creates the cluster, hands the suites what they need, deletes the cluster and exits 0', async () => {
    let seen: LaunchOptions | undefined;
    const code = await run({ scenario: ['inplace'], from: '1.29.6', to: '1.30.3' }, async (o) => {
      seen = o;
      return { verdict: 'certified' };
    });
    expect(code).toBe(0);
    expect(seen).toMatchObject({
      runId: RUN_ID,
      runDir: join(root, RUN_ID),
      provider: 'kind',
      // kind declares every capability: a kind run can be certified.
      capabilities: ['data-plane', 'istiod-controller'],
      kubeconfigPath: join(root, RUN_ID, 'kubeconfig'),
      facts: { openshift: false, operatorPreinstalled: undefined },
      scenarios: ['inplace'],
      from: '1.29.6',
      to: '1.30.3',
      operatorVersion: '1.30.3',
      workers: 2,
    });
    expect(typeof seen?.loadImages).toBe('function');
    expect(seen?.context).toBeUndefined();
    expect(await kindCalls()).toEqual(['get clusters', 'create cluster', 'delete cluster']);
    const del = (await bin.calls()).find((c) => c.argv[0] === 'delete');
    expect(del?.argv).toEqual([
      'delete',
      'cluster',
      '--name',
      CLUSTER,
      '--kubeconfig',
      join(root, RUN_ID, 'kubeconfig'),
    ]);
    expect(out).toContain(`run ${RUN_ID}: certified — every check`);
  });

  it('creates the cluster on the newest pinned node image both Istio versions support, and says which', async () => {
    // 1.28 → 1.30 is two minors: outside the InPlace skew policy, so the pair needs --allow-skew to reach the cluster.
    await run({ scenario: ['inplace'], from: '1.28.10', to: '1.30.3', allowSkew: true }, async () => ({
      verdict: 'certified',
    }));
    const create = (await bin.calls()).find((c) => c.argv[0] === 'create');
    const image =
      'kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d';
    expect(create?.argv.slice(-2)).toEqual(['--image', image]);
    expect(out).toContain(
      `node image ${image}: the newest pinned Kubernetes that Istio v1.28.10 → v1.30.3 both support`,
    );
  });

  it('refuses a --k8s-version outside both support windows in one line, before running any tool', async () => {
    const refused = run(
      { scenario: ['inplace'], from: '1.28.10', to: '1.30.3', k8sVersion: '1.35.8' },
      async () => ({
        verdict: 'certified',
      }),
    );
    await expect(refused).rejects.toThrow(UserError);
    await expect(refused).rejects.toThrow(
      '--k8s-version 1.35.8 is outside the Kubernetes versions both v1.28.10 and v1.30.3 support (1.32, 1.33, 1.34)',
    );
    expect(await bin.calls()).toEqual([]);
  });

  it('exits 1 and still deletes the cluster when a scenario fails', async () => {
    const code = await run({ scenario: ['inplace'] }, async () => ({ verdict: 'not certified' }));
    expect(code).toBe(1);
    // A run that is not ok keeps its node logs, exported before the cluster goes.
    expect(await kindCalls()).toEqual(['get clusters', 'create cluster', 'export logs', 'delete cluster']);
    expect(out).toContain(`cluster logs: ${join(root, RUN_ID, 'logs')}`);
  });

  it.each([
    ['incomplete', 3],
    ['control plane only', 4],
  ] as const)(
    'exits with the verdict table: %s → %i, and says what the verdict means',
    async (verdict, exit) => {
      const code = await run({ scenario: ['inplace'] }, async () => ({ verdict }));
      expect(code).toBe(exit);
      expect(err).toContain(`run ${RUN_ID}: ${verdict} — `);
      expect(await kindCalls()).toEqual(['get clusters', 'create cluster', 'export logs', 'delete cluster']);
    },
  );

  it('exports logs, deletes the cluster and exits 1 when the suites crash', async () => {
    const code = await run({}, async () => {
      throw new Error('boom');
    });
    expect(code).toBe(1);
    expect(await kindCalls()).toEqual(['get clusters', 'create cluster', 'export logs', 'delete cluster']);
    expect(err).toContain(`run ${RUN_ID} failed: boom`);
  });

  it('runs the undo actions the suites registered before deleting the cluster', async () => {
    const order: string[] = [];
    await run({}, async (o) => {
      o.onCleanup('stop port-forward', () => {
        order.push('port-forward');
      });
      return { verdict: 'certified' };
    });
    expect(order).toEqual(['port-forward']);
    expect((await kindCalls()).at(-1)).toBe('delete cluster');
  });

  it('with --keep-cluster: keeps it and prints how to reach and delete it', async () => {
    await run({ keepCluster: true }, async () => ({ verdict: 'certified' }));
    expect(await kindCalls()).toEqual(['get clusters', 'create cluster']);
    expect(out).toContain(`export KUBECONFIG=${join(root, RUN_ID, 'kubeconfig')}`);
    expect(out).toContain('kubectl get pods -A');
    expect(out).toContain(`npx ambient-upgrade cleanup --run ${RUN_ID}`);
    expect(out).toContain(`kind delete cluster --name ${CLUSTER}`);
  });

  it('keeps a user error met by the suites as a user error, after cleaning up', async () => {
    await expect(
      run({}, async () => {
        throw new UserError('--manifests-dir /x has no bookinfo.yaml — pass a folder with the samples');
      }),
    ).rejects.toThrow(UserError);
    expect((await kindCalls()).at(-1)).toBe('delete cluster');
  });
});
