import type { Clock } from '../k8s/clock.ts';
import { describeValue, type WaitOptions, WaitTimeout, waitFor } from '../k8s/wait.ts';
import { isPodReady, Pod, parseAs } from './k8s-shapes.ts';
import type { MeshKube } from './kube.ts';
import { type Judgement, judgeWaypoint, judgeZtunnels, renderProxyStatus } from './proxy-status.ts';
import {
  cniUpgraded,
  istioUpgraded,
  type Readiness,
  type SailKind,
  sailReady,
  ztunnelUpgraded,
} from './readiness.ts';
import { expectedRevisionName, istiodName, istioRevisions } from './revisions.ts';
import { readAllSyncz } from './syncz.ts';
import { WAYPOINT_GATEWAY_LABEL, waypointReady } from './waypoint-readiness.ts';
import { ZTUNNEL_SELECTOR } from './ztunnel-pods.ts';

// Live waits: a read of the objects, a pure judgement from readiness.ts / proxy-status.ts, and on timeout what was
// seen last plus pod phases and recent events of the namespaces involved.

export const SAIL_API = 'sailoperator.io/v1';

export interface MeshWaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  onPoll?: WaitOptions['onPoll'];
}

interface Seen {
  done: boolean;
  detail: string;
}

/**
 * Polls a judgement until done; on timeout the error carries the last judgement plus pod phases and recent events of
 * `namespaces`. Every live wait (these and the plan runner's) goes through here.
 */
export async function waitJudged<T extends Seen>(
  kube: MeshKube,
  what: string,
  read: () => Promise<T>,
  namespaces: () => readonly string[],
  options: MeshWaitOptions,
): Promise<T> {
  try {
    return await waitFor(what, read, (v) => v.done, { ...options, describe: describeSeen });
  } catch (error) {
    if (!(error instanceof WaitTimeout)) throw error;
    const context = await clusterContext(kube, namespaces()).catch(
      (e: unknown) => `(could not read pods/events: ${String(e)})`,
    );
    throw new WaitTimeout(
      what,
      error.timeoutMs,
      error.lastSeen,
      (last) => `${describeSeen(last)}\n${context}`,
    );
  }
}

function describeSeen(last: unknown): string {
  if (typeof last === 'object' && last !== null && 'detail' in last && typeof last.detail === 'string')
    return last.detail;
  return describeValue(last);
}

/** Pod phases and the last events of each namespace, for a timeout message. */
export async function clusterContext(
  kube: MeshKube,
  namespaces: readonly string[],
  eventCount = 10,
): Promise<string> {
  const lines: string[] = [];
  for (const namespace of namespaces) {
    const pods = await kube.list({ apiVersion: 'v1', kind: 'Pod', namespace });
    lines.push(`pods in ${namespace}: ${pods.map(podPhase).join(', ') || 'none'}`);
    const events = await kube.events(namespace, undefined, eventCount);
    lines.push(`recent events in ${namespace}:`, ...events.map((e) => `  ${e}`));
  }
  return lines.join('\n');
}

export function podPhase(raw: unknown): string {
  const pod = parseAs(Pod, raw, 'Pod');
  if (pod instanceof Error) return '?';
  const state = pod.metadata.deletionTimestamp ? 'Terminating' : (pod.status.phase ?? 'Unknown');
  return `${pod.metadata.name}=${state}${isPodReady(pod) ? '/Ready' : ''}`;
}

function sailRef(kind: SailKind, name: string) {
  return { apiVersion: SAIL_API, kind, name };
}

/** A Sail CR Ready/Reconciled on its current generation (and version). Not enough after an upgrade: see below. */
export function waitSailReady(
  kube: MeshKube,
  kind: SailKind,
  name: string,
  expect: { version?: string; namespaces?: readonly string[] },
  options: MeshWaitOptions,
): Promise<Readiness> {
  return waitJudged(
    kube,
    `${kind} ${name} Ready${expect.version ? ` on ${expect.version}` : ''}`,
    async () =>
      sailReady(await kube.get(sailRef(kind, name)), expect.version ? { version: expect.version } : {}),
    () => expect.namespaces ?? [],
    options,
  );
}

