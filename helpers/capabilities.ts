/**
 * What a cluster can do beyond the Kubernetes control plane, named once for the providers (clusters/), the plan
 * (helpers/plan: what a step needs) and the runner (suites/: what to report when a need is not met). A provider
 * declares the set its cluster has; a step whose needs are not all in it is reported `not run: <capability>
 * missing` — never passed, never dropped. This module imports nothing, so every layer may import it.
 */
export const CAPABILITIES = ['data-plane', 'istiod-controller'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One line each, for the README, the report and `not run` reasons. */
export const CAPABILITY_MEANING: Readonly<Record<Capability, string>> = {
  'data-plane':
    'pods really run: exec and port-forward into pods, probes in pods, istiod /debug/syncz, ztunnel config_dump, traffic and connection checks',
  'istiod-controller':
    'istiod runs as a controller: it creates the waypoint Deployment, writes Gateway Programmed and HTTPRoute parent status, moves a waypoint with the revision tag',
};

/** Every capability: a real cluster (kind, existing). */
export const ALL_CAPABILITIES: ReadonlySet<Capability> = new Set(CAPABILITIES);

/** A cluster without pods that run and without istiod serving (kwok: fake nodes, the control plane only). */
export const CONTROL_PLANE_ONLY: ReadonlySet<Capability> = new Set();

/** The needs `has` does not meet, in vocabulary order (so reasons read the same on every run). */
export function missingCapabilities(
  needs: readonly Capability[],
  has: ReadonlySet<Capability>,
): Capability[] {
  return CAPABILITIES.filter((c) => needs.includes(c) && !has.has(c));
}

/** The reason a step with unmet needs is not run: `not run: data-plane missing`. */
export function capabilityNotRunReason(missing: readonly Capability[]): string {
  return `not run: ${missing.join(', ')} missing`;
}

export function isCapability(value: string): value is Capability {
  return (CAPABILITIES as readonly string[]).includes(value);
}
