import type { V1Node } from '@kubernetes/client-node';
import type { Kube } from './client.ts';
import { listNodes } from './read.ts';
import { withRetry } from './retry.ts';

export const controlPlaneLabel = 'node-role.kubernetes.io/control-plane';

/** Nodes without the control-plane role label, sorted by name. Pure. */
export function workerNodesOf(nodes: readonly V1Node[]): V1Node[] {
  return nodes
    .filter((n) => n.metadata?.labels?.[controlPlaneLabel] === undefined)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready workers, sorted by name: a pod pinned to a NotReady node would never start. Pure. */
export function readyWorkerNodesOf(nodes: readonly V1Node[]): V1Node[] {
  return workerNodesOf(nodes).filter(isNodeReady);
}

export async function listWorkerNodes(kube: Kube): Promise<V1Node[]> {
  return workerNodesOf(await listNodes(kube));
}

async function setUnschedulable(kube: Kube, node: string, unschedulable: boolean): Promise<void> {
  // A merge patch (what kubectl does), not an apply: the suite must not take ownership of node fields.
  await withRetry(`${unschedulable ? 'cordon' : 'uncordon'} Node ${node}`, () =>
    kube.raw.send('PATCH', `/api/v1/nodes/${encodeURIComponent(node)}`, {
      body: JSON.stringify({ spec: { unschedulable: unschedulable ? true : null } }),
      contentType: 'application/merge-patch+json',
    }),
  );
}

export function cordon(kube: Kube, node: string): Promise<void> {
  return setUnschedulable(kube, node, true);
}

export function uncordon(kube: Kube, node: string): Promise<void> {
  return setUnschedulable(kube, node, false);
}
