import type { KubeObject } from '../k8s/types.ts';
import type { LabelStep, NodeRef } from './types.ts';

/**
 * Objects are pinned to symbolic nodes through one label: the plan's first steps put
 * `ambient-upgrade-suite/node=<role>-<index>` on the resolved nodes, and pinned pod templates select it. The plan
 * thus stays free of node names, which only exist at run time.
 */
export const NODE_LABEL = 'ambient-upgrade-suite/node';

const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';

export function nodeLabelValue(node: NodeRef): string {
  return `${node.role}-${node.index}`;
}

export function describeNode(node: NodeRef): string {
  return `${node.role} node ${node.index}`;
}

/** The label steps that name every node a plan refers to. */
export function nodeLabelSteps(
  nodes: NodeRef[],
): (Pick<LabelStep, 'target' | 'labels'> & { name: string })[] {
  return nodes.map((node) => ({
    name: `label ${describeNode(node)} ${NODE_LABEL}=${nodeLabelValue(node)}`,
    target: { node },
    labels: { [NODE_LABEL]: nodeLabelValue(node) },
  }));
}

/**
 * Pins the pod templates of Deployments among `objects` to `node` (a nodeSelector on `NODE_LABEL`); a pod
 * pinned to the control plane also tolerates its NoSchedule taint. Other objects pass through; inputs are not
 * modified.
 */
export function pinToNode(objects: KubeObject[], node: NodeRef): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== 'Deployment') return object;
    const copy = structuredClone(object);
    const podSpec = podSpecOf(copy);
    if (!podSpec) return object;
    podSpec.nodeSelector = { ...asRecord(podSpec.nodeSelector), [NODE_LABEL]: nodeLabelValue(node) };
    if (node.role === 'control-plane') {
      const tolerations = Array.isArray(podSpec.tolerations) ? podSpec.tolerations : [];
      podSpec.tolerations = [
        ...tolerations,
        { key: CONTROL_PLANE_TAINT, operator: 'Exists', effect: 'NoSchedule' },
      ];
    }
    return copy;
  });
}

/** `spec.template.spec` of a workload, when it has one. */
export function podSpecOf(object: KubeObject): Record<string, unknown> | undefined {
  const template = asRecord(asRecord(object.spec).template);
  const spec = template.spec;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec)
    ? (spec as Record<string, unknown>)
    : undefined;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
