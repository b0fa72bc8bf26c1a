import { isNotFound } from '../helpers/k8s/api-error.ts';
import type { Kube } from '../helpers/k8s/client.ts';
import { createdObjects, Inventory, type InventoryEntry, labelRestores } from '../helpers/k8s/inventory.ts';
import { mergePatch } from '../helpers/k8s/patch.ts';
import { getObject, listObjects } from '../helpers/k8s/read.ts';
import { isProtectedNamespace } from '../helpers/k8s/tracked-apply.ts';
import { describeRef, type KubeObject, type ObjectRef } from '../helpers/k8s/types.ts';
import { WaitTimeout, waitFor } from '../helpers/k8s/wait.ts';
import { RUN_ID_LABEL } from './run-id.ts';
import { runTool } from './tools.ts';

export { isProtectedNamespace };

export interface SweepOptions {
  /** `runs/<id>/`: where the run's inventory is. */
  readonly runDir: string;
  /**
   * `scenario`: what a scenario made (between scenarios; the operator stays). `run`: also the Helm release the
   * run installed and the namespace Helm created for it (the end of the run, `cleanup`).
   */
  readonly scope: 'scenario' | 'run';
  /** One deadline for the whole sweep: every wait shares it, and what is still there when it passes is reported. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
  /** For `helm uninstall` (scope `run`). */
  readonly kubeconfigPath?: string;
  readonly context?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Poll interval of the waits; tests shorten it. */
  readonly intervalMs?: number;
}

export interface SweepResult {
  /** `Kind namespace/name` of what was deleted. */
  readonly deleted: string[];
  /** Objects whose labels were written back to what they were before the run. */
  readonly restored: string[];
  /** What the run installed and deliberately leaves (CRDs). */
  readonly kept: string[];
  /** What was still there when the deadline passed, or could not be removed, each with why. */
  readonly leftovers: string[];
}

/** The Sail kinds in the order they are deleted: tags, then data plane, then control plane (FACTS §3). */
const SAIL_ORDER = ['IstioRevisionTag', 'ZTunnel', 'IstioCNI', 'Istio'] as const;
const isSail = (ref: ObjectRef) => ref.apiVersion.startsWith('sailoperator.io/');

/**
 * Removes what one run did, by its inventory (`runs/<id>/inventory.jsonl`) and nothing else: an object is deleted
 * only when the inventory lists it and the live object still carries this run's id; labels the run changed on
 * objects it did not create are written back. Order: Sail resources (then wait until they and the swept Istios'
 * IstioRevisions are gone: the Istio has no finalizer, and a terminating revision `default` collides with the
 * next scenario's tag), objects in protected namespaces, label restores, the run's namespaces (waited for), and
 * for scope `run` the run's own Helm release — whatever its status, `pending-install` included. CRDs stay.
 */
export async function sweepRunObjects(
  kube: Kube,
  runId: string,
  options: SweepOptions,
): Promise<SweepResult> {
  const entries = await new Inventory(options.runDir).read();
  const result: SweepResult = { deleted: [], restored: [], kept: [], leftovers: [] };
  const deadline = Date.now() + options.deadlineMs;
  const created = createdObjects(entries).map((c) => c.ref);
  const waits: { what: string; gone: () => Promise<boolean> }[] = [];

  // 1. Sail resources, remembering each swept Istio's uid to find its IstioRevisions.
  const sail = created
    .filter(isSail)
    .sort((a, b) => SAIL_ORDER.indexOf(a.kind as never) - SAIL_ORDER.indexOf(b.kind as never));
  const sweptIstios: string[] = [];
  for (const ref of sail) {
    const live = await deleteIfOurs(kube, ref, runId, result);
    if (!live) continue;
    if (ref.kind === 'Istio' && live.metadata.uid) sweptIstios.push(String(live.metadata.uid));
    waits.push({ what: describeRef(ref), gone: goneCheck(kube, ref, live.metadata.uid) });
  }
  for (const uid of sweptIstios) {
    waits.push({ what: 'the IstioRevisions of the swept Istio', gone: revisionsGone(kube, uid) });
  }
  await waitAll(waits.splice(0), deadline, options, result);

  // 2. Objects the run made inside namespaces it did not create (protected ones: the probe clients in default).
  const createdNamespaces = new Set(created.filter((r) => r.kind === 'Namespace').map((r) => r.name));
  for (const ref of created) {
    if (isSail(ref) || ref.kind === 'Namespace' || ref.namespace === undefined) continue;
    if (createdNamespaces.has(ref.namespace)) continue; // goes with its namespace
    await deleteIfOurs(kube, ref, runId, result);
  }

  // 3. Labels the run changed on objects it did not create, written back exactly.
  for (const { ref, labels } of labelRestores(entries)) {
    try {
      if (!(await getObject(kube, ref))) continue;
      await mergePatch(kube, ref, { metadata: { labels } }, options.signal ? { signal: options.signal } : {});
      result.restored.push(describeRef(ref));
    } catch (error) {
      result.leftovers.push(`${describeRef(ref)}: labels not restored (${(error as Error).message})`);
    }
  }

  // 4. The run's namespaces, then any other cluster-scoped object it created.
  for (const ref of created.filter((r) => r.kind === 'Namespace')) {
    const live = await deleteIfOurs(kube, ref, runId, result);
    if (live) waits.push({ what: describeRef(ref), gone: goneCheck(kube, ref, live.metadata.uid) });
  }
  for (const ref of created) {
    if (isSail(ref) || ref.kind === 'Namespace' || ref.namespace !== undefined) continue;
    await deleteIfOurs(kube, ref, runId, result);
  }
  await waitAll(waits.splice(0), deadline, options, result);

  // 5. The run's own operator install, and what stays.
  if (options.scope === 'run') await uninstallReleases(kube, entries, deadline, options, result);
  for (const entry of entries) {
    if (entry.type === 'crds') result.kept.push(...entry.names);
    // Helm never deletes a chart's crds/ on uninstall: the Sail and Istio CRDs stay, and are said to.
    if (entry.type === 'helm-release' && options.scope === 'run')
      result.kept.push(`the CRDs of Helm release ${entry.namespace}/${entry.name} (Sail and Istio kinds)`);
  }
  return result;
}

