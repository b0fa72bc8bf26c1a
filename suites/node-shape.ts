import type { V1Node } from '@kubernetes/client-node';
import { UserError } from '../helpers/errors.ts';
import { controlPlaneLabel, readyWorkerNodesOf } from '../helpers/k8s/nodes.ts';

export interface NodeShape {
  /** Ready nodes without the control-plane role: what the plans pin probes to and drain. */
  workers: number;
  controlPlanes: number;
}

export function nodeShape(nodes: readonly V1Node[]): NodeShape {
  return {
    workers: readyWorkerNodesOf(nodes).length,
    controlPlanes: nodes.filter((n) => n.metadata?.labels?.[controlPlaneLabel] !== undefined).length,
  };
}

/**
 * Plans are rendered for the cluster as it is (an existing cluster may have more workers than `--workers`), and a
 * cluster the selected scenarios cannot run on is refused before any scenario starts, with one line.
 */
export function checkNodeShape(shape: NodeShape, scenarios: readonly string[]): void {
  if (shape.workers < 2) {
    throw new UserError(
      `the cluster has ${shape.workers} Ready worker node(s); the scenarios need at least 2 (ztunnel must roll node by node) — use a bigger cluster, or kind with --workers 2`,
    );
  }
  if (scenarios.includes('ztunnel-node-drain') && shape.controlPlanes !== 1) {
    throw new UserError(
      `ztunnel-node-drain drains every node, one control-plane node included, and this cluster has ${shape.controlPlanes} — run it on kind, or leave it out with --scenario`,
    );
  }
}
