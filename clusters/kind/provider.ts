import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_CAPABILITIES } from '../../helpers/capabilities.ts';
import { type ContainerEngine, kindEnv } from '../container-engine.ts';
import { NO_FACTS } from '../facts.ts';
import { ensureRegistryMirror } from '../registry-mirror.ts';
import { runToolOrThrow } from '../tools.ts';
import type { ClusterHandle, ClusterProvider, ImageLoader, KeepInstructions } from '../types.ts';
import { CONTAINERD_CERTS_DIR, mirrorHostsToml, renderKindConfig } from './config.ts';
import { dockerLoadMethod, qualifyImage } from './images.ts';
import type { PinnedNodeImage } from './node-images.ts';

export interface KindOptions {
  readonly clusterName: string;
  readonly runDir: string;
  readonly workers: number;
  /** Undefined: the installed kind release's own (digest-pinned) default node image. */
  readonly nodeImage: PinnedNodeImage | undefined;
  readonly registryMirror: boolean;
  readonly engine: ContainerEngine;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** How long every node gets to be Ready after `kind create`; `NODES_READY_TIMEOUT_MS` by default. */
  readonly nodesReadyTimeoutMs?: number;
  /** `--timeout-scale`: multiplies the Ready wait (slow machines). */
  readonly timeoutScale?: number;
  /** Poll interval of the Ready wait (tests). */
  readonly nodesReadyIntervalMs?: number;
}

/** How long kind waits for the control plane to be Ready before giving up (`kind create cluster --wait`). */
export const KIND_WAIT = '5m';

/**
 * Bounds on the long steps, so a hung daemon fails with the command and its last output instead of hanging the
 * run: node image pull + create + kind's own 5 min wait; one image pull; one save or load of every image.
 */
export const KIND_TIMEOUTS_MS = { create: 15 * 60_000, pull: 10 * 60_000, load: 10 * 60_000 } as const;

/** The kind command lines, kept pure so tests can read them without running kind. */
export const kindArgs = {
  getClusters: (): string[] => ['get', 'clusters'],
  create: (o: {
    name: string;
    configPath: string;
    kubeconfigPath: string;
    nodeImage: string | undefined;
  }): string[] => [
    'create',
    'cluster',
    '--name',
    o.name,
    '--config',
    o.configPath,
    // Never the user's default kubeconfig: the run folder owns this one.
    '--kubeconfig',
    o.kubeconfigPath,
    '--wait',
    KIND_WAIT,
    ...(o.nodeImage ? ['--image', o.nodeImage] : []),
  ],
  exportKubeconfig: (name: string, kubeconfigPath: string): string[] => [
    'export',
    'kubeconfig',
    '--name',
    name,
    '--kubeconfig',
    kubeconfigPath,
  ],
  delete: (name: string, kubeconfigPath?: string): string[] => [
    'delete',
    'cluster',
    '--name',
    name,
    ...(kubeconfigPath ? ['--kubeconfig', kubeconfigPath] : []),
  ],
  exportLogs: (name: string, dir: string): string[] => ['export', 'logs', dir, '--name', name],
  getNodes: (name: string): string[] => ['get', 'nodes', '--name', name],
  loadDockerImage: (name: string, images: readonly string[]): string[] => [
    'load',
    'docker-image',
    '--name',
    name,
    ...images,
  ],
  loadArchive: (name: string, archive: string): string[] => [
    'load',
    'image-archive',
    archive,
    '--name',
    name,
  ],
};

