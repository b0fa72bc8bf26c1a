import type { KubeObject, ObjectRef } from '../../k8s/types.ts';
import {
  ambientNamespace,
  CNI_NAMESPACE,
  echoServer,
  ISTIO_NAMESPACE,
  istio,
  istioCni,
  istioRevisionTag,
  meshNamespaces,
  probeBundleConfigMap,
  probeClient,
  productpageAuthorizationPolicy,
  reviewsRoute,
  waypoint,
  ZTUNNEL_NAMESPACE,
  ztunnel,
} from '../../mesh/manifests/index.ts';
import type { UpdateStrategy } from '../../versions/skew.ts';
import { revisionName, type SailVersionString } from '../../versions/version.ts';
import { denyMechanismOf } from '../deny-mechanism.ts';
import { nodeLabelSteps, pinToNode } from '../nodes.ts';
import type { ScenarioContext } from '../scenario.ts';
import { meshAfter } from '../skew-walk.ts';
import type { StepList } from '../steps.ts';
import type { ConnectionPair, NodeRef, PodTarget } from '../types.ts';

export const SAIL_API = 'sailoperator.io/v1';
export const ISTIO_NAME = 'default';
export const ISTIO_REF: ObjectRef = { apiVersion: SAIL_API, kind: 'Istio', name: ISTIO_NAME };
export const CNI_REF: ObjectRef = { apiVersion: SAIL_API, kind: 'IstioCNI', name: 'default' };
export const ZTUNNEL_REF: ObjectRef = { apiVersion: SAIL_API, kind: 'ZTunnel', name: 'default' };
export const TAG_REF: ObjectRef = { apiVersion: SAIL_API, kind: 'IstioRevisionTag', name: 'default' };
export const ZTUNNEL_DAEMONSET: ObjectRef = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  name: 'ztunnel',
  namespace: ZTUNNEL_NAMESPACE,
};
export const ZTUNNEL_PODS = { namespace: ZTUNNEL_NAMESPACE, selector: 'app=ztunnel' };

export const BOOKINFO = 'bookinfo';
export const CONNECTIONS = 'connections';
export const ECHO_PORT = 9000;
/** Sail's default ztunnel grace (FACTS §5) and the long one the OSSM doc suggests. */
export const DEFAULT_ZTUNNEL_GRACE_SECONDS = 30;
export const LONG_ZTUNNEL_GRACE_SECONDS = 300;

export const PRODUCTPAGE_URL = 'http://productpage.bookinfo:9080/productpage';
export const REVIEWS_URL = 'http://reviews.bookinfo:9080/reviews/0';
export const REVIEWS_WEIGHTS = { 'reviews-v1': 90, 'reviews-v2': 10 };

/** The client the AuthorizationPolicy allows (the OSSM doc's `default/curl`) and one it does not. */
export const ALLOWED_CLIENT = { namespace: 'default', serviceAccount: 'curl', name: 'curl-probe' } as const;
export const OTHER_CLIENT = {
  namespace: BOOKINFO,
  serviceAccount: 'other-probe',
  name: 'other-probe',
} as const;

/** Where the waypoint serving bookinfo lives; `crossNamespace` puts it in its own namespace. */
export interface WaypointPlacement {
  namespace: string;
  name: string;
  crossNamespace: boolean;
  /** `istio.io/rev` on the Gateway (the tag name under RevisionBased). */
  revision?: string;
}

export const LOCAL_WAYPOINT: WaypointPlacement = {
  namespace: BOOKINFO,
  name: 'waypoint',
  crossNamespace: false,
};

/** The revision that serves the mesh at `version`: the Istio name under InPlace, `<name>-v<x-y-z>` otherwise. */
export function servingRevision(
  strategy: UpdateStrategy,
  version: Parameters<typeof revisionName>[1],
): string {
  return strategy === 'InPlace' ? ISTIO_NAME : revisionName(ISTIO_NAME, version);
}

