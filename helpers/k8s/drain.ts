import type { V1Pod } from '@kubernetes/client-node';
import { apiStatusOf, KubeApiError } from './api-error.ts';
import type { Kube } from './client.ts';
import { type Clock, systemClock } from './clock.ts';
import { cordon } from './nodes.ts';
import { getPod, listPods } from './read.ts';
import { retryReason } from './retry.ts';
import { WaitTimeout, waitFor } from './wait.ts';

export interface DrainOptions {
  timeoutMs: number;
  /** DaemonSet pods are left in place (their controller would recreate them at once). */
  ignoreDaemonSets: true;
  /** Pods with emptyDir volumes are evicted; their data is lost. */
  deleteEmptyDirData: true;
  /** Also evict pods with no controller (they will not come back). Default false: refuse, like kubectl. */
  force?: boolean;
  /** Pause between eviction rounds while a PodDisruptionBudget blocks. */
  retryIntervalMs?: number;
  /** Poll interval while waiting for evicted pods to be gone. */
  pollIntervalMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
}

export interface PodId {
  namespace: string;
  name: string;
  uid: string;
}

export type SkipReason = 'daemonset' | 'mirror' | 'completed';

export interface DrainResult {
  node: string;
  evicted: PodId[];
  skipped: (PodId & { reason: SkipReason })[];
}

/** Why a pod is not evicted, or undefined when it must be. Pure. */
export function skipReasonOf(pod: V1Pod): SkipReason | undefined {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return 'mirror';
  if (pod.metadata?.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet')) return 'daemonset';
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 'completed';
  return undefined;
}

function idOf(pod: V1Pod): PodId {
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
  };
}

const label = (p: PodId): string => `${p.namespace}/${p.name}`;

/** Turns an eviction refusal into a sentence naming the pod and the PodDisruptionBudget. Pure. */
export function describeEvictionBlock(pod: PodId, error: unknown): string {
  const status = apiStatusOf(error);
  const budget = status?.causes.find((c) => c.reason === 'DisruptionBudget')?.message;
  const pdb = budget?.match(/disruption budget (\S+)/)?.[1];
  const message = budget ?? status?.message ?? String(error);
  return pdb
    ? `pod ${label(pod)} blocked by PodDisruptionBudget ${pod.namespace}/${pdb}: ${message}`
    : `pod ${label(pod)} not evicted: ${message}`;
}

async function evict(kube: Kube, pod: PodId): Promise<void> {
  await kube.core.createNamespacedPodEviction({
    namespace: pod.namespace,
    name: pod.name,
    body: {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: pod.name, namespace: pod.namespace },
      // Pin the UID: a pod recreated under the same name meanwhile must not be evicted by mistake.
      deleteOptions: { preconditions: { uid: pod.uid } },
    },
  });
}

/**
 * Cordons `node`, evicts its pods through the Eviction API (policy/v1) so PodDisruptionBudgets are honoured, and
 * waits until the evicted pods are gone. A PDB refusal (429) is retried until the deadline; a timeout names the
 * pods still blocked and their PDBs. DaemonSet-owned, mirror and completed pods are skipped.
 */
export async function drainNode(kube: Kube, node: string, options: DrainOptions): Promise<DrainResult> {
  const { timeoutMs, clock = systemClock, signal, retryIntervalMs = 5_000, pollIntervalMs = 2_000 } = options;
  const start = clock.now();
  const remaining = (): number => Math.max(0, timeoutMs - (clock.now() - start));
  await cordon(kube, node);
  const pods = await listPods(kube, { fieldSelector: `spec.nodeName=${node}` });
  const skipped: DrainResult['skipped'] = [];
  const toEvict: PodId[] = [];
  const unmanaged: PodId[] = [];
  for (const pod of pods) {
    const reason = skipReasonOf(pod);
    if (reason) skipped.push({ ...idOf(pod), reason });
    else if (!options.force && !pod.metadata?.ownerReferences?.some((o) => o.controller))
      unmanaged.push(idOf(pod));
    else toEvict.push(idOf(pod));
  }
  if (unmanaged.length > 0) {
    throw new Error(
      `drain ${node}: pods without a controller would not come back: ${unmanaged.map(label).join(', ')} — delete them or pass force`,
    );
  }

  const evicted: PodId[] = [];
  let pending = toEvict;
  let blocked: string[] = [];
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const next: PodId[] = [];
    blocked = [];
    let retryAfterMs = retryIntervalMs;
    for (const pod of pending) {
      try {
        await evict(kube, pod);
        evicted.push(pod);
      } catch (error) {
        const status = apiStatusOf(error);
        if (status?.code === 404) continue; // already gone
        // 409: the UID precondition failed, so the pod we listed is gone and a new one took its name.
        if (status?.code === 409) continue;
        if (status?.code === 429 || retryReason(error, false)) {
          blocked.push(describeEvictionBlock(pod, error));
          if (status?.retryAfterSeconds !== undefined) retryAfterMs = status.retryAfterSeconds * 1_000;
          next.push(pod);
          continue;
        }
        throw new KubeApiError(`evict pod ${label(pod)} from ${node}`, error);
      }
    }
    pending = next;
    if (pending.length === 0) break;
    if (remaining() <= 0) {
      throw new WaitTimeout(
        `eviction of ${pending.length} pod(s) from node ${node}`,
        timeoutMs,
        blocked,
        (b) => (b as string[]).join('; '),
      );
    }
    await clock.sleep(Math.min(retryAfterMs, remaining()), signal);
  }

  await waitFor(
    `pods evicted from node ${node} to be gone`,
    async () => {
      const left: string[] = [];
      for (const pod of evicted) {
        const current = await getPod(kube, pod.namespace, pod.name);
        if (current && current.metadata?.uid === pod.uid) left.push(label(pod));
      }
      return left;
    },
    (left) => left.length === 0,
    {
      timeoutMs: Math.max(remaining(), 1),
      intervalMs: pollIntervalMs,
      clock,
      ...(signal ? { signal } : {}),
      describe: (last) => (Array.isArray(last) ? `still present: ${last.join(', ')}` : String(last)),
    },
  );
  return { node, evicted, skipped };
}
