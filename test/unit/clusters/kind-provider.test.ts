import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PinnedNodeImage } from '../../../clusters/kind/node-images.ts';
import { KindProvider } from '../../../clusters/kind/provider.ts';
import { canExplainKeep, canLoadImages } from '../../../clusters/types.ts';
import { FakeApiServer } from '../../support/fake-apiserver.ts';
import { kindCreatingCluster, seedNodes } from '../../support/kind-stand-in.ts';
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
let api: FakeApiServer;

beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'aus-run-'));
  api = await FakeApiServer.start();
});
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
  await api.close();
  await rm(runDir, { recursive: true, force: true });
});

async function provider(
  kind: readonly StandInRule[],
  docker: readonly StandInRule[] = DOCKER_UP,
  nodeImage?: PinnedNodeImage,
  more: { engine?: 'docker' | 'podman'; podman?: readonly StandInRule[]; log?: string[] } = {},
) {
  // Every kind stand-in "creates" a cluster whose kubeconfig points at the fake API (4 Ready nodes by default).
  bin = await createStandInBin({
    kind: kindCreatingCluster(api, kind),
    docker,
    ...(more.podman ? { podman: more.podman } : {}),
  });
  return new KindProvider({
    clusterName: NAME,
    runDir,
    workers: 3,
    nodeImage,
    registryMirror: false,
    engine: more.engine ?? 'docker',
    env: bin.env(),
    nodesReadyTimeoutMs: 1_500,
    nodesReadyIntervalMs: 50,
    ...(more.log ? { log: (line: string) => more.log?.push(line) } : {}),
  });
}

const lines = async () => (await (bin as StandInBin).calls()).map((c) => [c.tool, ...c.argv].join(' '));

describe('kind provider', () => {
  it('creates the cluster with its own config and kubeconfig in the run folder, waiting for the control plane', async () => {
    seedNodes(api, 4);
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
    seedNodes(api, 4);
    const kind = await provider([]);
    await kind.up(new AbortController().signal);
    expect((await lines())[1]).not.toContain('--image');
  });

  it('reuses a live cluster of the same name, exporting its kubeconfig into the run folder', async () => {
    seedNodes(api, 4);
    const kind = await provider([
      { match: ['get', 'clusters'], stdout: `${NAME}\n` },
      {
        match: ['export', 'kubeconfig'],
        writeFile: { afterFlag: '--kubeconfig', content: api.kubeconfig() },
      },
    ]);
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
      'docker info --format {{json .}}',
      'docker image inspect docker.io/curlimages/curl:8.16.0',
      'docker pull docker.io/curlimages/curl:8.16.0',
      'docker image inspect registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3',
      `kind load docker-image --name ${NAME} docker.io/curlimages/curl:8.16.0 registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3`,
    ]);
  });

  it('waits until every node is Ready, not only the control plane kind waited for', async () => {
    seedNodes(api, 4, 'False');
    let nodeLists = 0;
    api.onRequest = (request) => {
      if (request.method === 'GET' && request.path === '/api/v1/nodes' && ++nodeLists === 3)
        seedNodes(api, 4);
    };
    const log: string[] = [];
    const kind = await provider([], DOCKER_UP, undefined, { log });
    await kind.up(new AbortController().signal);
    expect(nodeLists).toBeGreaterThanOrEqual(3);
    expect(log).toContain('4/4 nodes Ready');
  });

  it('fails with the node conditions when workers stay NotReady', async () => {
    seedNodes(api, 4, 'False');
    const kind = await provider([]);
    await expect(kind.up(new AbortController().signal)).rejects.toThrow(
      /waiting for all 4 kind nodes Ready; last seen: 0\/4 nodes Ready; aus-control-plane: Ready=False \(KubeletNotReady: container runtime network not ready: cni plugin not initialized\)/,
    );
  });

  it('streams kind create output as progress and bounds it with a timeout', async () => {
    seedNodes(api, 4);
    const log: string[] = [];
    const kind = await provider(
      [
        {
          match: ['create', 'cluster'],
          stderr: 'Creating cluster "x" ...\n ✓ Ensuring node image\n',
          writeFile: { afterFlag: '--kubeconfig', content: api.kubeconfig() },
        },
      ],
      DOCKER_UP,
      undefined,
      { log },
    );
    await kind.up(new AbortController().signal);
    expect(log.slice(0, 2)).toEqual(['kind: Creating cluster "x" ...', 'kind: ✓ Ensuring node image']);
  });

  it('with the containerd image store (Docker ≥ 28): pulls and saves one platform, loads the archive, removes it', async () => {
    const info = JSON.stringify({
      ServerVersion: '29.0.1',
      Architecture: 'aarch64',
      DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
    });
    const kind = await provider(
      [],
      [
        { match: ['info'], stdout: info },
        { match: ['image', 'inspect'], exitCode: 1 },
      ],
    );
    await kind.loadImages(['curlimages/curl:8.16.0', 'nginx'], new AbortController().signal);
    const archive = join(runDir, 'images.tar');
    expect(await lines()).toEqual([
      'docker info --format {{json .}}',
      'docker image inspect docker.io/curlimages/curl:8.16.0',
      'docker pull --platform linux/arm64 docker.io/curlimages/curl:8.16.0',
      'docker image inspect docker.io/library/nginx:latest',
      'docker pull --platform linux/arm64 docker.io/library/nginx:latest',
      `docker save --platform linux/arm64 -o ${archive} docker.io/curlimages/curl:8.16.0 docker.io/library/nginx:latest`,
      `kind load image-archive ${archive} --name ${NAME}`,
    ]);
    expect(existsSync(archive)).toBe(false);
  });

  it('with podman: saves every image (fully qualified) into one multi-image archive, loads it, removes it', async () => {
    const kind = await provider([], DOCKER_UP, undefined, {
      engine: 'podman',
      podman: [
        { match: ['image', 'inspect'], exitCode: 0 },
        // The stand-in writes the archive podman would, so its removal is visible.
        { match: ['save'], writeFile: { afterFlag: '-o', content: 'tar' } },
      ],
    });
    await kind.loadImages(
      ['curlimages/curl:8.16.0', 'registry.istio.io/release/examples-bookinfo-reviews-v1:1.20.3'],
      new AbortController().signal,
    );
    const archive = join(runDir, 'images.tar');
    expect(await lines()).toEqual([
      'podman image inspect docker.io/curlimages/curl:8.16.0',
      'podman image inspect registry.istio.io/release/examples-bookinfo-reviews-v1:1.20.3',
      `podman save -m -o ${archive} docker.io/curlimages/curl:8.16.0 registry.istio.io/release/examples-bookinfo-reviews-v1:1.20.3`,
      `kind load image-archive ${archive} --name ${NAME}`,
    ]);
    expect(existsSync(archive)).toBe(false);
  });

  it('fails a hung pull with the command and its last output once its timeout passes', async () => {
    const { runToolOrThrow } = await import('../../../clusters/tools.ts');
    bin = await createStandInBin({ docker: [{ match: ['pull'], stdout: 'Pulling fs layer\n', hang: true }] });
    await expect(
      runToolOrThrow('docker', ['pull', 'docker.io/library/nginx:latest'], {
        env: bin.env(),
        timeoutMs: 1_000,
      }),
    ).rejects.toThrow(
      'docker pull docker.io/library/nginx:latest timed out after 1s; last output: Pulling fs layer',
    );
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