export async function listKindClusters(env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<string[]> {
  const result = await runToolOrThrow('kind', kindArgs.getClusters(), { env, ...(signal ? { signal } : {}) });
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export async function deleteKindCluster(
  name: string,
  env: NodeJS.ProcessEnv,
  options: { kubeconfigPath?: string; signal?: AbortSignal } = {},
): Promise<void> {
  // kind exits 0 when the cluster is already gone, so this is safe to run from every cleanup path. With the run's
  // own kubeconfig, kind edits (and locks) that file instead of the user's ~/.kube/config.
  await runToolOrThrow('kind', kindArgs.delete(name, options.kubeconfigPath), {
    env,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

export class KindProvider implements ClusterProvider, ImageLoader, KeepInstructions {
  readonly name = 'kind' as const;
  /** Real nodes running real pods, and istiod as the mesh runs it. */
  readonly capabilities = ALL_CAPABILITIES;
  readonly kubeconfigPath: string;
  readonly #o: KindOptions;
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: KindOptions) {
    this.#o = options;
    this.kubeconfigPath = join(options.runDir, 'kubeconfig');
    this.#env = kindEnv(options.engine, options.env);
  }

  get clusterName(): string {
    return this.#o.clusterName;
  }

  describe(): string {
    const image = this.#o.nodeImage ?? "kind's default node image";
    const mirror = this.#o.registryMirror ? ', registry mirror' : '';
    return `kind cluster ${this.#o.clusterName} (1 control-plane + ${this.#o.workers} workers, ${image}, ${this.#o.engine}${mirror})`;
  }

  async up(signal: AbortSignal): Promise<ClusterHandle> {
    const name = this.#o.clusterName;
    await mkdir(this.#o.runDir, { recursive: true });
    const live = await listKindClusters(this.#env, signal);
    if (live.includes(name)) {
      this.#o.log?.(`reusing live kind cluster ${name}`);
      await runToolOrThrow('kind', kindArgs.exportKubeconfig(name, this.kubeconfigPath), {
        env: this.#env,
        signal,
      });
    } else {
      const configPath = join(this.#o.runDir, 'kind-config.yaml');
      await writeFile(
        configPath,
        renderKindConfig({ workers: this.#o.workers, registryMirror: this.#o.registryMirror }),
      );
      // kind prints one line per stage (node image, nodes, control plane, CNI, …): pass them on as progress.
      await runToolOrThrow(
        'kind',
        kindArgs.create({
          name,
          configPath,
          kubeconfigPath: this.kubeconfigPath,
          nodeImage: this.#o.nodeImage,
        }),
        {
          env: this.#env,
          signal,
          timeoutMs: KIND_TIMEOUTS_MS.create,
          onLine: (line) => this.#progress('kind', line),
        },
      );
    }
    if (this.#o.registryMirror) await this.#wireMirror(signal);
    await this.#waitForNodes(signal);
    return { provider: 'kind', name, kubeconfigPath: this.kubeconfigPath, facts: NO_FACTS };
  }

  #progress(tool: string, line: string): void {
    const text = line.trim();
    if (text !== '') this.#o.log?.(`${tool}: ${text}`);
  }

  /** `--wait` covers the control plane only (and exits 0 when it runs out): wait here for every node. */
  async #waitForNodes(signal: AbortSignal): Promise<void> {
    const { NODES_READY_TIMEOUT_MS, waitForNodesReady } = await import('./nodes-ready.ts');
    const expected = this.#o.workers + 1;
    const ready = await waitForNodesReady(this.kubeconfigPath, {
      expected,
      signal,
      timeoutMs: (this.#o.nodesReadyTimeoutMs ?? NODES_READY_TIMEOUT_MS) * (this.#o.timeoutScale ?? 1),
      ...(this.#o.nodesReadyIntervalMs !== undefined ? { intervalMs: this.#o.nodesReadyIntervalMs } : {}),
    });
    this.#o.log?.(ready.detail);
  }

  async #wireMirror(signal: AbortSignal): Promise<void> {
    const mirror = await ensureRegistryMirror({ engine: this.#o.engine, env: this.#env, signal });
    const nodes = await runToolOrThrow('kind', kindArgs.getNodes(this.#o.clusterName), {
      env: this.#env,
      signal,
    });
    const dir = `${CONTAINERD_CERTS_DIR}/docker.io`;
    for (const node of nodes.stdout
      .split('\n')
      .map((n) => n.trim())
      .filter((n) => n !== '')) {
      await runToolOrThrow(this.#o.engine, ['exec', node, 'mkdir', '-p', dir], { env: this.#env, signal });
      await runToolOrThrow(this.#o.engine, ['exec', '-i', node, 'tee', `${dir}/hosts.toml`], {
        env: this.#env,
        signal,
        input: mirrorHostsToml(mirror.url),
      });
    }
  }

  async destroy(signal?: AbortSignal): Promise<void> {
    await deleteKindCluster(this.#o.clusterName, this.#env, {
      kubeconfigPath: this.kubeconfigPath,
      ...(signal ? { signal } : {}),
    });
  }

  async exportLogs(dir: string, signal?: AbortSignal): Promise<void> {
    await runToolOrThrow('kind', kindArgs.exportLogs(this.#o.clusterName, dir), {
      env: this.#env,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Pulls each image the engine lacks (fully qualified, one progress line each), then loads them all into every
   * node the way this engine allows (see `dockerLoadMethod`); an archive is removed once loaded.
   */
  async loadImages(images: readonly string[], signal: AbortSignal): Promise<void> {
    if (images.length === 0) return;
    const engine = this.#o.engine;
    const names = [...new Set(images.map(qualifyImage))];
    const run = (command: string, args: string[], timeoutMs: number) =>
      runToolOrThrow(command, args, { env: this.#env, signal, timeoutMs });
    const docker = engine === 'docker' ? await this.#dockerMethod(signal) : undefined;
    const platform = docker?.kind === 'platform-archive' ? ['--platform', docker.platform] : [];
    for (const [index, image] of names.entries()) {
      const present = await runToolOrThrow(engine, ['image', 'inspect', image], {
        env: this.#env,
        signal,
        timeoutMs: 30_000,
      }).then(
        () => true,
        () => false,
      );
      if (present) continue;
      this.#o.log?.(`pull ${image} (${index + 1}/${names.length})`);
      await run(engine, ['pull', ...platform, image], KIND_TIMEOUTS_MS.pull);
    }
    if (docker?.kind === 'docker-image' || docker?.kind === 'docker-image-old-engine') {
      if (docker.kind === 'docker-image-old-engine') {
        this.#o.log?.(
          `Docker ${docker.serverVersion} uses the containerd image store but has no \`docker save --platform\` (Docker ≥ 28): if loading fails with "content digest … not found", update Docker or turn the containerd image store off`,
        );
      }
      this.#o.log?.(`load ${names.length} images into the nodes (kind load docker-image)`);
      await run('kind', kindArgs.loadDockerImage(this.#o.clusterName, names), KIND_TIMEOUTS_MS.load);
      return;
    }
    // One archive of every image: podman needs -m (--multi-image-archive) for several, or every tag in the
    // archive points at the first image; Docker's containerd store needs a single platform.
    const archive = join(this.#o.runDir, 'images.tar');
    const save =
      engine === 'podman'
        ? ['save', '-m', '-o', archive, ...names]
        : ['save', ...platform, '-o', archive, ...names];
    try {
      this.#o.log?.(`save ${names.length} images to ${archive}`);
      await run(engine, save, KIND_TIMEOUTS_MS.load);
      this.#o.log?.(`load ${names.length} images into the nodes (kind load image-archive)`);
      await run('kind', kindArgs.loadArchive(this.#o.clusterName, archive), KIND_TIMEOUTS_MS.load);
    } finally {
      await rm(archive, { force: true });
    }
  }

  async #dockerMethod(signal: AbortSignal) {
    const info = await runToolOrThrow('docker', ['info', '--format', '{{json .}}'], {
      env: this.#env,
      signal,
      timeoutMs: 30_000,
    });
    return dockerLoadMethod(info.stdout);
  }

  keepInstructions(runId: string): string[] {
    return [
      `kept kind cluster ${this.#o.clusterName}. To use it:`,
      `  export KUBECONFIG=${this.kubeconfigPath}`,
      '  kubectl get pods -A',
      'To delete it:',
      `  npx ambient-upgrade cleanup --run ${runId}`,
      `  (or: kind delete cluster --name ${this.#o.clusterName})`,
    ];
  }
}
