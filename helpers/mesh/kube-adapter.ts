import { applyAll } from '../k8s/apply.ts';
import type { Kube } from '../k8s/client.ts';
import { deleteObject } from '../k8s/delete.ts';
import { recentEvents, tailLogs } from '../k8s/logs-events.ts';
import { forwardPort } from '../k8s/port-forward.ts';
import { getObject, listObjects } from '../k8s/read.ts';
import type { MeshKube } from './kube.ts';

/**
 * The mesh layer's `MeshKube` over the k8s helpers. Apply is always server-side with the suite's field manager
 * and forced ownership (helpers/k8s/apply.ts), so `fieldManager`/`force` options are accepted and implied.
 */
export function meshKube(kube: Kube): MeshKube {
  return {
    get: (ref) => getObject(kube, ref),
    list: (q) =>
      listObjects(kube, q.apiVersion, q.kind, {
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.labelSelector ? { labelSelector: q.labelSelector } : {}),
      }),
    apply: async (objects) => {
      await applyAll(kube, objects);
    },
    delete: async (ref) => {
      await deleteObject(kube, ref);
    },
    portForward: (pod, port) => forwardPort(kube, { namespace: pod.namespace, pod: pod.name, port }),
    logs: (pod, options) =>
      tailLogs(kube, {
        namespace: pod.namespace,
        pod: pod.name,
        tailLines: options.tailLines,
        ...(pod.container ? { container: pod.container } : {}),
      }),
    events: (namespace, object, limit) =>
      recentEvents(kube, {
        namespace,
        ...(object ? { object } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }),
  };
}
