import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrerequisiteError } from '../clusters/kind/prerequisites.ts';
import type { Kube } from '../helpers/k8s/client.ts';
import type { Inventory } from '../helpers/k8s/inventory.ts';
import { getObject } from '../helpers/k8s/read.ts';
import { describeRef, type ObjectRef, refOf } from '../helpers/k8s/types.ts';
import { loadCrds } from '../helpers/mesh/crds.ts';
import {
  decideGatewayApi,
  type GatewayApiDecision,
  readGatewayApiCrds,
} from '../helpers/mesh/gateway-api-crds.ts';
import {
  GATEWAY_API_VERSION,
  type InstallWaitOptions,
  installGatewayApiCrds,
  loadGatewayApiBundle,
} from '../helpers/mesh/install.ts';
import type { MeshKube } from '../helpers/mesh/kube.ts';
import { ISTIO_CRD, operatorCapabilityProblems, ZTUNNEL_CRD } from '../helpers/mesh/operator-capabilities.ts';
import { findConflicts } from '../helpers/mesh/preflight.ts';
import { loadSamples, type Samples } from '../helpers/mesh/samples.ts';
import { findScenario } from '../helpers/plan/index.ts';
import { renderPlan } from '../helpers/plan/render.ts';
import type { ScenarioName } from '../helpers/plan/types.ts';
import { progress } from '../helpers/report/progress.ts';
import {
  defaultUpgradePath,
  formatSail,
  parseVersion,
  supportedVersionsFromCrd,
  type Version,
} from '../helpers/versions/index.ts';
import type { LaunchOptions } from './launch-contract.ts';

export interface ClusterPreflightInput {
  readonly runId: string;
  readonly openshift: boolean;
  /** The operator is already on the cluster (OLM, OSSM 3, a Deployment): its CRDs are the ones that count. */
  readonly operatorPreinstalled: boolean;
  readonly operatorVersion: string;
  /** Run scenario names; `smoke` creates what `inplace` creates. */
  readonly scenarios: readonly string[];
  readonly workers: number;
  readonly from?: string;
  readonly to?: string;
  readonly allowSkew: boolean;
  readonly cacheDir: string;
  readonly manifestsDir?: string;
  /** `--kubeconfig … --context … --allow-cluster …`, for the cleanup command a conflict suggests. */
  readonly cleanupFlags: string;
}

export interface ClusterPreflight {
  readonly from: Version;
  readonly to: Version;
  readonly samples: Samples;
  readonly gatewayApi: Exclude<GatewayApiDecision, { action: 'refuse' }>;
  /** The Sail CRDs were already on the cluster: the run uses them as found and never re-applies them. */
  readonly sailCrdsFound: boolean;
  /** What was found, for the run's report (Gateway API, operator source). */
  readonly notes: string[];
}

const crdRef = (name: string): ObjectRef => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  name,
});

/**
 * Everything checked before the run creates anything, reads only: the operator's capabilities (from the
 * installed CRDs, or the CRDs of the release it would install), the versions, the Gateway API CRDs already there,
 * and every object the selected scenarios would create or force-apply (from their rendered plans) that already
 * exists without this run's label. All problems come together, one line each (exit 2).
 */