/** Deletes `ref` when the live object carries this run's id; returns the live object when it was deleted. */
async function deleteIfOurs(
  kube: Kube,
  ref: ObjectRef,
  runId: string,
  result: SweepResult,
): Promise<KubeObject | undefined> {
  let live: KubeObject | undefined;
  try {
    live = await getObject(kube, ref);
  } catch (error) {
    if (unserved(error)) return undefined; // its CRD is gone, so is the object
    throw error;
  }
  if (!live || live.metadata.labels?.[RUN_ID_LABEL] !== runId) return undefined;
  const uid = live.metadata.uid;
  try {
    await kube.raw.send('DELETE', await kube.raw.pathOf(ref, 'read'), {
      // The uid precondition: a same-named object someone created since the read is never deleted.
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
        ...(typeof uid === 'string' ? { preconditions: { uid } } : {}),
      }),
    });
    result.deleted.push(describeRef(ref));
    return live;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    result.leftovers.push(`${describeRef(ref)}: not deleted (${(error as Error).message})`);
    return undefined;
  }
}

function unserved(error: unknown): boolean {
  return error instanceof Error && /^Unrecognized API version and kind/.test(error.message);
}

function goneCheck(kube: Kube, ref: ObjectRef, uid: unknown): () => Promise<boolean> {
  return async () => {
    try {
      const live = await getObject(kube, ref, { attempts: 1 });
      return !live || (typeof uid === 'string' && live.metadata.uid !== uid);
    } catch (error) {
      if (unserved(error)) return true;
      throw error;
    }
  };
}

/** No IstioRevision owned by the Istio with this uid is left (terminating ones included). */
function revisionsGone(kube: Kube, istioUid: string): () => Promise<boolean> {
  return async () => {
    let revisions: KubeObject[];
    try {
      revisions = await listObjects(kube, 'sailoperator.io/v1', 'IstioRevision');
    } catch (error) {
      if (unserved(error)) return true;
      throw error;
    }
    return !revisions.some((r) =>
      ((r.metadata.ownerReferences ?? []) as { uid?: string }[]).some((o) => o.uid === istioUid),
    );
  };
}

/** Waits for every check under the one deadline; what has not gone by then is reported, not thrown. */
async function waitAll(
  waits: readonly { what: string; gone: () => Promise<boolean> }[],
  deadline: number,
  options: SweepOptions,
  result: SweepResult,
): Promise<void> {
  for (const { what, gone } of waits) {
    try {
      await waitFor(`${what} to be gone`, gone, (done) => done, {
        timeoutMs: Math.max(0, deadline - Date.now()),
        intervalMs: options.intervalMs ?? 2_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof WaitTimeout)) throw error;
      result.leftovers.push(`${what}: still there when the sweep's deadline passed`);
    }
  }
}

async function uninstallReleases(
  kube: Kube,
  entries: readonly InventoryEntry[],
  deadline: number,
  options: SweepOptions,
  result: SweepResult,
): Promise<void> {
  for (const entry of entries) {
    if (entry.type !== 'helm-release') continue;
    const where = `Helm release ${entry.namespace}/${entry.name}`;
    if (options.kubeconfigPath === undefined) {
      result.leftovers.push(`${where}: not uninstalled (no kubeconfig to run helm with)`);
      continue;
    }
    const args = [
      'uninstall',
      entry.name,
      '--namespace',
      entry.namespace,
      '--kubeconfig',
      options.kubeconfigPath,
    ];
    if (options.context) args.push('--kube-context', options.context);
    const done = await runTool('helm', args, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: Math.max(1_000, deadline - Date.now()),
    }).catch((error: unknown) => ({ exitCode: -1, stderr: (error as Error).message }));
    const stderr = String((done as { stderr?: unknown }).stderr ?? '');
    if (done.exitCode === 0) result.deleted.push(where);
    else if (!/not found/i.test(stderr))
      result.leftovers.push(`${where}: helm uninstall failed (${stderr.trim().split('\n').pop() ?? ''})`);
    if (!entry.createdNamespace) continue;
    const ns: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: entry.namespace };
    const live = await getObject(kube, ns);
    if (!live) continue;
    await kube.raw.send('DELETE', await kube.raw.pathOf(ns, 'read'), {
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { uid: live.metadata.uid },
      }),
    });
    result.deleted.push(describeRef(ns));
  }
}

/** One line per leftover, for the user; empty when the sweep finished. */
export function describeSweep(result: SweepResult): string[] {
  const lines: string[] = [];
  if (result.deleted.length > 0) lines.push(`deleted ${result.deleted.join(', ')}`);
  if (result.restored.length > 0) lines.push(`restored the labels of ${result.restored.join(', ')}`);
  if (result.kept.length > 0)
    lines.push(`kept (installed by the run; other users' objects depend on them): ${result.kept.join(', ')}`);
  for (const leftover of result.leftovers) lines.push(`left: ${leftover}`);
  return lines;
}
