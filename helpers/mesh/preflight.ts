import type { Kube } from '../k8s/client.ts';
import { getObject } from '../k8s/read.ts';
import { isProtectedNamespace } from '../k8s/tracked-apply.ts';
import { describeRef, type KubeObject, type ObjectRef } from '../k8s/types.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from '../labels.ts';
import { SAIL_API } from './waits.ts';

/** An object the run would create or force-apply that is already on the cluster, with the step that resolves it. */
export interface Conflict {
  readonly ref: ObjectRef;
  /** Set when another run of the suite left it (its run-id label). */
  readonly leftByRun?: string;
  /** One line: the object, why the run stops, what resolves it. */
  readonly line: string;
}

export interface PreflightInput {
  /** Every object the selected scenarios apply (from their plans), in plan order; duplicates are fine. */
  readonly planned: readonly ObjectRef[];
  readonly runId: string;
  /** How the user reaches this cluster, for the `cleanup` command a conflict left by another run suggests. */
  readonly cleanupFlags: string;
  /** The Helm release the run would install; absent when the operator is already there. */
  readonly helmRelease?: { readonly name: string; readonly namespace: string };
}

/**
 * What must not exist before a run starts, because the run would create or force-apply it and later delete it:
 * the namespaces it creates (never a protected one: `default`, `kube-*`, `openshift-*` are only labelled), every
 * cluster-scoped object (the Sail singletons `Istio`/`IstioCNI`/`ZTunnel`/`IstioRevisionTag default`), objects it
 * creates inside protected namespaces (the probe clients in `default`), the IstioRevision `default` the operator
 * derives from `Istio default`, and the operator's Helm release. Objects inside a namespace the run creates are
 * covered by that namespace. Reads only.
 */
export function preflightTargets(planned: readonly ObjectRef[]): ObjectRef[] {
  const seen = new Set<string>();
  const out: ObjectRef[] = [];
  const add = (ref: ObjectRef) => {
    const key = `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(ref);
  };
  for (const ref of planned) {
    if (ref.namespace === undefined) {
      if (ref.kind === 'Namespace' && isProtectedNamespace(ref.name)) continue;
      add(ref);
      // The operator names the InPlace revision after its Istio; a terminating or foreign one collides.
      if (ref.kind === 'Istio') add({ apiVersion: SAIL_API, kind: 'IstioRevision', name: ref.name });
    } else if (isProtectedNamespace(ref.namespace)) {
      add(ref);
    }
  }
  return out;
}

/** Reads each target; a kind the API does not serve (Sail CRDs not installed yet) means none of it exists. */
export async function findConflicts(kube: Kube, input: PreflightInput): Promise<Conflict[]> {
  const conflicts: Conflict[] = [];
  for (const ref of preflightTargets(input.planned)) {
    const found = await getIfServed(kube, ref);
    if (!found) continue;
    const conflict = conflictFor(ref, found, input);
    if (conflict) conflicts.push(conflict);
  }
  if (input.helmRelease) {
    const release = await helmReleaseSecrets(kube, input.helmRelease);
    if (release.length > 0) {
      const { name, namespace } = input.helmRelease;
      const statuses = [...new Set(release.map((s) => s.metadata.labels?.status ?? 'unknown'))].join(', ');
      conflicts.push({
        ref: { apiVersion: 'v1', kind: 'Secret', namespace, name: release[0]?.metadata.name ?? name },
        line: `Helm release ${namespace}/${name} already exists (${statuses}) without a running operator — the suite will not install over it; remove it with \`helm uninstall ${name} -n ${namespace}\`, or finish that install so the suite uses the operator it runs`,
      });
    }
  }
  return conflicts;
}

function conflictFor(ref: ObjectRef, found: KubeObject, input: PreflightInput): Conflict | undefined {
  const labels = found.metadata.labels ?? {};
  const run = labels[RUN_ID_LABEL];
  if (run === input.runId) return undefined;
  const what = describeRef(ref);
  if (labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && run !== undefined) {
    return {
      ref,
      leftByRun: run,
      line: `${what} was left by run ${run} of this suite — remove it with: npx ambient-upgrade cleanup --run ${run} ${input.cleanupFlags}`,
    };
  }
  const terminating = typeof found.metadata.deletionTimestamp === 'string' ? ' (still terminating)' : '';
  const fix =
    ref.kind === 'Namespace'
      ? `the run creates it and would delete it afterwards; delete it yourself (kubectl delete namespace ${ref.name}) or use a cluster without it`
      : ref.apiVersion.startsWith('sailoperator.io/')
        ? `the cluster already has a Sail-managed mesh and the suite installs its own under these names; remove it (kubectl delete ${ref.kind.toLowerCase()} ${ref.name}) or use a cluster without a mesh`
        : `the run creates it and would delete it afterwards; delete it yourself (kubectl delete ${ref.kind.toLowerCase()} ${ref.namespace ? `-n ${ref.namespace} ` : ''}${ref.name}) or use a cluster without it`;
  return { ref, line: `${what} already exists${terminating} and this run did not create it — ${fix}` };
}

async function getIfServed(kube: Kube, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return await getObject(kube, ref, { attempts: 2 });
  } catch (error) {
    // client-node resolves the path from discovery: an unserved kind cannot have objects.
    if (error instanceof Error && /^Unrecognized API version and kind/.test(error.message)) return undefined;
    throw error;
  }
}

/** Helm 3 keeps each release revision in a Secret labelled `owner=helm,name=<release>` in the release namespace. */
async function helmReleaseSecrets(
  kube: Kube,
  release: { name: string; namespace: string },
): Promise<KubeObject[]> {
  const list = (await kube.raw
    .send('GET', `/api/v1/namespaces/${encodeURIComponent(release.namespace)}/secrets`, {
      query: { labelSelector: `owner=helm,name=${release.name}` },
    })
    .catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 404) return { items: [] };
      throw error;
    })) as { items?: KubeObject[] };
  return list.items ?? [];
}
