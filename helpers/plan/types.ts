import type { KubeObject, ObjectRef } from '../k8s/types.ts';
import type { UpdateStrategy } from '../versions/skew.ts';

/**
 * A plan is data: `renderPlan` builds it without I/O, `plan` writes it, and the live runner (suites/) walks the
 * same object with one runner per `action`. Every version in a plan is in Sail form (`v1.30.3`); the runner
 * parses it with `parseVersion` and compares with `compareVersions` (proxies report the plain form).
 */
export type Step = StepBase & StepAction;

export type StepPhase = 'setup' | 'baseline' | 'upgrade' | 'verify';

export interface StepBase {
  /** Three or more digits, increasing by 10 in plan order: '010', '020', … */
  id: string;
  /** An imperative phrase from the documented procedure, e.g. "upgrade ZTunnel to v1.30.3". */
  name: string;
  /** A failure in `setup` or `baseline` means the start was broken, not the upgrade. */
  phase: StepPhase;
}

export type StepAction = ApplyStep | WaitStep | ProbeStep | UpgradeStep | DrainStep | DeleteStep | LabelStep;
export type StepActionName = StepAction['action'];
export const STEP_ACTIONS = [
  'apply',
  'wait',
  'probe',
  'upgrade',
  'drain',
  'delete',
  'label',
] as const satisfies readonly StepActionName[];

/**
 * Server-side apply of complete objects, in order. `writePlan` also writes them to `file` (multi-document YAML).
 * Objects may carry the node-index selector (`NODE_INDEX_LABEL`); the `label` steps at the start of every plan
 * put that label on the nodes first.
 */
export interface ApplyStep {
  action: 'apply';
  objects: KubeObject[];
  /** `<id>-<slug of name>.yaml`. */
  file: string;
}

/** Polls until `condition` holds; on timeout the runner reports what it waited for and the last value seen. */
export interface WaitStep {
  action: 'wait';
  condition: WaitCondition;
  timeoutMs: number;
}

/** An assertion that records evidence; a network outcome is a verdict, never an exception. */
export interface ProbeStep {
  action: 'probe';
  probe: ProbeSpec;
}

/**
 * Merge-patches `spec.version` of a Sail CR (and `spec` fields in `spec`, deep-merged, e.g. the ZTunnel grace
 * under test), then returns; waits are separate steps. The runner records the CR's `metadata.generation` after
 * the patch so the following `sail-ready` wait can insist on `observedGeneration >= generation`.
 */
export interface UpgradeStep {
  action: 'upgrade';
  target: ObjectRef;
  version: string;
  spec?: Record<string, unknown>;
}

/**
 * The documented per-node ztunnel procedure (ZTunnel `updateStrategy: OnDelete`): cordon `node`; drain it through
 * the Eviction API (PDBs honoured: an eviction refused with 429 is retried until `timeoutMs`; DaemonSet pods are
 * left); check the ztunnel pod on the node still runs `ztunnel.fromVersion` (OnDelete kept it — fail otherwise,
 * with its UID and image); delete it; wait until a new ztunnel pod on the node is Ready and runs
 * `ztunnel.toVersion`; uncordon. The runner records the time window of the drain as evidence for
 * `connections-check` (mode `node-drain`). It uncordons in a `finally`, so a failed drain leaves no cordoned node.
 */
export interface DrainStep {
  action: 'drain';
  node: NodeRef;
  ztunnel: { namespace: string; selector: string; fromVersion: string; toVersion: string };
  timeoutMs: number;
}

/** Deletes objects (foreground propagation); waiting until they are gone is a separate `gone` wait. */
export interface DeleteStep {
  action: 'delete';
  objects: ObjectRef[];
}

/**
 * Sets (string) or removes (null) labels on an object or a symbolic node; the runner merge-patches
 * `metadata.labels` and reads the object back to confirm.
 */
export interface LabelStep {
  action: 'label';
  target: ObjectRef | { node: NodeRef };
  labels: Record<string, string | null>;
}

/**
 * A node named by role and index, resolved at run time: workers are the Ready nodes without the
 * control-plane role, sorted by name; the control plane is the first node with `node-role.kubernetes.io/control-plane`.
 */
export interface NodeRef {
  role: 'worker' | 'control-plane';
  index: number;
}

/** Where a probe runs: the first Ready pod matching `selector` in `namespace`. */
export interface PodTarget {
  namespace: string;
  selector: string;
}

