import type { KubeObject } from '../k8s/types.ts';

/** Who enforces an AuthorizationPolicy, hence what its deny looks like on the wire (FACTS §6, §11). */
export type DenyMechanism = 'waypoint' | 'ztunnel';

/**
 * A policy attached with `targetRefs` (or the older `targetRef`) — a Service, a Gateway, the waypoint
 * GatewayClass — is enforced only by the waypoint: its deny is a 403 `RBAC: access denied`. A `selector` policy
 * (or one selecting nothing) is enforced by ztunnel at L4: its deny is a reset before any response byte.
 */
export function denyMechanismOf(policy: KubeObject): DenyMechanism {
  const spec = (policy.spec ?? {}) as { targetRefs?: unknown[]; targetRef?: unknown };
  if (policy.kind !== 'AuthorizationPolicy') {
    throw new Error(`${policy.kind} ${policy.metadata.name} is not an AuthorizationPolicy`);
  }
  return (Array.isArray(spec.targetRefs) && spec.targetRefs.length > 0) || spec.targetRef !== undefined
    ? 'waypoint'
    : 'ztunnel';
}
