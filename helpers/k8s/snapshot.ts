import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from './client.ts';
import { listPods } from './read.ts';

/** Who a pod is and where it runs, at one moment. */
export interface PodSnapshot {
  namespace: string;
  name: string;
  uid: string;
  node: string | undefined;
  /** Restart count per container (init containers included, prefixed `init:`). */
  restartCounts: Record<string, number>;
  startTime: string | undefined;
  labels: Record<string, string>;
  /** The controlling owner; a ReplicaSet of a Deployment is reported as the Deployment. */
  owner: { kind: string; name: string } | undefined;
  /** `pod-template-hash`: which revision of a Deployment the pod belongs to. */
  templateHash: string | undefined;
}

/** Builds a snapshot from a pod. Pure. */
export function snapshotOf(pod: V1Pod): PodSnapshot {
  const labels = { ...(pod.metadata?.labels ?? {}) };
  const templateHash = labels['pod-template-hash'];
  const controller = pod.metadata?.ownerReferences?.find((o) => o.controller);
  let owner = controller ? { kind: controller.kind, name: controller.name } : undefined;
  // ReplicaSet `<deployment>-<hash>`: the Deployment is the stable identity across rollouts.
  if (owner?.kind === 'ReplicaSet' && templateHash && owner.name.endsWith(`-${templateHash}`)) {
    owner = { kind: 'Deployment', name: owner.name.slice(0, -(templateHash.length + 1)) };
  }
  const restartCounts: Record<string, number> = {};
  for (const s of pod.status?.initContainerStatuses ?? []) restartCounts[`init:${s.name}`] = s.restartCount;
  for (const s of pod.status?.containerStatuses ?? []) restartCounts[s.name] = s.restartCount;
  const start = pod.status?.startTime;
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    node: pod.spec?.nodeName,
    restartCounts,
    startTime: start === undefined ? undefined : new Date(start).toISOString(),
    labels,
    owner,
    templateHash,
  };
}

/** Snapshots every pod in `namespaces` (optionally narrowed by a label selector), sorted by namespace/name. */
export async function snapshotPods(
  kube: Kube,
  query: { namespaces: readonly string[]; labelSelector?: string },
): Promise<PodSnapshot[]> {
  const snapshots: PodSnapshot[] = [];
  for (const namespace of query.namespaces) {
    const pods = await listPods(
      kube,
      query.labelSelector === undefined ? { namespace } : { namespace, labelSelector: query.labelSelector },
    );
    snapshots.push(...pods.map(snapshotOf));
  }
  return snapshots.sort(byName);
}

/** How a pair of snapshots was matched: same name, or a renamed pod of the same controller. */
export type MatchedBy = 'name' | 'owner-template-hash' | 'owner-node' | 'owner';

export type PodChange =
  | { type: 'recreated'; before: PodSnapshot; after: PodSnapshot; matchedBy: MatchedBy }
  | {
      type: 'restarted';
      before: PodSnapshot;
      after: PodSnapshot;
      containers: { name: string; before: number; after: number }[];
    }
  | {
      type: 'moved';
      before: PodSnapshot;
      after: PodSnapshot;
      from: string | undefined;
      to: string | undefined;
    }
  | { type: 'added'; after: PodSnapshot }
  | { type: 'removed'; before: PodSnapshot };

const key = (p: PodSnapshot): string => `${p.namespace}/${p.name}`;

function byName(a: PodSnapshot, b: PodSnapshot): number {
  return key(a).localeCompare(key(b));
}

function restarts(
  before: PodSnapshot,
  after: PodSnapshot,
): { name: string; before: number; after: number }[] {
  return Object.entries(after.restartCounts)
    .filter(([name, n]) => n > (before.restartCounts[name] ?? 0))
    .map(([name, n]) => ({ name, before: before.restartCounts[name] ?? 0, after: n }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function comparePair(before: PodSnapshot, after: PodSnapshot, matchedBy: MatchedBy): PodChange[] {
  const changes: PodChange[] = [];
  if (before.uid !== after.uid) {
    changes.push({ type: 'recreated', before, after, matchedBy });
  } else {
    const containers = restarts(before, after);
    if (containers.length > 0) changes.push({ type: 'restarted', before, after, containers });
  }
  if (before.node !== after.node)
    changes.push({ type: 'moved', before, after, from: before.node, to: after.node });
  return changes;
}

/** Pairs leftovers that share a key, in name order; returns the pairs and removes them from the leftovers. */
function pairBy(
  befores: PodSnapshot[],
  afters: PodSnapshot[],
  keyOf: (p: PodSnapshot) => string | undefined,
): [PodSnapshot, PodSnapshot][] {
  const pairs: [PodSnapshot, PodSnapshot][] = [];
  for (const before of [...befores]) {
    const k = keyOf(before);
    if (k === undefined) continue;
    const index = afters.findIndex((a) => keyOf(a) === k);
    if (index < 0) continue;
    const [after] = afters.splice(index, 1);
    if (!after) continue;
    befores.splice(befores.indexOf(before), 1);
    pairs.push([before, after]);
  }
  return pairs;
}

/**
 * What happened to pods between two snapshots. Pods are matched by name (UID compared); pods that changed name are
 * matched to a pod of the same controller: a Deployment's by template hash first, then by the Deployment alone (a
 * rollout); a DaemonSet's by node. Pure.
 */
export function comparePodSnapshots(
  before: readonly PodSnapshot[],
  after: readonly PodSnapshot[],
): PodChange[] {
  const changes: PodChange[] = [];
  const afterByName = new Map(after.map((p) => [key(p), p]));
  const leftBefore: PodSnapshot[] = [];
  for (const b of [...before].sort(byName)) {
    const a = afterByName.get(key(b));
    if (a) {
      afterByName.delete(key(b));
      changes.push(...comparePair(b, a, 'name'));
    } else leftBefore.push(b);
  }
  const leftAfter = [...afterByName.values()].sort(byName);
  const owner = (p: PodSnapshot): string | undefined =>
    p.owner ? `${p.namespace}/${p.owner.kind}/${p.owner.name}` : undefined;
  const deployment = (p: PodSnapshot): string | undefined =>
    p.owner?.kind === 'Deployment' ? owner(p) : undefined;
  const strategies: [MatchedBy, (p: PodSnapshot) => string | undefined][] = [
    [
      'owner-template-hash',
      (p) => (deployment(p) && p.templateHash ? `${deployment(p)}/${p.templateHash}` : undefined),
    ],
    ['owner', deployment],
    ['owner-node', (p) => (p.owner?.kind === 'DaemonSet' && p.node ? `${owner(p)}/${p.node}` : undefined)],
  ];
  for (const [matchedBy, keyOf] of strategies) {
    for (const [b, a] of pairBy(leftBefore, leftAfter, keyOf)) changes.push(...comparePair(b, a, matchedBy));
  }
  for (const b of leftBefore) changes.push({ type: 'removed', before: b });
  for (const a of leftAfter) changes.push({ type: 'added', after: a });
  return changes;
}
