import { UserError } from '../../errors.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { suiteLabels } from './labels.ts';
import { CNI_NAMESPACE, ISTIO_NAMESPACE, ZTUNNEL_NAMESPACE } from './sail.ts';
import type { BuilderOptions } from './types.ts';

/** Label Istio's docs use for meshConfig.discoverySelectors. */
export const DISCOVERY_LABEL = 'istio-discovery';

function namespace(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/**
 * The namespaces Sail installs into. istio-system and ztunnel carry `istio-discovery=enabled` so that
 * adding meshConfig.discoverySelectors later cannot hide ztunnel from istiod (istio/istio#52057); with no
 * selectors configured the label is inert. istio-cni needs no discovery.
 */
export function meshNamespaces(options: BuilderOptions = {}): KubeObject[] {
  const labels = suiteLabels(options);
  return [
    namespace(ISTIO_NAMESPACE, { ...labels, [DISCOVERY_LABEL]: 'enabled' }),
    namespace(CNI_NAMESPACE, labels),
    namespace(ZTUNNEL_NAMESPACE, { ...labels, [DISCOVERY_LABEL]: 'enabled' }),
  ];
}

export interface AmbientNamespaceOptions extends BuilderOptions {
  /** Waypoint (Gateway) name for `istio.io/use-waypoint`. */
  useWaypoint?: string;
  /** Namespace of that waypoint when it lives elsewhere (`istio.io/use-waypoint-namespace`). */
  useWaypointNamespace?: string;
}

/** A namespace enrolled in ambient mode, optionally sending its services' traffic through a waypoint. */
export function ambientNamespace(name: string, options: AmbientNamespaceOptions = {}): KubeObject {
  if (options.useWaypointNamespace !== undefined && options.useWaypoint === undefined) {
    throw new UserError(
      `namespace ${name}: useWaypointNamespace without useWaypoint — name the waypoint too (istio.io/use-waypoint)`,
    );
  }
  const labels: Record<string, string> = { ...suiteLabels(options), 'istio.io/dataplane-mode': 'ambient' };
  if (options.useWaypoint !== undefined) labels['istio.io/use-waypoint'] = options.useWaypoint;
  if (options.useWaypointNamespace !== undefined)
    labels['istio.io/use-waypoint-namespace'] = options.useWaypointNamespace;
  return namespace(name, labels);
}
