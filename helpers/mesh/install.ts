import { join } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import type { Inventory } from '../k8s/inventory.ts';
import type { KubeObject } from '../k8s/types.ts';
import { waitFor } from '../k8s/wait.ts';
import { gatewayApiInstallUrl } from './crds.ts';
import { type FetchText, fetchWithCache } from './fetch-cache.ts';
import { Condition, conditionOf, describeConditions } from './k8s-shapes.ts';
import type { MeshKube } from './kube.ts';
import { deploymentRolledOut, type Readiness } from './readiness.ts';

// ---- Gateway API CRDs (FACTS §3) ----

export const GATEWAY_API_VERSION = 'v1.6.1';

/** Objects of a multi-document manifest; empty documents dropped, anything not an object rejected. */
export function parseManifest(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const object = z
      .object({ apiVersion: z.string(), kind: z.string(), metadata: z.object({ name: z.string() }).loose() })
      .loose()
      .safeParse(value);
    if (!object.success) throw new Error(`${source}: a document is not a Kubernetes object`);
    out.push(object.data as KubeObject);
  }
  return out;
}

/**
 * The Gateway API standard bundle (CRDs + the safe-upgrades ValidatingAdmissionPolicy): from the cache when
 * present, else downloaded once from the release URL. Shares `crds.ts`'s cache layout, so the schema loader and
 * the installer read the same bytes.
 */
export async function loadGatewayApiBundle(
  options: { cacheDir?: string; version?: string; fetch?: FetchText } = {},
): Promise<KubeObject[]> {
  const version = options.version ?? GATEWAY_API_VERSION;
  const cachePath = join(
    options.cacheDir ?? join('.cache', 'crds'),
    'gateway-api',
    version,
    'standard-install.yaml',
  );
  const text = await fetchWithCache({
    url: gatewayApiInstallUrl(version),
    cachePath,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    fix: 'run once with network access, or pass the Gateway API objects in',
  });
  return parseManifest(text, cachePath);
}

const CrdShape = z.object({
  metadata: z.object({ name: z.string() }),
  status: z.object({ conditions: z.array(Condition).optional() }).default({}),
});