/** What a `wait` step waits for. */
export type WaitCondition =
  | SailReady
  | IstiodRolledOut
  | DaemonSetRolledOut
  | Revisions
  | RevisionGone
  | TagPointsTo
  | PodsReady
  | WaypointProgrammed
  | WaypointRolledOut
  | RouteAccepted
  | IstioHealthy
  | ZtunnelOnRevision
  | ClusterDnsAvailable
  | Gone;

/**
 * A Sail CR (Istio, IstioCNI, ZTunnel, IstioRevisionTag) has caught up: `metadata.generation ==
 * status.observedGeneration` (or above the generation the preceding `upgrade` recorded), `spec.version == version`
 * (when given), conditions `Reconciled` and `Ready` True (`InUse` not required). Alone this is not a rollout:
 * `Ready` is already True right after a bump (FACTS §2 stale-Ready trap), so a rollout wait follows it.
 */
export interface SailReady {
  kind: 'sail-ready';
  target: ObjectRef;
  version?: string;
}

/**
 * The istiod Deployment of `revision` (`istiod` for `default`, else `istiod-<revision>`, namespace
 * `namespace`) is rolled out: `observedGeneration == generation`, `updatedReplicas == replicas ==
 * readyReplicas == availableReplicas`, no pods of an older ReplicaSet left; and its pods run `version`
 * (image tag, or `ISTIO_VERSION`).
 */
export interface IstiodRolledOut {
  kind: 'istiod-rolled-out';
  namespace: string;
  revision: string;
  version: string;
  /** At least this many replicas asked for and ready (HPA `autoscaleMin` scales up after the first rollout). */
  minReplicas?: number;
}

/**
 * A DaemonSet is rolled out: `observedGeneration == generation`, `updatedNumberScheduled ==
 * desiredNumberScheduled == numberReady`, `numberUnavailable` 0, and every pod's image tag is `version`.
 * `istio-cni-node` in istio-cni, `ztunnel` in ztunnel. Never used right after an OnDelete bump (it would not end).
 */
export interface DaemonSetRolledOut {
  kind: 'daemonset-rolled-out';
  namespace: string;
  name: string;
  version: string;
  /**
   * ztunnel only: the pod template carries this grace (pod `terminationGracePeriodSeconds` and env
   * `TERMINATION_GRACE_PERIOD_SECONDS`), so a rollout wait right after a grace patch cannot pass on the old template.
   */
  terminationGracePeriodSeconds?: number;
}

/**
 * The Istio CR's revisions: `status.activeRevisionName == activeRevision`, the IstioRevision of that name is
 * `Ready` with `spec.version == version`, and, when `total` is given, exactly `total` IstioRevisions owned by the
 * Istio exist (`status.revisions.total == total`, counted from the list as well).
 */
export interface Revisions {
  kind: 'revisions';
  istio: string;
  activeRevision: string;
  version: string;
  total?: number;
}

/**
 * The IstioRevision `name` no longer exists, nor its istiod Deployment. Sail prunes it
 * `inactiveRevisionDeletionGracePeriodSeconds` after `InUse` turned False; the timeout is that grace plus a
 * margin. On timeout the runner reports the revision's `InUse` condition (reason, message) as the last value.
 */
export interface RevisionGone {
  kind: 'revision-gone';
  name: string;
  istiodNamespace: string;
}

/** IstioRevisionTag `tag` has `status.istioRevision == revision` and `Reconciled` True. */
export interface TagPointsTo {
  kind: 'tag-points-to';
  tag: string;
  revision: string;
}

/** Every pod matching `selector` in `namespace` is Ready, at least `min` of them, none terminating. */
export interface PodsReady {
  kind: 'pods-ready';
  namespace: string;
  selector: string;
  min: number;
}

/** The Gateway is `Programmed=True` with `observedGeneration == generation`. */
export interface WaypointProgrammed {
  kind: 'waypoint-programmed';
  namespace: string;
  name: string;
}

/**
 * The waypoint Deployment (same name as the Gateway) is rolled out (as for istiod) and every pod runs proxy
 * `version`; with `revision`, each pod's `istio.io/rev` annotation equals it (the revision that owns it).
 */
export interface WaypointRolledOut {
  kind: 'waypoint-rolled-out';
  namespace: string;
  name: string;
  version: string;
  revision?: string;
}

/**
 * HTTPRoute `namespace/name`: every parent in `spec.parentRefs` has `Accepted` and `ResolvedRefs` True on the
 * route's current generation (written by istiod; a cluster without istiod cannot satisfy it).
 */
export interface RouteAccepted {
  kind: 'route-accepted';
  namespace: string;
  name: string;
}

