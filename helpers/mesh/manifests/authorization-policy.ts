import type { KubeObject } from '../../k8s/types.ts';
import { suiteLabels } from './labels.ts';
import type { BuilderOptions } from './types.ts';

export interface ProductpagePolicyOptions extends BuilderOptions {
  namespace?: string;
  /** SPIFFE principal allowed to GET productpage. */
  allowedPrincipal?: string;
}

/**
 * `productpage-waypoint` from the OSSM doc: enforced by the waypoint (targetRefs the Service), ALLOW only
 * GET from one principal, so every other caller gets 403 `RBAC: access denied`.
 */
export function productpageAuthorizationPolicy(options: ProductpagePolicyOptions = {}): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: {
      name: 'productpage-waypoint',
      namespace: options.namespace ?? 'bookinfo',
      labels: suiteLabels(options),
    },
    spec: {
      targetRefs: [{ kind: 'Service', group: '', name: 'productpage' }],
      action: 'ALLOW',
      rules: [
        {
          from: [
            { source: { principals: [options.allowedPrincipal ?? 'cluster.local/ns/default/sa/curl'] } },
          ],
          to: [{ operation: { methods: ['GET'] } }],
        },
      ],
    },
  };
}
