/**
 * A real control plane for tests: kube-apiserver, controller-manager, scheduler and etcd (kwokctl binary
 * runtime) with kwok fake nodes, inside a loopback-only network namespace of its own; optionally the Gateway API
 * CRDs, the Sail chart (Helm) and the real Sail operator process with its ServiceAccount token.
 *
 *   const reason = await controlPlaneSkipReason();
 *   describe.skipIf(reason !== undefined)(`… ${reason ?? ''}`, () => {
 *     let cp: ControlPlane;
 *     beforeAll(async () => { cp = await startControlPlane({ operator: true }); }, 300_000);
 *     afterAll(() => cp?.stop());
 *   });
 *
 * Skipped, with the reason, when not root or when clusters/kwok/build/build.sh has not built the binaries.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KwokCluster, startKwokCluster } from '../../clusters/kwok/cluster.ts';
import type { PodStages } from '../../clusters/kwok/config.ts';
import { type OperatorProcess, startSailOperator } from '../../clusters/kwok/operator.ts';
import { type KwokReady, kwokUnavailableReason } from '../../clusters/kwok/prerequisites.ts';
import { connect, type Kube } from '../../helpers/k8s/client.ts';
import { installGatewayApiCrds, installSailOperator, parseManifest } from '../../helpers/mesh/install.ts';
import { meshKube } from '../../helpers/mesh/kube-adapter.ts';

export interface ControlPlane {
  readonly kubeconfigPath: string;
  readonly kube: Kube;
  readonly cluster: KwokCluster;
  readonly ready: KwokReady;
  /** Present with `operator: true`: the real Sail operator process and its log. */
  readonly operator: OperatorProcess | undefined;
  readonly workDir: string;
  /** Stops the operator and every component, deletes the namespace and the work folder. */
  stop(): Promise<void>;
}

let counter = 0;

/** Why the real control plane cannot run here, or undefined. */
export async function controlPlaneSkipReason(): Promise<string | undefined> {
  // CI's fresh-clone check runs `npm test` a second time in a throw-away clone; the control-plane tests have just
  // run in the main checkout, so it says so here instead of spending ten more minutes on the same binaries.
  const elsewhere = process.env.AUS_CONTROL_PLANE_TESTS_RAN_IN;
  if (elsewhere) return `the real control-plane tests ran in ${elsewhere} in this CI run`;
  const result = await kwokUnavailableReason();
  return 'reason' in result ? result.reason : undefined;
}

export async function startControlPlane(
  options: { workers?: number; stages?: PodStages; operator?: boolean; keepWorkDir?: boolean } = {},
): Promise<ControlPlane> {
  const ready = await kwokUnavailableReason();
  if ('reason' in ready) throw new Error(ready.reason);
  const workDir = await mkdtemp(join(tmpdir(), 'aus-cp-'));
  // Short and unique per process: it names the network namespace too.
  const name = `aus-t${process.pid.toString(36)}${(counter++).toString(36)}`;
  const cluster = await startKwokCluster({
    name,
    workDir,
    workers: options.workers ?? 2,
    stages: options.stages ?? 'fast',
    binaries: ready.binaries,
    versions: ready.versions,
  });
  const kube = connect({ kubeconfigPath: cluster.kubeconfigPath });
  let operator: OperatorProcess | undefined;
  const stop = async () => {
    await operator?.stop();
    await cluster.stop();
    if (!options.keepWorkDir) await rm(workDir, { recursive: true, force: true });
  };
  try {
    if (options.operator) {
      const mesh = meshKube(kube);
      const wait = { timeoutMs: 120_000 };
      const bundle = ready.binaries.gatewayApiBundle;
      await installGatewayApiCrds(
        mesh,
        { objects: parseManifest(await readFile(bundle, 'utf8'), bundle) },
        wait,
      );
      await installSailOperator(
        mesh,
        {
          kubeconfig: cluster.kubeconfigPath,
          version: ready.versions.sailOperator,
          chart: ready.binaries.sailChart,
          helmBinary: ready.binaries.helm,
          alreadyInstalled: false,
        },
        wait,
      );
      operator = await startSailOperator({ cluster, binaries: ready.binaries, workDir });
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { kubeconfigPath: cluster.kubeconfigPath, kube, cluster, ready, operator, workDir, stop };
}
