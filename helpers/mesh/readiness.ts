import { z } from 'zod';
import { isVersionAlias, normaliseVersion, sameVersion, versionFromImage } from './images.ts';
import {
  Condition,
  type Container,
  conditionOf,
  DaemonSet,
  Deployment,
  describeConditions,
  parseAs,
} from './k8s-shapes.ts';

/** A readiness judgement: `detail` always says what was seen, and when not done, why. */
export interface Readiness {
  done: boolean;
  detail: string;
}

export const SAIL_KINDS = ['Istio', 'IstioRevision', 'IstioCNI', 'ZTunnel', 'IstioRevisionTag'] as const;
export type SailKind = (typeof SAIL_KINDS)[number];

const SailObject = z.object({
  kind: z.enum(SAIL_KINDS),
  metadata: z.object({ name: z.string(), generation: z.number().optional() }),
  spec: z.object({ version: z.string().optional() }).default({}),
  status: z
    .object({
      observedGeneration: z.number().optional(),
      state: z.string().optional(),
      conditions: z.array(Condition).optional(),
    })
    .optional(),
});

/**
 * Whether a Sail CR has settled on its current spec: the kind's health condition (`Ready`, or `InUse` for an
 * IstioRevisionTag, which has no Ready) and `Reconciled` are True, `status.observedGeneration` equals
 * `metadata.generation` (else the conditions describe an older spec: FACTS §2 stale-Ready trap) and, when given,
 * `spec.version` equals `version` (string equality after dropping a leading `v`).
 *
 * Not enough on its own after a version bump: `Ready` only counts ready pods, so it is True while old pods still
 * run. Use `istioUpgraded`/`cniUpgraded`/`ztunnelUpgraded`, which also require the workload rollout.
 */
export function sailReady(object: unknown, options: { version?: string } = {}): Readiness {
  const parsed = parseAs(SailObject, object, 'Sail CR');
  if (parsed instanceof Error) return { done: false, detail: parsed.message };
  const { kind, metadata, spec, status } = parsed;
  const conditions = status?.conditions;
  const seen = `${kind} ${metadata.name}: ${describeConditions(conditions)}, state=${status?.state ?? '-'}, generation=${metadata.generation ?? '-'} observed=${status?.observedGeneration ?? '-'}, version=${spec.version ?? '-'}`;
  const reasons: string[] = [];
  const health = kind === 'IstioRevisionTag' ? 'InUse' : 'Ready';
  for (const type of [health, 'Reconciled']) {
    const condition = conditionOf(conditions, type);
    if (condition?.status !== 'True') {
      const why = condition?.message ? `: ${condition.message}` : '';
      reasons.push(
        `${type} is ${condition?.status ?? 'not reported'}${condition?.reason ? ` (${condition.reason})` : ''}${why}`,
      );
    }
  }
  if (status?.observedGeneration === undefined || status.observedGeneration !== metadata.generation) {
    reasons.push(
      `status.observedGeneration ${status?.observedGeneration ?? 'unset'} ≠ metadata.generation ${metadata.generation ?? 'unset'}: the status describes an older spec`,
    );
  }
  if (options.version !== undefined && !specVersionMatches(kind, spec.version, options.version)) {
    reasons.push(`spec.version is ${spec.version ?? 'unset'}, expected ${options.version}`);
  }
  return verdict(seen, reasons);
}

/**
 * `spec.version` as asked. Sail writes the *resolved* version into an IstioRevision it creates for an Istio
 * (sail-operator 1.30.3 controllers/istio/istio_controller.go `reconcileActiveRevision`: `istioversion.Resolve`,
 * then pkg/revision/reconcile.go `CreateOrUpdate` sets `rev.Spec.Version`), so Istio `v1.30-latest` gives an
 * IstioRevision on `v1.30.3`: there an alias matches any patch of its minor (`master` any version).
 */
function specVersionMatches(kind: SailKind, actual: string | undefined, expected: string): boolean {
  if (sameVersion(actual, expected)) return true;
  if (kind !== 'IstioRevision' || actual === undefined || !isVersionAlias(expected)) return false;
  const minor = /^(\d+\.\d+)-latest$/.exec(normaliseVersion(expected))?.[1];
  return minor === undefined || normaliseVersion(actual).startsWith(`${minor}.`);
}

/**
 * Whether a DaemonSet has finished rolling out its current template on every node: observed its generation,
 * `updatedNumberScheduled == desiredNumberScheduled`, all of them ready and available, and at least one node.
 * Under `OnDelete` this stays false until every old pod was deleted by hand, which is the point.
 */
export function daemonSetRolledOut(object: unknown, options: WorkloadOptions = {}): Readiness {
  const ds = parseAs(DaemonSet, object, 'DaemonSet');
  if (ds instanceof Error) return { done: false, detail: ds.message };
  const s = ds.status;
  const desired = s.desiredNumberScheduled;
  const seen = `DaemonSet ${ds.metadata.namespace ?? ''}/${ds.metadata.name}: desired=${desired ?? '-'} updated=${s.updatedNumberScheduled ?? '-'} ready=${s.numberReady ?? '-'} available=${s.numberAvailable ?? '-'} generation=${ds.metadata.generation ?? '-'} observed=${s.observedGeneration ?? '-'} strategy=${ds.spec.updateStrategy?.type ?? '-'}`;
  const reasons: string[] = [];
  if (s.observedGeneration === undefined || s.observedGeneration !== ds.metadata.generation) {
    reasons.push('the DaemonSet controller has not observed the latest template yet');
  }
  if (!desired) reasons.push('no node is scheduled (desiredNumberScheduled is 0 or unset)');
  else {
    if (s.updatedNumberScheduled !== desired) {
      reasons.push(`${s.updatedNumberScheduled ?? 0}/${desired} pods run the current template`);
    }
    if (s.numberReady !== desired) reasons.push(`${s.numberReady ?? 0}/${desired} pods ready`);
    if ((s.numberAvailable ?? 0) !== desired || (s.numberUnavailable ?? 0) > 0) {
      reasons.push(`${s.numberAvailable ?? 0}/${desired} pods available`);
    }
  }
  reasons.push(...imageReasons(ds.spec.template?.spec?.containers, options));
  return verdict(seen, reasons);
}