export async function preflightCluster(kube: Kube, input: ClusterPreflightInput): Promise<ClusterPreflight> {
  const problems: string[] = [];
  const [liveIstio, liveZtunnel] = await Promise.all([
    getObject(kube, crdRef(ISTIO_CRD)),
    getObject(kube, crdRef(ZTUNNEL_CRD)),
  ]);
  let crds: { istio: unknown; ztunnel: unknown };
  let source: string;
  if (liveIstio !== undefined || input.operatorPreinstalled) {
    crds = { istio: liveIstio, ztunnel: liveZtunnel };
    source = 'the installed Sail operator';
  } else {
    const release = await loadCrds({
      operatorVersion: input.operatorVersion,
      gatewayApiVersion: GATEWAY_API_VERSION,
      cacheDir: join(input.cacheDir, 'crds'),
    });
    const named = (name: string) => release.find((c) => c.metadata.name === name);
    crds = { istio: named(ISTIO_CRD), ztunnel: named(ZTUNNEL_CRD) };
    source = `Sail operator ${input.operatorVersion}`;
  }
  let versions: { from: Version; to: Version } | undefined;
  try {
    versions = pickVersions(crds.istio, input);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (versions) problems.push(...operatorCapabilityProblems(crds, versions, source));
  if (!versions || problems.length > 0) throw new PrerequisiteError(problems);

  const gatewayApi = decideGatewayApi(await readGatewayApiCrds(kube), {
    openshift: input.openshift,
    ...versions,
    installs: GATEWAY_API_VERSION,
  });
  if (gatewayApi.action === 'refuse') problems.push(gatewayApi.line);

  const samples = await loadSamples(formatSail(versions.from), {
    cacheDir: join(input.cacheDir, 'samples'),
    ...(input.manifestsDir ? { manifestsDir: input.manifestsDir } : {}),
  });
  const planScenarios = [...new Set(input.scenarios.map((s) => (s === 'smoke' ? 'inplace' : s)))].filter(
    (s): s is ScenarioName => findScenario(s) !== undefined,
  );
  const planned = planScenarios.flatMap((scenario) =>
    renderPlan(scenario, {
      ...versions,
      workers: input.workers,
      samples,
      // The probe program's bytes do not change which objects a plan creates.
      probeBundle: 'preflight',
      allowSkew: input.allowSkew,
      runId: input.runId,
    }).steps.flatMap((step) => (step.action === 'apply' ? step.objects.map(refOf) : [])),
  );
  const conflicts = await findConflicts(kube, {
    planned,
    runId: input.runId,
    cleanupFlags: input.cleanupFlags,
    ...(input.operatorPreinstalled
      ? {}
      : { helmRelease: { name: 'sail-operator', namespace: 'sail-operator' } }),
  });
  problems.push(...conflicts.map((c) => c.line));
  if (problems.length > 0 || gatewayApi.action === 'refuse') throw new PrerequisiteError(problems);
  return {
    ...versions,
    samples,
    gatewayApi,
    sailCrdsFound: liveIstio !== undefined,
    notes: [`Gateway API: ${gatewayApi.detail}`, `operator capabilities read from ${source}`],
  };
}

function pickVersions(
  istioCrd: unknown,
  given: { from?: string; to?: string },
): { from: Version; to: Version } {
  const supported = supportedVersionsFromCrd(istioCrd);
  const path = () => defaultUpgradePath(supported, { kind: 'minor' });
  return {
    from: given.from ? parseVersion(given.from) : path().from,
    to: given.to ? parseVersion(given.to) : path().to,
  };
}

/** The preflight's input from what `run` handed over. */
export function preflightInput(
  options: LaunchOptions,
  cluster: { cacheDir: string; workers: number },
): ClusterPreflightInput {
  const context = options.context ? ` --context ${options.context} --allow-cluster ${options.context}` : '';
  return {
    runId: options.runId,
    openshift: options.facts.openshift,
    operatorPreinstalled: options.facts.operatorPreinstalled !== undefined,
    operatorVersion: options.operatorVersion,
    scenarios: options.scenarios,
    workers: cluster.workers,
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    allowSkew: options.allowSkew,
    cacheDir: cluster.cacheDir,
    ...(options.manifestsDir ? { manifestsDir: options.manifestsDir } : {}),
    cleanupFlags: `--kubeconfig ${options.kubeconfigPath}${context}`,
  };
}

/**
 * The Gateway API CRDs as the preflight decided: installed (recorded in the inventory as kept, never deleted) or
 * left as the cluster has them.
 */
export async function installClusterPieces(
  mesh: MeshKube,
  inventory: Inventory,
  decision: ClusterPreflight['gatewayApi'],
  wait: InstallWaitOptions,
  cacheDir: string,
): Promise<void> {
  if (decision.action === 'skip') {
    await progress.task(`keep the cluster's Gateway API CRDs (${decision.detail})`, async () => {});
    return;
  }
  await progress.task(`install Gateway API CRDs ${GATEWAY_API_VERSION} (standard channel)`, async () => {
    const objects = await loadGatewayApiBundle({ cacheDir: join(cacheDir, 'gateway-api') });
    await inventory.record({ type: 'crds', names: objects.map((o) => describeRef(refOf(o))) });
    await installGatewayApiCrds(mesh, { objects }, wait);
  });
}

/** `reports/cluster-checks.json`: what the preflight found (Gateway API CRDs, where the operator's API was read). */
export async function writeClusterChecks(reportsDir: string, checked: ClusterPreflight): Promise<void> {
  await mkdir(reportsDir, { recursive: true });
  const record = { gatewayApi: checked.gatewayApi, notes: checked.notes };
  await writeFile(join(reportsDir, 'cluster-checks.json'), `${JSON.stringify(record, null, 2)}\n`);
}