/** Sail's own verdict on the Istio CR: `status.state == Healthy` and condition `DependenciesHealthy` True. */
export interface IstioHealthy {
  kind: 'istio-healthy';
  istio: string;
}

/**
 * ZTunnel really moved to `revision` (RevisionBased with targetRef): `ZTunnel.status.istioRevision == revision`;
 * the DaemonSet pod template's `istio.io/rev` annotation (and label, where present) is `revision` and
 * `XDS_ADDRESS` names `istiod-<revision>`; and that template is rolled out on every node at `version`.
 */
export interface ZtunnelOnRevision {
  kind: 'ztunnel-on-revision';
  revision: string;
  istiodNamespace: string;
  version: string;
}

/**
 * The cluster DNS serves again after a drain: the `k8s-app=kube-dns` Deployments in kube-system (CoreDNS) are
 * Available with every replica ready, or, on OpenShift, DaemonSet `openshift-dns/dns-default` is rolled out.
 */
export interface ClusterDnsAvailable {
  kind: 'cluster-dns-available';
}

/** Every object in `objects` is absent (404). */
export interface Gone {
  kind: 'gone';
  objects: ObjectRef[];
}

/** What a `probe` step asserts. */
export type ProbeSpec =
  | ProxyStatusProbe
  | WeightsProbe
  | AuthzProbe
  | PodSnapshotProbe
  | PodsUnchangedProbe
  | SkewProbe
  | NamespaceLabelsProbe
  | ConnectionsStartProbe
  | ConnectionsCheckProbe
  | TrafficStartProbe
  | TrafficCheckProbe
  | NodeZtunnelProbe
  | ZtunnelProxyStatusProbe;
export type ProbeKind = ProbeSpec['kind'];

/**
 * The waypoint's proxies (pods of Gateway `namespace/name`) as the istiods see them (`/debug/syncz` of every
 * `app=istiod` pod, merged; FACTS §4): each pod appears exactly once, with `istio_version == version`, connected
 * to an istiod pod of `revision` (pod label `istio.io/rev`), every xDS type SYNCED (RDS NOT SENT tolerated).
 */
export interface ProxyStatusProbe {
  kind: 'proxy-status';
  waypoint: { namespace: string; name: string };
  expect: { version: string; revision: string };
}

/**
 * The sequential weight test (helpers/stats) from `client`, one new connection per request, classifying each
 * response by the first match of `match`; any backend outside `expected` fails. Weights are percentages.
 */
export interface WeightsProbe {
  kind: 'weights';
  client: PodTarget;
  url: string;
  match: string;
  expected: Record<string, number>;
  /**
   * Before counting, `count` consecutive answers must come only from listed backends with weight > 0 (answers
   * before that are reported, not judged); not reached within `timeoutMs` is inconclusive (`probe weights
   * --warmup --warmup-timeout`).
   */
  warmup: { count: number; timeoutMs: number };
}

/**
 * One row of the authorization matrix: `method url` from `client` on a new connection must be allowed (2xx) or
 * denied (L7: 403 `RBAC: access denied`; L4: reset). 503, EOF or timeout are errors, never denies.
 */
export interface AuthzProbe {
  kind: 'authz';
  client: PodTarget;
  url: string;
  method: 'GET' | 'POST';
  expect: 'allow' | 'deny';
  /**
   * Who enforces the policy that applies (`probe authz --deny-by`): `waypoint` for a `targetRefs` policy (deny =
   * 403 `RBAC: access denied`; a reset is an error), `ztunnel` for a `selector` policy (deny = reset before any
   * response byte; any HTTP answer is an error).
   */
  denyBy: 'waypoint' | 'ztunnel';
  /**
   * Converge first: repeat the request (a new connection each) until `consecutive` answers in a row are the
   * expected verdict, at most `timeoutMs`; a run not reached fails, naming the answers seen.
   */
  settle?: { consecutive: number; timeoutMs: number };
}

/** Records UID, node and per-container restart counts of the pods matching `selector` in `namespaces`. */
export interface PodSnapshotProbe {
  kind: 'pod-snapshot';
  snapshot: string;
  namespaces: string[];
  selector: string;
}

/** The pods now matching the snapshot's namespaces/selector are exactly the snapshot's UIDs, with equal restart counts. */
export interface PodsUnchangedProbe {
  kind: 'pods-unchanged';
  snapshot: string;
}

/**
 * The versions observed on the cluster (Istio `spec.version` and istiod image; IstioCNI/ZTunnel DaemonSet pod
 * images; waypoint proxies) pass `checkMeshSkew` and equal `expected` (what the plan believes at this point).
 */