/** Whether a Deployment has rolled out: generation observed, every replica updated, ready and available, and no
 * pods of an older ReplicaSet left (`status.replicas == updatedReplicas`). */
export function deploymentRolledOut(object: unknown, options: WorkloadOptions = {}): Readiness {
  const dep = parseAs(Deployment, object, 'Deployment');
  if (dep instanceof Error) return { done: false, detail: dep.message };
  const s = dep.status;
  const want = dep.spec.replicas ?? 1;
  const seen = `Deployment ${dep.metadata.namespace ?? ''}/${dep.metadata.name}: replicas=${want} current=${s.replicas ?? '-'} updated=${s.updatedReplicas ?? '-'} ready=${s.readyReplicas ?? '-'} available=${s.availableReplicas ?? '-'} generation=${dep.metadata.generation ?? '-'} observed=${s.observedGeneration ?? '-'}`;
  const reasons: string[] = [];
  if (s.observedGeneration === undefined || s.observedGeneration !== dep.metadata.generation) {
    reasons.push('the Deployment controller has not observed the latest template yet');
  }
  if ((s.updatedReplicas ?? 0) !== want) reasons.push(`${s.updatedReplicas ?? 0}/${want} replicas updated`);
  if ((s.replicas ?? 0) !== (s.updatedReplicas ?? 0)) {
    reasons.push(`${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} replicas of an older template remain`);
  }
  if ((s.readyReplicas ?? 0) !== want) reasons.push(`${s.readyReplicas ?? 0}/${want} replicas ready`);
  if ((s.availableReplicas ?? 0) !== want)
    reasons.push(`${s.availableReplicas ?? 0}/${want} replicas available`);
  reasons.push(...imageReasons(dep.spec.template?.spec?.containers, options));
  return verdict(seen, reasons);
}

export interface WorkloadOptions {
  /** When set (and not an alias), the named container's image tag must carry this version. */
  version?: string;
  container?: string;
}

function imageReasons(containers: readonly Container[] | undefined, options: WorkloadOptions): string[] {
  if (options.version === undefined || options.container === undefined || isVersionAlias(options.version))
    return [];
  const container = containers?.find((c) => c.name === options.container);
  if (!container) return [`template has no container ${options.container}`];
  const tagVersion = versionFromImage(container.image);
  // A digest-pinned image (OpenShift) names no version: Sail CR version and proxy status must vouch instead.
  if (tagVersion === undefined) return [];
  return sameVersion(tagVersion, options.version)
    ? []
    : [`container ${options.container} runs image ${container.image}, expected version ${options.version}`];
}

/**
 * The control plane finished an upgrade: the Istio CR and its active IstioRevision are Ready/Reconciled on the
 * new generation and version, the active revision is the one the strategy implies, and istiod's Deployment has
 * rolled out the new image (container `discovery`).
 */
export function istioUpgraded(input: {
  istio: unknown;
  revision: unknown;
  istiod: unknown;
  version: string;
  expectedRevision: string;
}): Readiness {
  const parts = [
    sailReady(input.istio, { version: input.version }),
    sailReady(input.revision, { version: input.version }),
    activeRevisionIs(input.istio, input.expectedRevision),
    deploymentRolledOut(input.istiod, { version: input.version, container: 'discovery' }),
  ];
  return combine(parts);
}

/** IstioCNI finished an upgrade: CR settled on the version and DaemonSet `istio-cni-node` (container
 * `install-cni`) rolled out on every node. */
export function cniUpgraded(input: { cni: unknown; daemonSet: unknown; version: string }): Readiness {
  return combine([
    sailReady(input.cni, { version: input.version }),
    daemonSetRolledOut(input.daemonSet, { version: input.version, container: 'install-cni' }),
  ]);
}

/** ZTunnel finished an upgrade: CR settled on the version and DaemonSet `ztunnel` (container `istio-proxy`)
 * rolled out on every node. */
export function ztunnelUpgraded(input: { ztunnel: unknown; daemonSet: unknown; version: string }): Readiness {
  return combine([
    sailReady(input.ztunnel, { version: input.version }),
    daemonSetRolledOut(input.daemonSet, { version: input.version, container: 'istio-proxy' }),
  ]);
}

const ActiveRevisionShape = z.object({
  status: z.object({ activeRevisionName: z.string().optional() }).optional(),
});

function activeRevisionIs(istio: unknown, expected: string): Readiness {
  const active = ActiveRevisionShape.safeParse(istio).data?.status?.activeRevisionName;
  const detail = `active revision ${active ?? 'unset'}`;
  return active === expected
    ? { done: true, detail }
    : { done: false, detail: `${detail} — not done: expected active revision ${expected}` };
}

export function combine(parts: readonly Readiness[]): Readiness {
  return { done: parts.every((p) => p.done), detail: parts.map((p) => p.detail).join('\n') };
}

function verdict(seen: string, reasons: readonly string[]): Readiness {
  return reasons.length === 0
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}` };
}
