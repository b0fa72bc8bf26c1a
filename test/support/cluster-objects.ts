/**
 * Every object a real API server lists, for "nothing created, nothing changed" assertions: discovery finds each
 * listable resource of every group (CRDs included), and each object is kept with what a write would change
 * (resourceVersion, labels, annotations). Resources the control plane itself rewrites on its own clock are left
 * out: Events, Leases (leader election, node heartbeats), Nodes (kwok's status heartbeats).
 */
import type { Kube } from '../../helpers/k8s/client.ts';

export interface ObjectState {
  readonly uid: string;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** `resource.group` names rewritten by the control plane itself, never by a client of the suite's kind. */
const SELF_WRITTEN = new Set(['events', 'events.events.k8s.io', 'leases.coordination.k8s.io', 'nodes']);

interface ResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; verbs: string[] }[];
}
interface GroupList {
  groups: { name: string; preferredVersion: { groupVersion: string } }[];
}
interface Listed {
  items?: {
    metadata: {
      name: string;
      namespace?: string;
      uid: string;
      resourceVersion: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
  }[];
}

/** `Kind.group namespace/name` → its state; sorted, so two listings compare with `toEqual`. */
export async function listEveryObject(kube: Kube): Promise<Record<string, ObjectState>> {
  const groups = (await kube.raw.send('GET', '/apis')) as GroupList;
  const versions = ['v1', ...groups.groups.map((g) => g.preferredVersion.groupVersion)];
  const out: Record<string, ObjectState> = {};
  for (const gv of versions) {
    const base = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
    const list = (await kube.raw.send('GET', base)) as ResourceList;
    const group = gv.includes('/') ? gv.split('/')[0] : '';
    for (const resource of list.resources) {
      const id = group === '' ? resource.name : `${resource.name}.${group}`;
      if (resource.name.includes('/') || !resource.verbs.includes('list') || SELF_WRITTEN.has(id)) continue;
      const listed = (await kube.raw.send('GET', `${base}/${resource.name}`)) as Listed;
      for (const item of listed.items ?? []) {
        const m = item.metadata;
        const key = `${resource.kind}${group ? `.${group}` : ''} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
        out[key] = {
          uid: m.uid,
          resourceVersion: m.resourceVersion,
          labels: m.labels ?? {},
          annotations: m.annotations ?? {},
        };
      }
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** What differs between two listings: keys added, removed, or whose state changed. */
export function objectChanges(
  before: Record<string, ObjectState>,
  after: Record<string, ObjectState>,
): { added: string[]; removed: string[]; changed: string[] } {
  const added = Object.keys(after).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.keys(before).filter(
    (k) => k in after && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  return { added, removed, changed };
}