/** Istio `name` upgraded to `version`: CR, active IstioRevision and istiod Deployment (see `istioUpgraded`). */
export function waitIstioUpgraded(
  kube: MeshKube,
  expect: { name?: string; version: string; namespace?: string },
  options: MeshWaitOptions,
): Promise<Readiness> {
  const name = expect.name ?? 'default';
  const namespace = expect.namespace ?? 'istio-system';
  return waitJudged(
    kube,
    `Istio ${name} upgraded to ${expect.version}`,
    async () => {
      const istio = await kube.get(sailRef('Istio', name));
      if (!istio) return { done: false, detail: `Istio ${name} not found` };
      const view = istioRevisions(istio);
      const expectedRevision = expectedRevisionName(name, expect.version, view.strategy);
      const [revision, istiod] = await Promise.all([
        kube.get(sailRef('IstioRevision', expectedRevision)),
        kube.get({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace,
          name: istiodName(expectedRevision),
        }),
      ]);
      return istioUpgraded({ istio, revision, istiod, version: expect.version, expectedRevision });
    },
    () => [namespace],
    options,
  );
}

/**
 * Sail CR `kind`/`default` and the DaemonSet it runs, read together each poll and judged by `judge`; on timeout
 * the context is the DaemonSet's namespace.
 */
function waitDaemonSetUpgraded(
  kube: MeshKube,
  target: { kind: SailKind; daemonSet: string; namespace: string; version: string },
  judge: (cr: unknown, daemonSet: unknown) => Readiness,
  options: MeshWaitOptions,
): Promise<Readiness> {
  const { kind, namespace } = target;
  return waitJudged(
    kube,
    `${kind} default upgraded to ${target.version}`,
    async () => {
      const [cr, daemonSet] = await Promise.all([
        kube.get(sailRef(kind, 'default')),
        kube.get({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace, name: target.daemonSet }),
      ]);
      return judge(cr, daemonSet);
    },
    () => [namespace],
    options,
  );
}

/** IstioCNI `default` upgraded: CR settled and DaemonSet `istio-cni-node` rolled out everywhere. */
export function waitCniUpgraded(
  kube: MeshKube,
  expect: { version: string; namespace?: string },
  options: MeshWaitOptions,
): Promise<Readiness> {
  const { version } = expect;
  return waitDaemonSetUpgraded(
    kube,
    { kind: 'IstioCNI', daemonSet: 'istio-cni-node', namespace: expect.namespace ?? 'istio-cni', version },
    (cni, daemonSet) => cniUpgraded({ cni, daemonSet, version }),
    options,
  );
}

/** ZTunnel `default` upgraded: CR settled and DaemonSet `ztunnel` rolled out on every node. */
export function waitZtunnelUpgraded(
  kube: MeshKube,
  expect: { version: string; namespace?: string },
  options: MeshWaitOptions,
): Promise<Readiness> {
  const { version } = expect;
  return waitDaemonSetUpgraded(
    kube,
    { kind: 'ZTunnel', daemonSet: 'ztunnel', namespace: expect.namespace ?? 'ztunnel', version },
    (ztunnel, daemonSet) => ztunnelUpgraded({ ztunnel, daemonSet, version }),
    options,
  );
}

async function waypointPods(kube: MeshKube, namespace: string, name: string) {
  return kube.list({
    apiVersion: 'v1',
    kind: 'Pod',
    namespace,
    labelSelector: `${WAYPOINT_GATEWAY_LABEL}=${name}`,
  });
}

