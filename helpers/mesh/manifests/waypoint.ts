import { UserError } from '../../errors.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { suiteLabels } from './labels.ts';
import type { BuilderOptions, WaypointFor } from './types.ts';

export const WAYPOINT_CLASS = 'istio-waypoint';
/** HBONE port every waypoint listens on. */
export const HBONE_PORT = 15008;

export interface WaypointOptions extends BuilderOptions {
  namespace: string;
  name?: string;
  /**
   * `istio.io/rev` label: pins the waypoint to one control-plane revision. Without it the `default` tag's
   * revision owns it, so under RevisionBased either create that tag or set this (FACTS §6).
   */
  revision?: string;
  waypointFor?: WaypointFor;
  /** Namespaces (besides its own) allowed to use this waypoint, selected by `kubernetes.io/metadata.name`. */
  allowedFromNamespaces?: string[];
}

/** A waypoint: Gateway API `Gateway` of class istio-waypoint with the `mesh` HBONE listener. */
export function waypoint(options: WaypointOptions): KubeObject {
  const labels: Record<string, string> = {
    ...suiteLabels(options),
    'istio.io/waypoint-for': options.waypointFor ?? 'service',
  };
  if (options.revision !== undefined) labels['istio.io/rev'] = options.revision;
  const listener: Record<string, unknown> = { name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' };
  const allowed = options.allowedFromNamespaces;
  if (allowed !== undefined) {
    if (allowed.length === 0) {
      throw new UserError(
        `waypoint ${options.namespace}/${options.name ?? 'waypoint'}: allowedFromNamespaces is empty — list namespaces or omit it`,
      );
    }
    // The waypoint's own namespace must stay allowed once a selector replaces the default "Same".
    const names = [...new Set([options.namespace, ...allowed])];
    listener.allowedRoutes = {
      namespaces: {
        from: 'Selector',
        selector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: names }],
        },
      },
    };
  }
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: options.name ?? 'waypoint', namespace: options.namespace, labels },
    spec: { gatewayClassName: WAYPOINT_CLASS, listeners: [listener] },
  };
}