export interface SkewProbe {
  kind: 'skew';
  expected: { controlPlane: string; cni: string; ztunnel: string };
}

/**
 * Namespace `namespace` carries `expected` labels. With `repair`, wrong or missing labels are re-applied and the
 * probe passes with a finding naming what was wrong (the documented pre-upgrade check); without, it fails.
 */
export interface NamespaceLabelsProbe {
  kind: 'namespace-labels';
  namespace: string;
  expected: Record<string, string>;
  repair: boolean;
}

/** A connection-probe client and the echo server it talks to, each pinned to a node. */
export interface ConnectionPair {
  client: PodTarget & { node: NodeRef };
  server: { host: string; port: number; node: NodeRef };
}

/**
 * Starts the `connections` probe in the background in each pair's client (helpers/probes/connections.ts options):
 * `count` long-lived connections echoing every `intervalMs`, `newPerSecond` short ones, each long one closing
 * itself after `plannedLifeMs` (null: held until stopped), for at most `durationMs`. `label` names the run for
 * the matching check.
 */
export interface ConnectionsStartProbe {
  kind: 'connections-start';
  label: string;
  pairs: ConnectionPair[];
  count: number;
  intervalMs: number;
  newPerSecond: number;
  plannedLifeMs: number | null;
  durationMs: number;
}

/**
 * Stops the run `label`, collects its reports and judges them:
 * - `ztunnel-rollout`: every short connection succeeded; no long-lived connection ended (reset/EOF) before the
 *   drain deadline of the old ztunnel it crossed (grace `terminationGracePeriodSeconds` minus the drain margin,
 *   FACTS §5; SIGTERM times from the ztunnel pods' deletion timestamps); with `plannedEndsClean`, connections whose
 *   planned life ended inside the drain window closed cleanly.
 * - `node-drain`: no reset on a pair whose nodes were not being drained at the time (drain windows from the
 *   drain steps); short connections on such pairs all succeeded.
 */
export interface ConnectionsCheckProbe {
  kind: 'connections-check';
  label: string;
  mode: 'ztunnel-rollout' | 'node-drain';
  terminationGracePeriodSeconds: number;
  plannedEndsClean: boolean;
}

/** Starts new-connection requests (`perSecond`) from `client` to `url` in the background until the check. */
export interface TrafficStartProbe {
  kind: 'traffic-start';
  label: string;
  client: PodTarget & { node: NodeRef };
  url: string;
  perSecond: number;
}

/** Stops `label`; every request got a 2xx (any failure fails the step, listing the first failures with times). */
export interface TrafficCheckProbe {
  kind: 'traffic-check';
  label: string;
}

/**
 * The ztunnel pod on `node` runs `version`, and every Running ambient pod on the node is served by it: its UID is
 * in that ztunnel's `workloadState` (config_dump) in state `Up` (workloads that returned to the node use the new
 * ztunnel). The xDS `workloads` list would not do: every ztunnel holds every workload of the mesh.
 */
export interface NodeZtunnelProbe {
  kind: 'node-ztunnel';
  node: NodeRef;
  version: string;
  /** Polled until every ambient pod on the node is `Up` in the new ztunnel's `workloadState`, at most this long. */
  timeoutMs: number;
}

/**
 * Every ztunnel pod, as the istiods see it (`/debug/syncz?namespace=ztunnel` of every istiod, merged): exactly
 * one row each, connected to an istiod of `revision`, on proxy `version`, WDS (and every other type) SYNCED.
 * Polled until it holds (a re-rolled ztunnel needs a push or two), at most `timeoutMs`.
 */
export interface ZtunnelProxyStatusProbe {
  kind: 'ztunnel-proxy-status';
  expect: { version: string; revision: string };
  timeoutMs: number;
}

export type ScenarioName =
  | 'inplace'
  | 'revision-based'
  | 'ztunnel-rolling'
  | 'ztunnel-node-drain'
  | 'cross-namespace-waypoint';

/** What `renderPlan` returns and `writePlan` writes; JSON-safe throughout. */
export interface Plan {
  scenario: ScenarioName;
  description: string;
  /** Sail form. */
  from: string;
  to: string;
  strategy: UpdateStrategy;
  workers: number;
  /** True when skew violations were waved through with --allow-skew; `skewFindings` says which. */
  allowSkew: boolean;
  skewFindings: string[];
  /** The scenario's departures from the documented install (`Scenario.deviations`), for the report. */
  deviations: string[];
  steps: Step[];
}
