import { UserError } from '../../helpers/errors.ts';
import type { Kube } from '../../helpers/k8s/client.ts';
import { controlPlaneLabel, readyWorkerNodesOf } from '../../helpers/k8s/nodes.ts';
import { listNodes } from '../../helpers/k8s/read.ts';
import { describeNode, nodeLabelValue } from '../../helpers/plan/nodes.ts';
import type { NodeRef } from '../../helpers/plan/types.ts';
import type { RunContext } from './context.ts';

/**
 * Resolves the plan's symbolic nodes once per scenario: Ready workers sorted by name, control plane the first node with
 * the control-plane role. Indices count from 0, as in the plan.
 */
export async function resolveNodes(kube: Kube, workersNeeded: number): Promise<Map<string, string>> {
  const nodes = await listNodes(kube);
  // Only Ready workers: a pod pinned to a NotReady node would never start, and the plan's waits would time out
  // far from the cause.
  const workers = readyWorkerNodesOf(nodes)
    .map((n) => n.metadata?.name ?? '')
    .filter((n) => n !== '')
    .sort();
  if (workers.length < workersNeeded) {
    throw new UserError(
      `the cluster has ${workers.length} Ready worker node(s), the scenario needs ${workersNeeded} — use a cluster with more workers (kind: --workers ${workersNeeded})`,
    );
  }
  const map = new Map<string, string>();
  workers.forEach((name, i) => {
    map.set(nodeLabelValue({ role: 'worker', index: i }), name);
  });
  const controlPlane = nodes.find((n) => n.metadata?.labels?.[controlPlaneLabel] !== undefined)?.metadata
    ?.name;
  if (controlPlane) map.set(nodeLabelValue({ role: 'control-plane', index: 0 }), controlPlane);
  return map;
}

export function nodeName(ctx: RunContext, ref: NodeRef): string {
  const name = ctx.nodes.get(nodeLabelValue(ref));
  if (!name) throw new Error(`${describeNode(ref)} does not exist in this cluster`);
  return name;
}