/** Waypoint Gateway Programmed, Deployment rolled out, pods Ready on `version` and `revision`. */
export function waitWaypointReady(
  kube: MeshKube,
  expect: { namespace: string; name: string; version?: string; revision?: string },
  options: MeshWaitOptions,
): Promise<Readiness> {
  const { namespace, name } = expect;
  return waitJudged(
    kube,
    `waypoint ${namespace}/${name} ready${expect.version ? ` on ${expect.version}` : ''}`,
    async () => {
      const [gateway, deployment, pods] = await Promise.all([
        kube.get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace, name }),
        kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }),
        waypointPods(kube, namespace, name),
      ]);
      return waypointReady({
        gateway,
        deployment,
        pods,
        ...(expect.version ? { version: expect.version } : {}),
        ...(expect.revision ? { revision: expect.revision } : {}),
      });
    },
    () => [namespace],
    options,
  );
}

/**
 * Waypoint SYNCED with an istiod of the new revision on the new version, from `/debug/syncz` of every istiod
 * (see `judgeWaypoint`). An unreadable istiod keeps the wait going: its proxies would be missing.
 */
export function waitWaypointSynced(
  kube: MeshKube,
  expect: { istiodNamespace?: string; namespace: string; name: string; version: string; revision: string },
  options: MeshWaitOptions,
): Promise<Judgement & Seen> {
  const istiodNamespace = expect.istiodNamespace ?? 'istio-system';
  return waitJudged(
    kube,
    `waypoint ${expect.namespace}/${expect.name} SYNCED with revision ${expect.revision} on ${expect.version}`,
    async () => {
      const pods = (await waypointPods(kube, expect.namespace, expect.name))
        .map((p) => parseAs(Pod, p, 'Pod'))
        .filter((p): p is Pod => !(p instanceof Error) && p.metadata.deletionTimestamp === undefined)
        .map((p) => p.metadata.name);
      const merged = await readAllSyncz(kube, istiodNamespace, { namespaceFilter: expect.namespace });
      const judged = judgeWaypoint(merged.rows, {
        waypoint: { namespace: expect.namespace, name: expect.name, pods },
        expectVersion: expect.version,
        expectRevision: expect.revision,
      });
      const failures = merged.failures.map((f) => `istiod ${f.istiod.pod}: ${f.error}`);
      const ok = judged.ok && failures.length === 0;
      const detail = [judged.reason, ...failures, renderProxyStatus(merged.rows)].join('\n');
      return { ...judged, ok, done: ok, detail };
    },
    () => [expect.namespace, istiodNamespace],
    options,
  );
}

/**
 * Every live ztunnel pod SYNCED with an istiod of `revision` on `version`, from `/debug/syncz?namespace=<ztunnel
 * namespace>` of every istiod (see `judgeZtunnels`). An unreadable istiod keeps the wait going: its ztunnels would
 * be missing, and a ztunnel still on the old revision's istiod would go unseen.
 */
export function waitZtunnelsSynced(
  kube: MeshKube,
  expect: { istiodNamespace?: string; namespace?: string; version: string; revision: string },
  options: MeshWaitOptions,
): Promise<Judgement & Seen> {
  const istiodNamespace = expect.istiodNamespace ?? 'istio-system';
  const namespace = expect.namespace ?? 'ztunnel';
  return waitJudged(
    kube,
    `every ztunnel SYNCED with revision ${expect.revision} on ${expect.version}`,
    async () => {
      const pods = (
        await kube.list({ apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: ZTUNNEL_SELECTOR })
      )
        .map((p) => parseAs(Pod, p, 'Pod'))
        .filter((p): p is Pod => !(p instanceof Error) && p.metadata.deletionTimestamp === undefined)
        .map((p) => ({ node: p.spec.nodeName ?? '?', pod: p.metadata.name, namespace }));
      const merged = await readAllSyncz(kube, istiodNamespace, { namespaceFilter: namespace });
      const judged = judgeZtunnels(merged.rows, pods, expect.version, expect.revision);
      const failures = merged.failures.map((f) => `istiod ${f.istiod.pod}: ${f.error}`);
      const ok = judged.ok && failures.length === 0;
      const detail = [judged.reason, ...failures, renderProxyStatus(merged.rows)].join('\n');
      return { ...judged, ok, done: ok, detail };
    },
    () => [namespace, istiodNamespace],
    options,
  );
}
