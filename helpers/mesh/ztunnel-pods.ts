import { waitFor } from '../k8s/wait.ts';
import { sameVersion, versionFromImage } from './images.ts';
import { isPodReady, Pod, parseAs } from './k8s-shapes.ts';
import type { MeshKube } from './kube.ts';
import type { MeshWaitOptions } from './waits.ts';

// The per-node step of the OnDelete procedure (OSSM "Updating Ztunnel using node draining"; FACTS §5): after the
// node is drained, delete its old ztunnel pod and wait for the DaemonSet to start the new one.

export const ZTUNNEL_SELECTOR = 'app=ztunnel';

export interface ZtunnelPodView {
  name: string;
  uid: string | undefined;
  node: string | undefined;
  image: string | undefined;
  ready: boolean;
  terminating: boolean;
}

export function ztunnelPodView(raw: unknown): ZtunnelPodView | Error {
  const pod = parseAs(Pod, raw, 'ztunnel Pod');
  if (pod instanceof Error) return pod;
  return {
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    node: pod.spec.nodeName,
    image: pod.spec.containers.find((c) => c.name === 'istio-proxy')?.image,
    ready: isPodReady(pod),
    terminating: pod.metadata.deletionTimestamp !== undefined,
  };
}

/** The live (not terminating) ztunnel pod on `node`; an Error when there is none or more than one. */
export function ztunnelPodOnNode(pods: readonly unknown[], node: string): ZtunnelPodView | Error {
  const views = pods.map(ztunnelPodView).filter((v): v is ZtunnelPodView => !(v instanceof Error));
  const live = views.filter((v) => v.node === node && !v.terminating);
  if (live.length === 1 && live[0]) return live[0];
  return new Error(
    `expected one live ztunnel pod on ${node}, found ${live.length} (${live.map((v) => v.name).join(', ') || 'none'})`,
  );
}

/** Deletes the ztunnel pod on `node` and returns what it was. */
export async function deleteZtunnelOnNode(
  kube: MeshKube,
  node: string,
  namespace = 'ztunnel',
): Promise<ZtunnelPodView> {
  const pods = await kube.list({ apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: ZTUNNEL_SELECTOR });
  const pod = ztunnelPodOnNode(pods, node);
  if (pod instanceof Error) throw pod;
  await kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: pod.name });
  return pod;
}

/** Judges the replacement on one node: a different pod (uid) is live and Ready with the new version's image. */
export function newZtunnelReady(
  pods: readonly unknown[],
  node: string,
  old: { uid: string | undefined },
  version: string,
) {
  const pod = ztunnelPodOnNode(pods, node);
  if (pod instanceof Error) return { done: false, detail: pod.message };
  const seen = `ztunnel ${pod.name} on ${node}: ready=${pod.ready} image=${pod.image ?? '-'}`;
  const reasons: string[] = [];
  if (pod.uid !== undefined && pod.uid === old.uid) reasons.push('still the old pod');
  if (!pod.ready) reasons.push('not Ready');
  const tag = versionFromImage(pod.image);
  if (tag !== undefined && !sameVersion(tag, version)) reasons.push(`image is ${tag}, expected ${version}`);
  return reasons.length === 0
    ? { done: true, detail: seen, pod }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}`, pod };
}

export async function waitNewZtunnelReady(
  kube: MeshKube,
  expect: { node: string; old: { uid: string | undefined }; version: string; namespace?: string },
  options: MeshWaitOptions,
) {
  const namespace = expect.namespace ?? 'ztunnel';
  return waitFor(
    `new ztunnel pod Ready on ${expect.node} with ${expect.version}`,
    async () =>
      newZtunnelReady(
        await kube.list({ apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: ZTUNNEL_SELECTOR }),
        expect.node,
        expect.old,
        expect.version,
      ),
    (r) => r.done,
    {
      ...options,
      describe: (last) =>
        typeof last === 'object' && last !== null && 'detail' in last ? String(last.detail) : String(last),
    },
  );
}

/** One observation from a pod watch of the ztunnel namespace, or one deletion the suite itself requested. */
export type ZtunnelObservation =
  | {
      at: number;
      kind: 'pod';
      event: 'ADDED' | 'MODIFIED' | 'DELETED';
      pod: { name: string; uid?: string; node?: string; image?: string; deletionTimestamp?: string };
    }
  | { at: number; kind: 'requested-delete'; node: string; pod: string };

/**
 * Under OnDelete, Kubernetes must not replace any ztunnel by itself: on each node, a pod with `newImage` may only
 * appear after the suite asked to delete that node's old pod, and no old pod may start terminating without such a
 * request. Returns one line per violation (empty = the procedure held).
 */
export function checkOnDeleteSequence(
  observations: readonly ZtunnelObservation[],
  newImage: string,
): string[] {
  const problems: string[] = [];
  const requested = new Map<string, number>(); // pod name → first request time
  const requestedNodes = new Map<string, number>(); // node → first request time
  const sorted = [...observations].sort((a, b) => a.at - b.at);
  const reportedTerminating = new Set<string>();
  for (const o of sorted) {
    if (o.kind === 'requested-delete') {
      if (!requested.has(o.pod)) requested.set(o.pod, o.at);
      if (!requestedNodes.has(o.node)) requestedNodes.set(o.node, o.at);
      continue;
    }
    const { pod } = o;
    if (o.event === 'ADDED' && pod.image === newImage) {
      const node = pod.node ?? '(unscheduled)';
      const asked = requestedNodes.get(node);
      // A pending pod has no node yet; it is checked again when scheduled (MODIFIED with a node).
      if (pod.node && (asked === undefined || asked > o.at)) {
        problems.push(
          `${pod.name} (${newImage}) appeared on ${node} at ${new Date(o.at).toISOString()} before its old ztunnel was deleted`,
        );
      }
    }
    if (o.event === 'MODIFIED' && pod.image === newImage && pod.node && !requestedNodes.has(pod.node)) {
      problems.push(
        `${pod.name} (${newImage}) scheduled on ${pod.node} though no old ztunnel there was deleted`,
      );
    }
    if (
      pod.image !== newImage &&
      (pod.deletionTimestamp || o.event === 'DELETED') &&
      !requested.has(pod.name) &&
      !reportedTerminating.has(pod.name)
    ) {
      reportedTerminating.add(pod.name);
      problems.push(
        `old ztunnel ${pod.name} on ${pod.node ?? '?'} was deleted without the suite asking (not OnDelete?)`,
      );
    }
  }
  return [...new Set(problems)];
}