/** A CRD is usable once `Established=True` (and `NamesAccepted=True`). */
export function crdEstablished(crd: unknown): Readiness {
  const parsed = CrdShape.safeParse(crd);
  if (!parsed.success) return { done: false, detail: 'CRD: unexpected shape' };
  const conditions = parsed.data.status.conditions;
  const seen = `CRD ${parsed.data.metadata.name}: ${describeConditions(conditions)}`;
  const established = conditionOf(conditions, 'Established')?.status === 'True';
  const names = conditionOf(conditions, 'NamesAccepted')?.status !== 'False';
  return established && names
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: not Established` };
}

export interface InstallWaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Applies the Gateway API standard bundle server-side (its CRDs plus the safe-upgrades ValidatingAdmissionPolicy)
 * and waits for every CRD to be Established. `objects` from the caller win over the cache/download.
 */
export async function installGatewayApiCrds(
  kube: MeshKube,
  source: { objects: readonly KubeObject[] } | { cacheDir?: string; version?: string; fetch?: FetchText },
  wait: InstallWaitOptions,
): Promise<KubeObject[]> {
  const objects = 'objects' in source ? [...source.objects] : await loadGatewayApiBundle(source);
  await applyAndAwaitCrds(kube, objects, wait);
  return objects;
}

/** Applies objects server-side and waits until every CRD among them is Established. */
export async function applyAndAwaitCrds(
  kube: MeshKube,
  objects: readonly KubeObject[],
  wait: InstallWaitOptions,
): Promise<void> {
  await kube.apply(objects, { fieldManager: 'ambient-upgrade-suite', force: true });
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  for (const crd of crds) {
    const ref = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: crd.metadata.name,
    };
    await waitFor(
      `CRD ${crd.metadata.name} Established`,
      async () => crdEstablished(await kube.get(ref)),
      (r) => r.done,
      { ...wait, describe: (last) => (isReadiness(last) ? last.detail : String(last)) },
    );
  }
}

// ---- Sail operator by Helm (FACTS §3) ----

export const SAIL_HELM_REPO = 'https://istio-ecosystem.github.io/sail-operator';
export const SAIL_NAMESPACE = 'sail-operator';
/** The chart names its Deployment from `deployment.name`, default `sail-operator` (chart/templates/deployment.yaml). */
export const SAIL_DEPLOYMENT = 'sail-operator';

export interface SailHelmOptions {
  kubeconfig: string;
  context?: string;
  /** Chart version, e.g. `1.30.3` (the chart is versioned like the operator). */
  version: string;
  /** Chart reference: `sail-operator` from `--repo` by default, or a local chart directory. */
  chart?: string;
  namespace?: string;
  /**
   * Operator image override `<hub>/sail-operator:<tag>`. The chart's values key is the top-level `image`
   * (istio-ecosystem/sail-operator chart/values.yaml: `image: quay.io/sail-dev/sail-operator:1.30.3` at tag
   * 1.30.3; chart/templates/deployment.yaml renders `image: {{ .Values.image }}`; tests/e2e/
   * common-operator-integ-suite.sh passes `--set image=${HUB}/${IMAGE_BASE}:${TAG}`).
   */
  image?: { hub: string; tag: string };
  /** Further `--set key=value` pairs, in order. */
  set?: readonly (readonly [string, string])[];
  /** The helm binary; `helm` from PATH by default. */
  helmBinary?: string;
  /** Helm's own wait; the suite waits for the Deployment itself, so this is off by default. */
  helmTimeoutSeconds?: number;
  /**
   * The cluster already has the Sail CRDs (an earlier install, another team's): Helm 4 would server-side apply the
   * chart's `crds/` over them (seen on a real apiserver), so the run leaves them as found (`--skip-crds`).
   */
  skipCrds?: boolean;
}

/** The `helm upgrade --install` argument array (pure; no shell, no string splitting). */
export function sailHelmArgs(options: SailHelmOptions): string[] {
  const chart = options.chart ?? 'sail-operator';
  const args = ['upgrade', '--install', 'sail-operator', chart];
  // A bare chart name resolves against the upstream repo; a path (contains '/') is a local chart.
  if (!chart.includes('/')) args.push('--repo', SAIL_HELM_REPO);
  args.push('--version', options.version);
  args.push('--namespace', options.namespace ?? SAIL_NAMESPACE, '--create-namespace');
  args.push('--kubeconfig', options.kubeconfig);
  if (options.context) args.push('--kube-context', options.context);
  if (options.skipCrds) args.push('--skip-crds');
  if (options.image) args.push('--set', `image=${options.image.hub}/sail-operator:${options.image.tag}`);
  for (const [key, value] of options.set ?? []) {
    if (key.includes('='))
      throw new UserError(`helm --set key "${key}" contains "=" — pass key and value separately`);
    args.push('--set', `${key}=${value}`);
  }
  if (options.helmTimeoutSeconds !== undefined)
    args.push('--wait', '--timeout', `${options.helmTimeoutSeconds}s`);
  return args;
}

/**
 * Installs (or upgrades) the Sail operator with Helm and waits for `deployment/sail-operator` to be Available.
 * `alreadyInstalled` (OLM on OpenShift, detected by the cluster layer) skips Helm and only waits.
 */
export async function installSailOperator(
  kube: MeshKube,
  options: SailHelmOptions & {
    alreadyInstalled: boolean;
    /** The operator Deployment found on the cluster (OSSM 3: `servicemesh-operator3`); the chart's name otherwise. */
    deployment?: string;
  },
  wait: InstallWaitOptions,
  /** Where the run records the release before Helm starts, so `cleanup` uninstalls even a `pending-install`. */
  inventory?: Inventory,
): Promise<{ installedBy: 'helm' | 'existing'; detail: string }> {
  const namespace = options.namespace ?? SAIL_NAMESPACE;
  const deployment = options.deployment ?? SAIL_DEPLOYMENT;
  if (!options.alreadyInstalled) {
    const namespaceExisted =
      (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })) !== undefined;
    await inventory?.record({
      type: 'helm-release',
      name: 'sail-operator',
      namespace,
      createdNamespace: !namespaceExisted,
    });
    // The run's signal stops helm at once on Ctrl-C/SIGTERM (SIGKILL 5 s later if it ignores SIGTERM); the
    // recorded release is uninstalled by the run's cleanup.
    const result = await execa(options.helmBinary ?? 'helm', sailHelmArgs(options), {
      reject: false,
      timeout: 10 * 60_000,
      stdin: 'ignore',
      ...(wait.signal ? { cancelSignal: wait.signal } : {}),
      forceKillAfterDelay: 5_000,
    });
    if (result.isCanceled) throw wait.signal?.reason ?? new Error('helm was cancelled');
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new UserError(
        'helm not found on PATH — install helm ≥ 3.6, or install the Sail operator yourself and use --existing-operator',
      );
    }
    if (result.exitCode !== 0) {
      throw new Error(
        `helm upgrade --install sail-operator exited ${result.exitCode}: ${String(result.stderr).slice(0, 1_000)}`,
      );
    }
  }
  const ready = await waitFor(
    `deployment ${namespace}/${deployment} Available`,
    async () =>
      sailDeploymentAvailable(
        await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, namespace }),
        deployment,
      ),
    (r) => r.done,
    { ...wait, describe: (last) => (isReadiness(last) ? last.detail : String(last)) },
  );
  return { installedBy: options.alreadyInstalled ? 'existing' : 'helm', detail: ready.detail };
}

/** `Available=True` and rolled out (a fresh `Available` may still describe the previous ReplicaSet). */
export function sailDeploymentAvailable(deployment: unknown, name = SAIL_DEPLOYMENT): Readiness {
  if (deployment === undefined) return { done: false, detail: `deployment ${name} not found` };
  const conditions = z
    .object({ status: z.object({ conditions: z.array(Condition).optional() }).optional() })
    .safeParse(deployment).data?.status?.conditions;
  const available = conditionOf(conditions, 'Available');
  const rollout = deploymentRolledOut(deployment);
  if (available?.status !== 'True') {
    return {
      done: false,
      detail: `${rollout.detail} — not done: Available is ${available?.status ?? 'not reported'}${available?.message ? `: ${available.message}` : ''}`,
    };
  }
  return rollout;
}

function isReadiness(value: unknown): value is Readiness {
  return typeof value === 'object' && value !== null && 'detail' in value;
}
