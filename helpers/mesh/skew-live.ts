import { compareVersions, type MeshVersions, tryParseVersion, type Version } from '../versions/index.ts';
import { versionFromImage } from './images.ts';
import { Pod, parseAs } from './k8s-shapes.ts';
import type { MeshKube } from './kube.ts';
import type { ProxyStatus } from './proxy-status.ts';
import { istiodName, istioRevisions } from './revisions.ts';
import { readAllSyncz } from './syncz.ts';
import { SAIL_API } from './waits.ts';
import { WAYPOINT_GATEWAY_LABEL } from './waypoint-readiness.ts';

/** Everything read from the cluster that carries a version, as plain JSON. */
export interface ObservedMesh {
  istio: unknown;
  cni: unknown;
  ztunnel: unknown;
  /** Pods `app=istiod` (all revisions). */
  istiodPods: readonly unknown[];
  cniPods: readonly unknown[];
  ztunnelPods: readonly unknown[];
  waypointPods: readonly unknown[];
  /**
   * istiod's `/debug/syncz` rows, read when a waypoint's image carries no version (OSSM pins every image by
   * digest): each proxy reports its own `istio_version` there.
   */
  syncz?: readonly Pick<ProxyStatus, 'proxy' | 'namespace' | 'version'>[];
  /** Why syncz could not be read, when it was needed. */
  synczProblems?: readonly string[];
}

export interface VersionObservation {
  component: 'control-plane' | 'cni' | 'ztunnel' | 'waypoint';
  where: string;
  version: string | undefined;
  source: 'spec.version' | 'image' | 'syncz';
}

/**
 * The versions `checkMeshSkew` judges, from what runs rather than what was asked for: control plane = the active
 * revision's istiod pods (their image tag; `Istio.spec.version` when digest-pinned); CNI and ztunnel = the oldest
 * version among their running pods (a half-done rollout counts at its worst); waypoints = each pod's proxy image.
 * `problems` lists what could not be read; `versions` is undefined when a component has no version at all.
 */
export function meshVersionsFromObserved(observed: ObservedMesh): {
  versions: MeshVersions | undefined;
  observations: VersionObservation[];
  problems: string[];
} {
  const observations: VersionObservation[] = [];
  const problems: string[] = [];
  const specVersion = (cr: unknown): string | undefined =>
    (cr as { spec?: { version?: unknown } } | undefined)?.spec?.version as string | undefined;

  const view = observed.istio ? istioRevisions(observed.istio) : undefined;
  const active = view?.active ?? view?.expectedActive;
  const istiodImages = podImages(observed.istiodPods, 'discovery').filter(
    (p) =>
      active === undefined ||
      (p.labels['istio.io/rev'] ?? 'default') === active ||
      p.name.startsWith(`${istiodName(active)}-`),
  );
  for (const p of istiodImages)
    observations.push({
      component: 'control-plane',
      where: p.name,
      version: versionFromImage(p.image),
      source: 'image',
    });
  if (view?.specVersion)
    observations.push({
      component: 'control-plane',
      where: `Istio ${view.name}`,
      version: view.specVersion,
      source: 'spec.version',
    });
  // CNI and ztunnel alike: one observation per running DaemonSet pod (its container's image) plus the CR's spec.
  const daemonSetObservations = (
    component: 'cni' | 'ztunnel',
    pods: readonly unknown[],
    container: string,
    cr: { kind: string; object: unknown },
  ): void => {
    for (const p of podImages(pods, container))
      observations.push({
        component,
        where: `${p.name} on ${p.node ?? '?'}`,
        version: versionFromImage(p.image),
        source: 'image',
      });
    observations.push({
      component,
      where: `${cr.kind} default`,
      version: specVersion(cr.object),
      source: 'spec.version',
    });
  };
  daemonSetObservations('cni', observed.cniPods, 'install-cni', { kind: 'IstioCNI', object: observed.cni });
  daemonSetObservations('ztunnel', observed.ztunnelPods, 'istio-proxy', {
    kind: 'ZTunnel',
    object: observed.ztunnel,
  });
  const waypoints = podImages(observed.waypointPods, 'istio-proxy');
  for (const p of waypoints) {
    const fromImage = versionFromImage(p.image);
    // A digest-pinned image names no version: the proxy's own report to istiod does.
    const fromSyncz =
      fromImage === undefined
        ? observed.syncz?.find((r) => r.proxy === p.name && r.namespace === p.namespace)?.version
        : undefined;
    observations.push({
      component: 'waypoint',
      where: `${p.namespace}/${p.name}`,
      version: fromImage ?? fromSyncz,
      source: fromImage === undefined && fromSyncz !== undefined ? 'syncz' : 'image',
    });
  }
  problems.push(...(observed.synczProblems ?? []));

  const pick = (component: VersionObservation['component'], which: 'min' | 'max'): Version | undefined => {
    const fromImages = parsed(observations.filter((o) => o.component === component && o.source === 'image'));
    const chosen =
      fromImages.length > 0 ? fromImages : parsed(observations.filter((o) => o.component === component));
    if (chosen.length === 0) {
      problems.push(`no ${component} version observed`);
      return undefined;
    }
    return [...chosen].sort((a, b) => (which === 'min' ? compareVersions(a, b) : compareVersions(b, a)))[0];
  };
  const controlPlane = pick('control-plane', 'min');
  const cniVersion = pick('cni', 'min');
  const ztunnelVersion = pick('ztunnel', 'min');
  const waypointVersions = observations
    .filter((o) => o.component === 'waypoint')
    .flatMap((o) => {
      const v = o.version === undefined ? undefined : tryParseVersion(o.version);
      if (!v)
        problems.push(`waypoint ${o.where}: no version in its image and none reported in istiod's syncz`);
      return v ? [{ name: o.where, version: v }] : [];
    });
  const versions =
    controlPlane && cniVersion && ztunnelVersion
      ? {
          controlPlane,
          cni: cniVersion,
          ztunnel: ztunnelVersion,
          ...(waypointVersions.length ? { waypoints: waypointVersions } : {}),
        }
      : undefined;
  return { versions, observations, problems };
}

