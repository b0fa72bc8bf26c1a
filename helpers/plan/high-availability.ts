import type { KubeObject } from '../k8s/types.ts';
import { asRecord, podSpecOf } from './nodes.ts';

/**
 * Draining a node must not take bookinfo or its waypoint down (node-drain asserts traffic keeps succeeding), so
 * every Deployment runs two replicas spread over nodes, each behind a PodDisruptionBudget of minAvailable 1 that
 * the drain's evictions honour. The waypoint's Deployment is rendered by istiod, so its replicas come through the
 * Gateway's `infrastructure.parametersRef` ConfigMap (Istio's documented customisation) instead.
 */
export const HA_REPLICAS = 2;

export function highlyAvailable(objects: KubeObject[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const object of objects) {
    if (object.kind === 'Deployment') {
      out.push(spreadDeployment(object), disruptionBudget(object, matchLabelsOf(object)));
    } else if (object.kind === 'Gateway') {
      const { gateway, params, pdb } = spreadWaypoint(object);
      out.push(params, gateway, pdb);
    } else {
      out.push(object);
    }
  }
  return out;
}

function matchLabelsOf(deployment: KubeObject): Record<string, string> {
  const matchLabels = asRecord(asRecord(asRecord(deployment.spec).selector).matchLabels);
  return Object.fromEntries(
    Object.entries(matchLabels).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function spreadConstraint(matchLabels: Record<string, string>): Record<string, unknown> {
  return {
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels },
  };
}

function spreadDeployment(deployment: KubeObject): KubeObject {
  const copy = structuredClone(deployment);
  const spec = asRecord(copy.spec);
  spec.replicas = HA_REPLICAS;
  copy.spec = spec;
  const podSpec = podSpecOf(copy);
  if (podSpec) podSpec.topologySpreadConstraints = [spreadConstraint(matchLabelsOf(copy))];
  return copy;
}

function disruptionBudget(owner: KubeObject, matchLabels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: owner.metadata.name,
      ...(owner.metadata.namespace === undefined ? {} : { namespace: owner.metadata.namespace }),
      ...(owner.metadata.labels ? { labels: owner.metadata.labels } : {}),
    },
    spec: { minAvailable: 1, selector: { matchLabels } },
  };
}

function spreadWaypoint(gateway: KubeObject): { gateway: KubeObject; params: KubeObject; pdb: KubeObject } {
  const name = `${gateway.metadata.name}-ha`;
  const podLabels = { 'gateway.networking.k8s.io/gateway-name': gateway.metadata.name };
  const namespace = gateway.metadata.namespace === undefined ? {} : { namespace: gateway.metadata.namespace };
  const labels = gateway.metadata.labels ? { labels: gateway.metadata.labels } : {};
  const deploymentOverlay = [
    'spec:',
    `  replicas: ${HA_REPLICAS}`,
    '  template:',
    '    spec:',
    '      topologySpreadConstraints:',
    '        - maxSkew: 1',
    '          topologyKey: kubernetes.io/hostname',
    '          whenUnsatisfiable: ScheduleAnyway',
    '          labelSelector:',
    '            matchLabels:',
    `              gateway.networking.k8s.io/gateway-name: ${gateway.metadata.name}`,
    '',
  ].join('\n');
  const params: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...namespace, ...labels },
    data: { deployment: deploymentOverlay },
  };
  const copy = structuredClone(gateway);
  const spec = asRecord(copy.spec);
  spec.infrastructure = {
    ...asRecord(spec.infrastructure),
    parametersRef: { group: '', kind: 'ConfigMap', name },
  };
  copy.spec = spec;
  return { gateway: copy, params, pdb: disruptionBudget(gateway, podLabels) };
}
