import { copyFile, cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTROL_PLANE_ONLY } from '../../helpers/capabilities.ts';
import { NO_FACTS } from '../facts.ts';
import type { ClusterHandle, ClusterProvider, InstallSupport, InstallSupporter } from '../types.ts';
import type { KwokBinaries, KwokVersions } from './binaries.ts';
import { type KwokCluster, startKwokCluster } from './cluster.ts';
import { DISABLED_ADMISSION_PLUGINS, type PodStages } from './config.ts';
import { destroyNetns } from './netns.ts';
import { type OperatorProcess, startSailOperator } from './operator.ts';

export interface KwokOptions {
  /** Cluster and network-namespace name, `aus-<runId>`. */
  readonly clusterName: string;
  readonly runDir: string;
  readonly workers: number;
  readonly stages: PodStages;
  readonly versions: KwokVersions;
  readonly binaries: KwokBinaries;
  /** `--operator-chart <dir>`: a local Sail chart instead of the one built beside the operator binary. */
  readonly operatorChart?: string;
  readonly log?: (line: string) => void;
}

/**
 * `--provider kwok`: the real kube-apiserver, controller-manager, scheduler and etcd (kwokctl binary runtime)
 * with fake kwok nodes, all inside a loopback-only network namespace; the real Sail operator runs as a process
 * there with its chart ServiceAccount's token. No data plane: pods are kwok's, nothing in them runs.
 */
export class KwokProvider implements ClusterProvider, InstallSupporter {
  readonly name = 'kwok' as const;
  /** Neither `data-plane` nor `istiod-controller`: kwok pods run nothing, no istiod serves. */
  readonly capabilities = CONTROL_PLANE_ONLY;
  readonly kubeconfigPath: string;
  readonly #o: KwokOptions;
  #cluster: KwokCluster | undefined;
  #operator: OperatorProcess | undefined;

  constructor(options: KwokOptions) {
    this.#o = options;
    this.kubeconfigPath = join(options.runDir, 'kubeconfig');
  }

  describe(): string {
    const o = this.#o;
    return `kwok cluster ${o.clusterName} (Kubernetes ${o.versions.kubernetes}, 1 control-plane + ${o.workers} fake workers, ${o.stages} pod stages, network namespace ${o.clusterName}, admission webhooks off)`;
  }

  async up(signal: AbortSignal): Promise<ClusterHandle> {
    const o = this.#o;
    await mkdir(o.runDir, { recursive: true });
    this.#cluster = await startKwokCluster({
      name: o.clusterName,
      workDir: o.runDir,
      workers: o.workers,
      stages: o.stages,
      binaries: o.binaries,
      versions: o.versions,
      signal,
      ...(o.log ? { log: o.log } : {}),
    });
    return { provider: 'kwok', name: o.clusterName, kubeconfigPath: this.kubeconfigPath, facts: NO_FACTS };
  }

  installSupport(): InstallSupport {
    const o = this.#o;
    return {
      helmBinary: o.binaries.helm,
      operatorChart: o.operatorChart ?? o.binaries.sailChart,
      gatewayApiBundle: o.binaries.gatewayApiBundle,
      manifestsDir: o.binaries.istioSamples,
      seedCache: async (cacheDir) => {
        // The fetch-cache layout of helpers/mesh/crds.ts and loadGatewayApiBundle: nothing is downloaded.
        const sail = join(cacheDir, 'crds', 'sail-operator', o.versions.sailOperator);
        await mkdir(sail, { recursive: true });
        const crds = join(o.operatorChart ?? o.binaries.sailChart, 'crds');
        for (const file of await readdir(crds)) await copyFile(join(crds, file), join(sail, file));
        for (const root of [join(cacheDir, 'crds'), join(cacheDir, 'gateway-api')]) {
          const dir = join(root, 'gateway-api', o.versions.gatewayApi);
          await mkdir(dir, { recursive: true });
          await copyFile(o.binaries.gatewayApiBundle, join(dir, 'standard-install.yaml'));
        }
      },
      notes: [
        `admission plugins ${DISABLED_ADMISSION_PLUGINS.join(', ')} disabled on the kwok apiserver (no istiod answers the chart's webhooks)`,
        'pods are kwok fakes: nothing runs in them (no istiod serving xDS, no ztunnel, no Envoy, no traffic)',
      ],
      startOperator: async (signal) => {
        const cluster = this.#cluster;
        if (!cluster) throw new Error('kwok cluster is not up');
        this.#operator = await startSailOperator({
          cluster,
          binaries: o.binaries,
          workDir: o.runDir,
          signal,
        });
        return { describe: this.#operator.describe(), logPath: this.#operator.logPath };
      },
    };
  }

  async exportLogs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const logs = join(this.#o.runDir, 'kwok', 'clusters', this.#o.clusterName, 'logs');
    await cp(logs, join(dir, 'kwok-components'), { recursive: true }).catch(() => undefined);
    if (this.#operator)
      await cp(this.#operator.logPath, join(dir, 'sail-operator.log')).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.#operator?.stop();
    await this.#cluster?.stop();
    // Backstop for a half-made cluster: whatever still runs in the namespace is ours and is stopped.
    await destroyNetns(this.#o.clusterName);
  }
}
