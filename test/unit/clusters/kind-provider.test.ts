import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PinnedNodeImage } from '../../../clusters/kind/node-images.ts';
import { KindProvider } from '../../../clusters/kind/provider.ts';
import { canExplainKeep, canLoadImages } from '../../../clusters/types.ts';
import {
  createStandInBin,
  DOCKER_UP,
  type StandInBin,
  type StandInRule,
} from '../../support/stand-in-bin.ts';

const NAME = 'aus-20260825-101530-a1b2';
const IMAGE: PinnedNodeImage = `kindest/node:v1.36.4@sha256:${'b'.repeat(64)}`;
let bin: StandInBin | undefined;
let runDir: string;

beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'aus-run-'));
});
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
  await rm(runDir, { recursive: true, force: true });
});

async function provider(
  kind: readonly StandInRule[],
  docker: readonly StandInRule[] = DOCKER_UP,
  nodeImage?: PinnedNodeImage,
) {
  bin = await createStandInBin({ kind, docker });
  return new KindProvider({
    clusterName: NAME,
    runDir,
    workers: 3,
    nodeImage,
    registryMirror: false,
    engine: 'docker',
    env: bin.env(),
  });
}

const lines = async () => (await (bin as StandInBin).calls()).map((c) => [c.tool, ...c.argv].join(' '));

describe('kind provider', () => {
  it('creates the cluster with its own config and kubeconfig in the run folder, waiting for the control plane', async () => {
    const kind = await provider([{ match: ['get', 'clusters'], stdout: 'someone-else\n' }], DOCKER_UP, IMAGE);
    const handle = await kind.up(new AbortController().signal);
    expect(handle).toMatchObject({
      provider: 'kind',
      name: NAME,
      kubeconfigPath: join(runDir, 'kubeconfig'),
    });
    expect(await lines()).toEqual([
      'kind get clusters',
      `kind create cluster --name ${NAME} --config ${join(runDir, 'kind-config.yaml')} --kubeconfig ${join(runDir, 'kubeconfig')} --wait 5m --image ${IMAGE}`,
    ]);
    const config = parse(await readFile(join(runDir, 'kind-config.yaml'), 'utf8')) as { nodes: unknown[] };
    expect(config.nodes).toHaveLength(4);
  });

  it("omits --image to use kind's default node image", async () => {
    const kind = await provider([]);
    await kind.up(new AbortController().signal);
    expect((await lines())[1]).not.toContain('--image');
  });

  it('reuses a live cluster of the same name, exporting its kubeconfig into the run folder', async () => {
    const kind = await provider([{ match: ['get', 'clusters'], stdout: `${NAME}\n` }]);
    await kind.up(new AbortController().signal);
    expect(await lines()).toEqual([
      'kind get clusters',
      `kind export kubeconfig --name ${NAME} --kubeconfig ${join(runDir, 'kubeconfig')}`,
    ]);
  });

  it('fails with the last line kind printed when create fails', async () => {
    const kind = await provider([
      {
        match: ['create'],
        exitCode: 1,
        stderr: 'Creating cluster\nERROR: failed to create cluster: node(s) already exist\n',
      },
    ]);
    await expect(kind.up(new AbortController().signal)).rejects.toThrow(
      /ERROR: failed to create cluster: node\(s\) already exist/,
    );
  });

  it('deletes the cluster by name and exports logs to the given folder', async () => {
    const kind = await provider([]);
    await kind.destroy();
    await kind.exportLogs(join(runDir, 'logs'));
    expect(await lines()).toEqual([
      `kind delete cluster --name ${NAME} --kubeconfig ${join(runDir, 'kubeconfig')}`,
      `kind export logs ${join(runDir, 'logs')} --name ${NAME}`,
    ]);
  });

  it('pulls images the engine lacks once, then loads them all into the nodes', async () => {
    const kind = await provider(
      [],
      [
        { match: ['image', 'inspect', 'docker.io/curlimages/curl:8.16.0'], exitCode: 1 },
        { match: ['image', 'inspect'], exitCode: 0 },
      ],
    );
    expect(canLoadImages(kind)).toBe(true);
    await kind.loadImages(
      [
        'docker.io/curlimages/curl:8.16.0',
        'registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3',
      ],
      new AbortController().signal,
    );
    expect(await lines()).toEqual([
      'docker image inspect docker.io/curlimages/curl:8.16.0',
      'docker pull docker.io/curlimages/curl:8.16.0',
      'docker image inspect registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3',
      `kind load docker-image --name ${NAME} docker.io/curlimages/curl:8.16.0 registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3`,
    ]);
  });

  it('kills a hanging kind create when the run is aborted', async () => {
    const kind = await provider([{ match: ['create'], hang: true }]);
    const controller = new AbortController();
    const up = kind.up(controller.signal);
    // Abort only once the stand-in reports that it is blocking inside `create`.
    await (bin as StandInBin).waitForCall((line) => line === 'kind <hanging>');
    controller.abort(new Error('stopped by SIGINT'));
    await expect(up).rejects.toThrow('stopped by SIGINT');
  });

  it('tells how to reach and delete a kept cluster', async () => {
    const kind = await provider([]);
    expect(canExplainKeep(kind)).toBe(true);
    const text = kind.keepInstructions('20260825-101530-a1b2').join('\n');
    expect(text).toContain(`export KUBECONFIG=${join(runDir, 'kubeconfig')}`);
    expect(text).toContain('kubectl get pods -A');
    expect(text).toContain('npx ambient-upgrade cleanup --run 20260825-101530-a1b2');
    expect(text).toContain(`kind delete cluster --name ${NAME}`);
  });
});
