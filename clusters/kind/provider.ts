import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_CAPABILITIES } from '../../helpers/capabilities.ts';
import { type ContainerEngine, kindEnv } from '../container-engine.ts';
import { NO_FACTS } from '../facts.ts';
import { startRegistryMirror } from '../registry-mirror.ts';
import { runToolOrThrow } from '../tools.ts';
import type { ClusterHandle, ClusterProvider, ImageLoader, KeepInstructions } from '../types.ts';
import { CONTAINERD_CERTS_DIR, mirrorHostsToml, renderKindConfig } from './config.ts';
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
}

/** How long kind waits for the control plane to be Ready before giving up (`kind create cluster --wait`). */
export const KIND_WAIT = '5m';

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
      await runToolOrThrow(
        'kind',
        kindArgs.create({
          name,
          configPath,
          kubeconfigPath: this.kubeconfigPath,
          nodeImage: this.#o.nodeImage,
        }),
        { env: this.#env, signal },
      );
    }
    if (this.#o.registryMirror) await this.#wireMirror(signal);
    return { provider: 'kind', name, kubeconfigPath: this.kubeconfigPath, facts: NO_FACTS };
  }

  async #wireMirror(signal: AbortSignal): Promise<void> {
    const mirror = await startRegistryMirror();
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

  /** Pulls each image once into the local engine, then loads them all into every node. */
  async loadImages(images: readonly string[], signal: AbortSignal): Promise<void> {
    if (images.length === 0) return;
    const engine = this.#o.engine;
    for (const image of images) {
      const present = await runToolOrThrow(engine, ['image', 'inspect', image], {
        env: this.#env,
        signal,
      }).then(
        () => true,
        () => false,
      );
      if (!present) await runToolOrThrow(engine, ['pull', image], { env: this.#env, signal });
    }
    if (engine === 'docker') {
      await runToolOrThrow('kind', kindArgs.loadDockerImage(this.#o.clusterName, images), {
        env: this.#env,
        signal,
      });
      return;
    }
    // kind cannot read podman's image store directly; an archive works for both.
    const archive = join(this.#o.runDir, 'images.tar');
    await runToolOrThrow(engine, ['save', '-o', archive, ...images], { env: this.#env, signal });
    await runToolOrThrow('kind', kindArgs.loadArchive(this.#o.clusterName, archive), {
      env: this.#env,
      signal,
    });
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
