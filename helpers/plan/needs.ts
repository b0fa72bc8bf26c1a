import { CAPABILITIES, type Capability } from '../capabilities.ts';
import type { ProbeSpec, Step, WaitCondition } from './types.ts';

const NONE: readonly Capability[] = [];
const DATA_PLANE: readonly Capability[] = ['data-plane'];
const ISTIOD: readonly Capability[] = ['istiod-controller'];
/** Through the waypoint: it exists only when istiod created it, and answers only when pods really run. */
const WAYPOINT_TRAFFIC: readonly Capability[] = ['data-plane', 'istiod-controller'];

/**
 * What a wait needs beyond the control plane. Sail's own status (Ready, Reconciled, revisions, tags, pruning)
 * and the controllers' rollouts run on any API server; the waypoint's Deployment and the Gateway's `Programmed`
 * are istiod's work. The switch is exhaustive: a new condition kind does not compile until it says what it needs.
 */
function waitNeeds(condition: WaitCondition): readonly Capability[] {
  switch (condition.kind) {
    case 'sail-ready':
    case 'istiod-rolled-out':
    case 'daemonset-rolled-out':
    case 'revisions':
    case 'revision-gone':
    case 'tag-points-to':
    case 'pods-ready':
    case 'gone':
    case 'istio-healthy':
    case 'ztunnel-on-revision':
      return NONE;
    // CoreDNS answering is the data plane: a cluster of fake nodes runs no DNS server at all.
    case 'cluster-dns-available':
      return DATA_PLANE;
    case 'waypoint-programmed':
    case 'waypoint-rolled-out':
    case 'route-accepted':
      return ISTIOD;
    default: {
      const unknown: never = condition;
      throw new Error(`no capabilities declared for wait ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * What a probe needs. Reading objects (pod snapshots, versions, labels) needs nothing more; anything that execs
 * or port-forwards into a pod, or sends traffic, needs the data plane; what reads the waypoint's proxies needs
 * istiod to have made them.
 */
function probeNeeds(probe: ProbeSpec): readonly Capability[] {
  switch (probe.kind) {
    case 'pod-snapshot':
    case 'pods-unchanged':
    case 'skew':
    case 'namespace-labels':
      return NONE;
    case 'connections-start':
    case 'connections-check':
    case 'traffic-start':
    case 'traffic-check':
    case 'node-ztunnel':
    case 'ztunnel-proxy-status':
      return DATA_PLANE;
    case 'proxy-status':
    case 'weights':
    case 'authz':
      return WAYPOINT_TRAFFIC;
    default: {
      const unknown: never = probe;
      throw new Error(`no capabilities declared for probe ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The capabilities a step needs, derived from its action, wait condition or probe kind (so a plan cannot forget
 * to declare them). Applies, patches, deletes, labels and drains act through the API server alone: the drain's
 * cordon, evictions, ztunnel pod replacement and uncordon are carried out by the real controllers.
 */
export function stepNeeds(step: Step): readonly Capability[] {
  switch (step.action) {
    case 'wait':
      return waitNeeds(step.condition);
    case 'probe':
      return probeNeeds(step.probe);
    case 'apply':
    case 'upgrade':
    case 'drain':
    case 'delete':
    case 'label':
      return NONE;
    default: {
      const unknown: never = step;
      throw new Error(`no capabilities declared for step ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * What a step that does run proves on a cluster lacking `missing`, when that is less than on a full cluster;
 * undefined when its meaning is unchanged. Recorded with the verdict, so a pass reads for what it is.
 */
export function stepBasis(step: Step, missing: ReadonlySet<Capability>): string | undefined {
  const noIstiod = missing.has('istiod-controller');
  const noDataPlane = missing.has('data-plane');
  if (step.action === 'wait') {
    switch (step.condition.kind) {
      case 'revision-gone':
        return noIstiod
          ? 'no waypoint pod held the old revision (istiod does not run here): this proves only that Sail prunes an unused revision'
          : undefined;
      case 'istiod-rolled-out':
      case 'daemonset-rolled-out':
      case 'pods-ready':
        return noDataPlane
          ? 'pods are Ready as this cluster reports them; no container ran, so no process was checked'
          : undefined;
      default:
        return undefined;
    }
  }
  if (step.action === 'probe' && step.probe.kind === 'skew' && noIstiod) {
    return 'no waypoint proxies exist here (istiod does not run): skew covers the control plane, CNI and ztunnel only';
  }
  return undefined;
}

/** One line for `plan`: how many steps need more than the Kubernetes API, per capability. */
export function describePlanNeeds(steps: readonly Step[]): string {
  const per = new Map<Capability, number>();
  let needing = 0;
  for (const step of steps) {
    const needs = stepNeeds(step);
    if (needs.length > 0) needing += 1;
    for (const c of needs) per.set(c, (per.get(c) ?? 0) + 1);
  }
  if (needing === 0) return 'every step needs only the Kubernetes API';
  const detail = CAPABILITIES.filter((c) => per.has(c))
    .map((c) => `${c}: ${per.get(c)}`)
    .join(', ');
  return `${needing} steps need more than the Kubernetes API (${detail}); a cluster without it reports them not run ("needs" in plan.json)`;
}