/** `k=v,k2=v2` from a Deployment's `spec.selector.matchLabels`, so probes find exactly the builder's pods. */
export function selectorOf(objects: KubeObject[]): string {
  const deployment = objects.find((object) => object.kind === 'Deployment');
  const matchLabels = (
    deployment?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined
  )?.selector?.matchLabels;
  if (!deployment || !matchLabels) throw new Error('probe builder returned no Deployment with matchLabels');
  return Object.entries(matchLabels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function clientObjects(
  context: ScenarioContext,
  client: { namespace: string; serviceAccount: string; name: string },
): KubeObject[] {
  return probeClient({ ...client, ...run(context) });
}

export function clientTarget(
  context: ScenarioContext,
  client: { namespace: string; serviceAccount: string; name: string },
): PodTarget {
  return { namespace: client.namespace, selector: selectorOf(clientObjects(context, client)) };
}

function run(context: ScenarioContext): { runId?: string } {
  return context.runId === undefined ? {} : { runId: context.runId };
}

/** Sample objects are namespace-less; the plan applies only complete objects. */
function inNamespace(objects: KubeObject[], namespace: string): KubeObject[] {
  return objects.map((object) =>
    object.metadata.namespace === undefined
      ? { ...object, metadata: { ...object.metadata, namespace } }
      : object,
  );
}

export function workerNodes(context: ScenarioContext): NodeRef[] {
  return Array.from({ length: context.workers }, (_, index) => ({ role: 'worker' as const, index }));
}

export const CONTROL_PLANE_NODE: NodeRef = { role: 'control-plane', index: 0 };

/** Names the nodes the plan pins pods to (the runner resolves the symbolic refs). */
export function labelNodes(list: StepList, nodes: NodeRef[]): void {
  for (const step of nodeLabelSteps(nodes)) list.label(step.name, step.target, step.labels);
}

export interface MeshOptions {
  strategy: UpdateStrategy;
  /** An IstioRevisionTag `default` following the Istio (RevisionBased with a tag). */
  tag: boolean;
  ztunnel?: { terminationGracePeriodSeconds?: number; updateStrategy?: 'RollingUpdate' | 'OnDelete' };
  /** istiod replicas kept by its HPA (`values.pilot.autoscaleMin`, which also renders its PDB); a deviation. */
  istiodMinReplicas?: number;
}

/** Waits for a Sail resource (Istio, IstioCNI, ZTunnel; named by its kind) to be Ready at `version`. */
function waitSailReady(
  list: StepList,
  context: ScenarioContext,
  ref: ObjectRef,
  version: SailVersionString,
): void {
  list.wait(
    `wait for ${ref.kind} ${version} to be Ready`,
    { kind: 'sail-ready', target: ref, version },
    context.timeouts.sailReady,
  );
}

/** Patches a Sail resource's spec.version to the target version and waits for it to be Ready there. */
function upgradeSailResource(list: StepList, context: ScenarioContext, ref: ObjectRef): void {
  list.upgrade(`upgrade ${ref.kind} to ${context.toSail}`, ref, context.toSail);
  waitSailReady(list, context, ref, context.toSail);
}

/** Installs the control plane, CNI and ztunnel at `from`, in the documented order, each waited for. */
export function installMesh(list: StepList, context: ScenarioContext, options: MeshOptions): void {
  const { fromSail, timeouts } = context;
  const revision = servingRevision(options.strategy, context.from);
  list.apply('create the mesh namespaces', meshNamespaces(run(context)));
  const controlPlane = [
    istio({
      name: ISTIO_NAME,
      version: fromSail,
      strategy: options.strategy,
      ...(options.strategy === 'RevisionBased'
        ? { inactiveRevisionDeletionGracePeriodSeconds: context.revisionGraceSeconds }
        : {}),
      ...(options.istiodMinReplicas === undefined ? {} : { istiodMinReplicas: options.istiodMinReplicas }),
      ...run(context),
    }),
  ];
  if (options.tag)
    controlPlane.push(istioRevisionTag({ name: TAG_REF.name, istioName: ISTIO_NAME, ...run(context) }));
  list.apply(
    `install Istio ${options.strategy} at ${fromSail}${options.tag ? ' with the default revision tag' : ''}`,
    controlPlane,
  );
  waitSailReady(list, context, ISTIO_REF, fromSail);
  list.wait(
    `wait for istiod revision ${revision} to roll out${options.istiodMinReplicas === undefined ? '' : ` with ${options.istiodMinReplicas} replicas`}`,
    {
      kind: 'istiod-rolled-out',
      namespace: ISTIO_NAMESPACE,
      revision,
      version: fromSail,
      ...(options.istiodMinReplicas === undefined ? {} : { minReplicas: options.istiodMinReplicas }),
    },
    timeouts.istiodRollout,
  );
  list.wait(
    `wait for ${revision} to be the only, active revision`,
    { kind: 'revisions', istio: ISTIO_NAME, activeRevision: revision, version: fromSail, total: 1 },
    timeouts.revisions,
  );
  if (options.tag) {
    list.wait(
      `wait for tag default to point at ${revision}`,
      { kind: 'tag-points-to', tag: TAG_REF.name, revision },
      timeouts.tagFollows,
    );
  }
  list.apply(`install IstioCNI at ${fromSail}`, [istioCni({ version: fromSail, ...run(context) })]);
  waitSailReady(list, context, CNI_REF, fromSail);
  list.wait(
    'wait for the istio-cni-node DaemonSet to roll out',
    { kind: 'daemonset-rolled-out', namespace: CNI_NAMESPACE, name: 'istio-cni-node', version: fromSail },
    timeouts.daemonSetRollout,
  );
  installZtunnel(list, context, fromSail, options.ztunnel ?? {});
  ztunnelsSynced(list, context, revision, fromSail);
}

/**
 * After every ztunnel step: each ztunnel pod connected to an istiod of `revision`, on `version`, SYNCED
 * (`/debug/syncz?namespace=ztunnel` of every istiod). Nothing else shows a ztunnel left on the old control plane.
 */
export function ztunnelsSynced(
  list: StepList,
  context: ScenarioContext,
  revision: string,
  version: SailVersionString,
): void {
  list.probe(`check every ztunnel is connected to istiod ${revision}, SYNCED on ${version}`, {
    kind: 'ztunnel-proxy-status',
    expect: { version, revision },
    timeoutMs: context.timeouts.converge,
  });
}

/** Applies ZTunnel at `version` and waits for its DaemonSet (also used to re-create it between rounds). */
export function installZtunnel(
  list: StepList,
  context: ScenarioContext,
  version: SailVersionString,
  options: NonNullable<MeshOptions['ztunnel']>,
): void {
  const grace = options.terminationGracePeriodSeconds;
  const details = [
    options.updateStrategy === undefined ? undefined : options.updateStrategy,
    grace === undefined ? undefined : `grace ${grace}s`,
  ].filter((part) => part !== undefined);
  list.apply(`install ZTunnel at ${version}${details.length > 0 ? ` (${details.join(', ')})` : ''}`, [
    ztunnel({ version, istioName: ISTIO_NAME, ...options, ...run(context) }),
  ]);
  waitSailReady(list, context, ZTUNNEL_REF, version);
  list.wait(
    'wait for the ztunnel DaemonSet to roll out',
    { kind: 'daemonset-rolled-out', namespace: ZTUNNEL_NAMESPACE, name: 'ztunnel', version },
    context.timeouts.daemonSetRollout,
  );
}

export interface AppsOptions {
  waypoint: WaypointPlacement;
  /** Extra namespaces and objects (connection pairs, traffic clients), applied with the clients. */
  extra?: {
    namespaces: string[];
    objects: KubeObject[];
    podWaits: { name: string; target: PodTarget; min: number }[];
  };
  /** Rewrites bookinfo and waypoint objects before they are applied (node-drain high availability). */
  transform?: (objects: KubeObject[]) => KubeObject[];
}

/** Deploys bookinfo, the probe clients, the waypoint, the HTTPRoute and the AuthorizationPolicy, then waits. */
export function deployApps(list: StepList, context: ScenarioContext, options: AppsOptions): void {
  const { timeouts } = context;
  const transform = options.transform ?? ((objects: KubeObject[]) => objects);
  const wp = options.waypoint;
  const namespaces = [
    wp.crossNamespace
      ? ambientNamespace(BOOKINFO, {
          useWaypoint: wp.name,
          useWaypointNamespace: wp.namespace,
          ...run(context),
        })
      : ambientNamespace(BOOKINFO, { useWaypoint: wp.name, ...run(context) }),
    ambientNamespace(ALLOWED_CLIENT.namespace, run(context)),
    ...(wp.crossNamespace ? [ambientNamespace(wp.namespace, run(context))] : []),
    ...(options.extra?.namespaces ?? []).map((name) => ambientNamespace(name, run(context))),
  ];
  list.apply('create the application namespaces in ambient mode', namespaces);

  const bookinfo = transform([
    ...inNamespace(context.samples.bookinfo, BOOKINFO),
    ...inNamespace(context.samples.bookinfoVersions, BOOKINFO),
  ]);
  list.apply('deploy bookinfo and bookinfo-versions', bookinfo);

  const clientNamespaces = [
    ...new Set([ALLOWED_CLIENT.namespace, OTHER_CLIENT.namespace, ...(options.extra?.namespaces ?? [])]),
  ];
  list.apply('deploy the probe clients', [
    ...clientNamespaces.map((namespace) =>
      probeBundleConfigMap({ namespace, bundle: context.probeBundle, ...run(context) }),
    ),
    ...clientObjects(context, ALLOWED_CLIENT),
    ...clientObjects(context, OTHER_CLIENT),
    ...(options.extra?.objects ?? []),
  ]);
  list.wait(
    'wait for the bookinfo pods to be Ready',
    { kind: 'pods-ready', namespace: BOOKINFO, selector: 'app', min: 6 },
    timeouts.podsReady,
  );
  for (const client of [ALLOWED_CLIENT, OTHER_CLIENT]) {
    const target = clientTarget(context, client);
    list.wait(
      `wait for ${client.namespace}/${client.name} to be Ready`,
      { kind: 'pods-ready', ...target, min: 1 },
      timeouts.podsReady,
    );
  }
  for (const podWait of options.extra?.podWaits ?? []) {
    list.wait(podWait.name, { kind: 'pods-ready', ...podWait.target, min: podWait.min }, timeouts.podsReady);
  }

  const gateway = waypoint({
    namespace: wp.namespace,
    name: wp.name,
    ...(wp.revision === undefined ? {} : { revision: wp.revision }),
    ...(wp.crossNamespace ? { allowedFromNamespaces: [BOOKINFO] } : {}),
    ...run(context),
  });
  list.apply(`deploy waypoint ${wp.namespace}/${wp.name}`, transform([gateway]));
  list.wait(
    `wait for waypoint ${wp.namespace}/${wp.name} to be Programmed`,
    { kind: 'waypoint-programmed', namespace: wp.namespace, name: wp.name },
    timeouts.waypointProgrammed,
  );
  list.wait(
    `wait for waypoint ${wp.namespace}/${wp.name} to run ${context.fromSail}`,
    { kind: 'waypoint-rolled-out', namespace: wp.namespace, name: wp.name, version: context.fromSail },
    timeouts.waypointRollout,
  );
  list.apply('route reviews 90/10 and allow only default/curl to GET productpage', [
    reviewsRoute({ namespace: BOOKINFO, weights: REVIEWS_WEIGHTS, ...run(context) }),
    productpagePolicy(context),
  ]);
}

/** The one AuthorizationPolicy the plans apply; the authz rows read its deny mechanism from it. */
function productpagePolicy(context: ScenarioContext): KubeObject {
  return productpageAuthorizationPolicy({
    namespace: BOOKINFO,
    allowedPrincipal: `cluster.local/ns/${ALLOWED_CLIENT.namespace}/sa/${ALLOWED_CLIENT.serviceAccount}`,
    ...run(context),
  });
}

/** The labels the waypoint placement needs on namespace bookinfo. */
export function bookinfoWaypointLabels(wp: WaypointPlacement): Record<string, string> {
  const labels: Record<string, string> = {
    'istio.io/dataplane-mode': 'ambient',
    'istio.io/use-waypoint': wp.name,
  };
  if (wp.crossNamespace) labels['istio.io/use-waypoint-namespace'] = wp.namespace;
  return labels;
}

/** A skew probe whose expectation is what the plan has set so far. */
export function skewProbe(list: StepList, name = 'check the mesh versions are within the skew policy'): void {
  const mesh = meshAfter(list.steps);
  if (mesh.controlPlane === undefined || mesh.cni === undefined || mesh.ztunnel === undefined) {
    throw new Error(`skew probe "${name}" before the mesh is installed`);
  }
  list.probe(name, {
    kind: 'skew',
    expected: { controlPlane: mesh.controlPlane, cni: mesh.cni, ztunnel: mesh.ztunnel },
  });
}

export const SNAPSHOT_BEFORE_UPGRADE = 'before-upgrade';
/** Application and client pods: everything in those namespaces but waypoint pods (re-rendered on upgrade). */
const APP_POD_SELECTOR = '!gateway.networking.k8s.io/gateway-name';

/** The reviews HTTPRoute of `reviewsRoute` (its name and namespace). */
const REVIEWS_ROUTE = { namespace: BOOKINFO, name: 'reviews' };
/** Consecutive answers from listed backends before the weight test counts (at least 20: issue 10 item 8). */
export const WEIGHTS_WARMUP_ANSWERS = 20;
/** bookinfo has no readiness probes: 503s right after a rollout are normal, so wait for this many 2xx in a row. */
export const GOOD_ANSWERS_IN_A_ROW = 10;

/**
 * The L7 checks, each after the state it samples has converged: the HTTPRoute Accepted on its generation (else a
 * `reviews-v3` answer from before the route reached the waypoint fails a healthy mesh), a run of good answers from
 * productpage, one RBAC deny (the policy reached the waypoint); then the weights (with a warm-up) and the
 * AuthorizationPolicy matrix, one step per row, each row with the deny mechanism of the policy that applies.
 */
export function l7Probes(list: StepList, context: ScenarioContext, when: string): void {
  const allowed = clientTarget(context, ALLOWED_CLIENT);
  const other = clientTarget(context, OTHER_CLIENT);
  const converge = context.timeouts.converge;
  const denyBy = denyMechanismOf(productpagePolicy(context));
  list.wait(
    `${when}: wait for HTTPRoute ${REVIEWS_ROUTE.namespace}/${REVIEWS_ROUTE.name} Accepted and ResolvedRefs on its generation`,
    { kind: 'route-accepted', ...REVIEWS_ROUTE },
    converge,
  );
  list.probe(`${when}: wait for ${GOOD_ANSWERS_IN_A_ROW} good answers in a row from productpage`, {
    kind: 'authz',
    client: allowed,
    url: PRODUCTPAGE_URL,
    method: 'GET',
    expect: 'allow',
    denyBy,
    settle: { consecutive: GOOD_ANSWERS_IN_A_ROW, timeoutMs: converge },
  });
  list.probe(`${when}: wait for the ${denyBy} to enforce the AuthorizationPolicy (one RBAC deny)`, {
    kind: 'authz',
    client: other,
    url: PRODUCTPAGE_URL,
    method: 'GET',
    expect: 'deny',
    denyBy,
    settle: { consecutive: 1, timeoutMs: converge },
  });
  list.probe(`${when}: reviews splits 90/10 between reviews-v1 and reviews-v2`, {
    kind: 'weights',
    client: allowed,
    url: REVIEWS_URL,
    match: 'reviews-v[0-9]',
    expected: REVIEWS_WEIGHTS,
    warmup: { count: WEIGHTS_WARMUP_ANSWERS, timeoutMs: converge },
  });
  list.probe(`${when}: default/curl may GET productpage`, {
    kind: 'authz',
    client: allowed,
    url: PRODUCTPAGE_URL,
    method: 'GET',
    expect: 'allow',
    denyBy,
  });
  list.probe(`${when}: default/curl may not POST productpage`, {
    kind: 'authz',
    client: allowed,
    url: PRODUCTPAGE_URL,
    method: 'POST',
    expect: 'deny',
    denyBy,
  });
  list.probe(`${when}: ${OTHER_CLIENT.namespace}/${OTHER_CLIENT.serviceAccount} may not GET productpage`, {
    kind: 'authz',
    client: other,
    url: PRODUCTPAGE_URL,
    method: 'GET',
    expect: 'deny',
    denyBy,
  });
}

export interface BaselineOptions {
  strategy: UpdateStrategy;
  waypoint: WaypointPlacement;
  /** Take the app-pod snapshot the verify phase compares against (not when the plan evicts pods). */
  snapshot: boolean;
}

/** What must hold before the upgrade, so a broken start fails as "baseline", not as the upgrade. */
export function baseline(list: StepList, context: ScenarioContext, options: BaselineOptions): void {
  list.inPhase('baseline');
  const wp = options.waypoint;
  skewProbe(list, 'baseline: the mesh versions are within the skew policy');
  list.probe(`baseline: waypoint ${wp.namespace}/${wp.name} is SYNCED on ${context.fromSail}`, {
    kind: 'proxy-status',
    waypoint: { namespace: wp.namespace, name: wp.name },
    expect: { version: context.fromSail, revision: servingRevision(options.strategy, context.from) },
  });
  l7Probes(list, context, 'baseline');
  if (options.snapshot) {
    list.probe('record the application pods before the upgrade', {
      kind: 'pod-snapshot',
      snapshot: SNAPSHOT_BEFORE_UPGRADE,
      namespaces: [BOOKINFO, ALLOWED_CLIENT.namespace],
      selector: APP_POD_SELECTOR,
    });
  }
}

/** InPlace: patch Istio.spec.version, wait for istiod and the waypoint to move to the new version. */
export function upgradeControlPlaneInPlace(
  list: StepList,
  context: ScenarioContext,
  wp: WaypointPlacement,
  options: { istiodMinReplicas?: number } = {},
): void {
  const { toSail, timeouts } = context;
  upgradeSailResource(list, context, ISTIO_REF);
  list.wait(
    `wait for istiod to roll out ${toSail}`,
    {
      kind: 'istiod-rolled-out',
      namespace: ISTIO_NAMESPACE,
      revision: ISTIO_NAME,
      version: toSail,
      ...(options.istiodMinReplicas === undefined ? {} : { minReplicas: options.istiodMinReplicas }),
    },
    timeouts.istiodRollout,
  );
  list.wait(
    'wait for exactly one IstioRevision, default',
    { kind: 'revisions', istio: ISTIO_NAME, activeRevision: ISTIO_NAME, version: toSail, total: 1 },
    timeouts.revisions,
  );
  list.wait(
    `wait for waypoint ${wp.namespace}/${wp.name} to run ${toSail}`,
    {
      kind: 'waypoint-rolled-out',
      namespace: wp.namespace,
      name: wp.name,
      version: toSail,
      revision: ISTIO_NAME,
    },
    timeouts.waypointRollout,
  );
  skewProbe(list);
}

/**
 * RevisionBased with the `default` tag: a new revision becomes active, the tag follows it, the waypoint moves to
 * the new istiod, ztunnel (targetRef) settles on the new revision, and the old revision is pruned after the grace.
 */
export function upgradeControlPlaneRevisionBased(
  list: StepList,
  context: ScenarioContext,
  wp: WaypointPlacement,
): void {
  const { toSail, fromSail, timeouts } = context;
  const newRevision = revisionName(ISTIO_NAME, context.to);
  upgradeSailResource(list, context, ISTIO_REF);
  list.wait(
    `wait for revision ${newRevision} to be Ready and active`,
    { kind: 'revisions', istio: ISTIO_NAME, activeRevision: newRevision, version: toSail },
    timeouts.revisions,
  );
  list.wait(
    `wait for istiod-${newRevision} to roll out`,
    { kind: 'istiod-rolled-out', namespace: ISTIO_NAMESPACE, revision: newRevision, version: toSail },
    timeouts.istiodRollout,
  );
  list.wait(
    `wait for tag default to follow ${newRevision}`,
    { kind: 'tag-points-to', tag: TAG_REF.name, revision: newRevision },
    timeouts.tagFollows,
  );
  list.wait(
    `wait for waypoint ${wp.namespace}/${wp.name} to run ${toSail}`,
    { kind: 'waypoint-rolled-out', namespace: wp.namespace, name: wp.name, version: toSail },
    timeouts.waypointRollout,
  );
  list.probe(
    `check waypoint ${wp.namespace}/${wp.name} reconnected to istiod-${newRevision}, SYNCED on ${toSail}`,
    {
      kind: 'proxy-status',
      waypoint: { namespace: wp.namespace, name: wp.name },
      expect: { version: toSail, revision: newRevision },
    },
  );
  // ZTunnel's targetRef follows the active revision: Sail re-renders its DaemonSet onto the new istiod (annotation
  // istio.io/rev, XDS_ADDRESS) at the old version, which replaces every ztunnel pod. A plain rollout wait would pass
  // at once on the old template, before Sail re-rendered it.
  list.wait(
    `wait for ZTunnel and its DaemonSet to move to ${newRevision} and roll out at ${fromSail}`,
    {
      kind: 'ztunnel-on-revision',
      revision: newRevision,
      istiodNamespace: ISTIO_NAMESPACE,
      version: fromSail,
    },
    timeouts.daemonSetRollout + (context.workers + 1) * DEFAULT_ZTUNNEL_GRACE_SECONDS * 1000,
  );
  ztunnelsSynced(list, context, newRevision, fromSail);
}

/** RevisionBased, after the move: the old revision is pruned after its grace once nothing uses it. */
export function pruneOldRevision(list: StepList, context: ScenarioContext): void {
  const { toSail, timeouts } = context;
  const oldRevision = revisionName(ISTIO_NAME, context.from);
  const newRevision = revisionName(ISTIO_NAME, context.to);
  list.wait(
    `wait for the unused revision ${oldRevision} to be pruned after ${context.revisionGraceSeconds}s`,
    { kind: 'revision-gone', name: oldRevision, istiodNamespace: ISTIO_NAMESPACE },
    context.revisionGraceSeconds * 1000 + timeouts.revisionPruneMargin,
  );
  list.wait(
    `wait for exactly one IstioRevision, ${newRevision}`,
    { kind: 'revisions', istio: ISTIO_NAME, activeRevision: newRevision, version: toSail, total: 1 },
    timeouts.revisions,
  );
  skewProbe(list);
}

export function upgradeCni(list: StepList, context: ScenarioContext): void {
  const { toSail, timeouts } = context;
  upgradeSailResource(list, context, CNI_REF);
  list.wait(
    `wait for the istio-cni-node DaemonSet to roll out ${toSail}`,
    { kind: 'daemonset-rolled-out', namespace: CNI_NAMESPACE, name: 'istio-cni-node', version: toSail },
    timeouts.daemonSetRollout,
  );
  skewProbe(list);
}

/**
 * RollingUpdate: patch ZTunnel and wait for every node; the timeout grows with the grace each old pod drains.
 * `templateGraceSeconds`, when the ZTunnel carries a grace of its own, is checked on the rolled-out template.
 */
export function upgradeZtunnelRolling(
  list: StepList,
  context: ScenarioContext,
  options: { graceSeconds: number; revision: string; templateGraceSeconds?: number },
): void {
  const { toSail, timeouts } = context;
  upgradeSailResource(list, context, ZTUNNEL_REF);
  list.wait(
    `wait for the ztunnel DaemonSet to roll out ${toSail}`,
    {
      kind: 'daemonset-rolled-out',
      namespace: ZTUNNEL_NAMESPACE,
      name: 'ztunnel',
      version: toSail,
      ...(options.templateGraceSeconds === undefined
        ? {}
        : { terminationGracePeriodSeconds: options.templateGraceSeconds }),
    },
    timeouts.daemonSetRollout + (context.workers + 1) * options.graceSeconds * 1000,
  );
  ztunnelsSynced(list, context, options.revision, toSail);
  skewProbe(list);
}

export interface VerifyOptions {
  strategy: UpdateStrategy;
  waypoint: WaypointPlacement;
  podsUnchanged: boolean;
}

/** What must hold after the upgrade. */
export function verify(list: StepList, context: ScenarioContext, options: VerifyOptions): void {
  list.inPhase('verify');
  const wp = options.waypoint;
  const revision = servingRevision(options.strategy, context.to);
  list.wait(
    `check exactly one IstioRevision, ${revision}, remains`,
    { kind: 'revisions', istio: ISTIO_NAME, activeRevision: revision, version: context.toSail, total: 1 },
    context.timeouts.revisions,
  );
  list.wait(
    `check Sail reports Istio ${ISTIO_NAME} Healthy with DependenciesHealthy`,
    { kind: 'istio-healthy', istio: ISTIO_NAME },
    context.timeouts.sailReady,
  );
  if (options.waypoint.crossNamespace) {
    // The labels are re-applied before the upgrade; after it they are only read: one lost in the upgrade fails.
    list.probe(`check namespace ${BOOKINFO} kept its waypoint labels through the upgrade`, {
      kind: 'namespace-labels',
      namespace: BOOKINFO,
      expected: bookinfoWaypointLabels(options.waypoint),
      repair: false,
    });
  }
  skewProbe(list, `check every component runs ${context.toSail}`);
  list.probe(
    `check waypoint ${wp.namespace}/${wp.name} runs ${context.toSail}, SYNCED with istiod ${revision}`,
    {
      kind: 'proxy-status',
      waypoint: { namespace: wp.namespace, name: wp.name },
      expect: { version: context.toSail, revision },
    },
  );
  if (options.podsUnchanged) {
    list.probe('check the application pods kept their UIDs and restart counts', {
      kind: 'pods-unchanged',
      snapshot: SNAPSHOT_BEFORE_UPGRADE,
    });
  }
  l7Probes(list, context, 'after the upgrade');
}

/** A connection-probe client and an echo server, each pinned to a node. */
export function connectionPair(
  context: ScenarioContext,
  name: string,
  clientNode: NodeRef,
  serverNode: NodeRef,
): {
  objects: KubeObject[];
  pair: ConnectionPair;
  waits: { name: string; target: PodTarget; min: number }[];
} {
  const client = { namespace: CONNECTIONS, serviceAccount: 'connections-client', name: `${name}-client` };
  const clientObjects = pinToNode(probeClient({ ...client, ...run(context) }), clientNode);
  const serverObjects = pinToNode(
    echoServer({ namespace: CONNECTIONS, name: `${name}-echo`, port: ECHO_PORT, ...run(context) }),
    serverNode,
  );
  const clientTarget = { namespace: CONNECTIONS, selector: selectorOf(clientObjects) };
  const serverTarget = { namespace: CONNECTIONS, selector: selectorOf(serverObjects) };
  return {
    objects: [...clientObjects, ...serverObjects],
    pair: {
      client: { ...clientTarget, node: clientNode },
      server: { host: `${name}-echo.${CONNECTIONS}`, port: ECHO_PORT, node: serverNode },
    },
    waits: [
      { name: `wait for ${CONNECTIONS}/${name}-client to be Ready`, target: clientTarget, min: 1 },
      { name: `wait for ${CONNECTIONS}/${name}-echo to be Ready`, target: serverTarget, min: 1 },
    ],
  };
}
