/**
 * Rollout predicates. Each says whether a rollout finished and, either way, why, so a timeout can report the
 * numbers. They read only generation and status counters, so they accept both client-node models and raw JSON
 * (e.g. objects from a watch). "Ready" alone is not enough: right after a spec change the old pods are still
 * Ready, so the controller must have observed the new generation and every replica must be an updated one.
 */
export interface Verdict {
  done: boolean;
  detail: string;
}

export interface DeploymentLike {
  metadata?: { generation?: number; name?: string };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    readyReplicas?: number;
  };
}

export interface DaemonSetLike {
  metadata?: { generation?: number; name?: string };
  status?: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    numberUnavailable?: number;
    numberReady?: number;
  };
}

function generationVerdict(generation: number | undefined, observed: number | undefined): string | undefined {
  if (generation === undefined) return undefined;
  if (observed === undefined || observed < generation) {
    return `controller has not observed generation ${generation} (observed ${observed ?? 'none'})`;
  }
  return undefined;
}

export function deploymentRolledOut(d: DeploymentLike): Verdict {
  const status = d.status ?? {};
  const stale = generationVerdict(d.metadata?.generation, status.observedGeneration);
  if (stale) return { done: false, detail: stale };
  // spec.replicas is what is wanted; status.replicas also counts old pods still terminating or surging.
  const wanted = d.spec?.replicas ?? status.replicas ?? 1;
  const total = status.replicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const numbers = `${updated}/${wanted} updated, ${available}/${wanted} available, ${total} total`;
  if (updated < wanted) return { done: false, detail: `${numbers}: waiting for updated replicas` };
  if (total > updated) return { done: false, detail: `${numbers}: ${total - updated} old replicas remain` };
  if (available < wanted) return { done: false, detail: `${numbers}: waiting for available replicas` };
  return { done: true, detail: `rolled out: ${numbers}` };
}

export function daemonSetRolledOut(ds: DaemonSetLike): Verdict {
  const status = ds.status ?? {};
  const stale = generationVerdict(ds.metadata?.generation, status.observedGeneration);
  if (stale) return { done: false, detail: stale };
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  const unavailable = status.numberUnavailable ?? 0;
  const numbers = `${updated}/${desired} updated, ${available}/${desired} available, ${unavailable} unavailable`;
  if (updated !== desired) return { done: false, detail: `${numbers}: waiting for updated pods` };
  if (available !== desired) return { done: false, detail: `${numbers}: waiting for available pods` };
  if (unavailable !== 0) return { done: false, detail: `${numbers}: pods unavailable` };
  return { done: true, detail: `rolled out: ${numbers}` };
}