function parsed(observations: readonly VersionObservation[]): Version[] {
  return observations.flatMap((o) => {
    const v = o.version === undefined ? undefined : tryParseVersion(o.version);
    return v ? [v] : [];
  });
}

function podImages(pods: readonly unknown[], container: string) {
  return pods.flatMap((raw) => {
    const pod = parseAs(Pod, raw, 'Pod');
    if (pod instanceof Error || pod.metadata.deletionTimestamp) return [];
    return [
      {
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        node: pod.spec.nodeName,
        labels: pod.metadata.labels ?? {},
        image: pod.spec.containers.find((c) => c.name === container)?.image,
      },
    ];
  });
}

/** Reads the objects `meshVersionsFromObserved` needs (default namespaces; waypoints in `waypointNamespaces`). */
export async function readObservedMesh(
  kube: MeshKube,
  options: {
    istioName?: string;
    istioNamespace?: string;
    cniNamespace?: string;
    ztunnelNamespace?: string;
    waypointNamespaces?: readonly string[];
  } = {},
): Promise<ObservedMesh> {
  const pods = (namespace: string, labelSelector: string) =>
    kube.list({ apiVersion: 'v1', kind: 'Pod', namespace, labelSelector });
  const [istio, cni, ztunnel, istiodPods, cniPods, ztunnelPods, ...waypointLists] = await Promise.all([
    kube.get({ apiVersion: SAIL_API, kind: 'Istio', name: options.istioName ?? 'default' }),
    kube.get({ apiVersion: SAIL_API, kind: 'IstioCNI', name: 'default' }),
    kube.get({ apiVersion: SAIL_API, kind: 'ZTunnel', name: 'default' }),
    pods(options.istioNamespace ?? 'istio-system', 'app=istiod'),
    pods(options.cniNamespace ?? 'istio-cni', 'k8s-app=istio-cni-node'),
    pods(options.ztunnelNamespace ?? 'ztunnel', 'app=ztunnel'),
    ...(options.waypointNamespaces ?? []).map((ns) =>
      pods(ns, `${WAYPOINT_GATEWAY_LABEL},gateway.networking.k8s.io/gateway-class-name=istio-waypoint`),
    ),
  ]);
  const waypointPods = waypointLists.flat();
  const observed: ObservedMesh = { istio, cni, ztunnel, istiodPods, cniPods, ztunnelPods, waypointPods };
  const untagged = podImages(waypointPods, 'istio-proxy').some(
    (p) => versionFromImage(p.image) === undefined,
  );
  if (!untagged) return observed;
  const merged = await readAllSyncz(kube, options.istioNamespace ?? 'istio-system');
  return {
    ...observed,
    syncz: merged.rows,
    synczProblems: merged.failures.map((f) => `syncz of ${f.istiod.namespace}/${f.istiod.pod}: ${f.error}`),
  };
}
