import type { KubeObject, ObjectRef } from '../k8s/types.ts';

/**
 * The few cluster operations the mesh layer needs, as one structural interface.
 *
 * Why a port and not direct imports: `helpers/k8s/{read,apply,port-forward,logs-events}.ts` are being written in
 * parallel; every decision here is pure and only the thin I/O wrappers take a `MeshKube`. A suite builds one with
 * `meshKube(connect(...))` (kube-adapter.ts); tests pass a fake.
 */
export interface MeshKube {
  /** The object, or `undefined` when it does not exist (404). */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(query: ListQuery): Promise<KubeObject[]>;
  /** Server-side apply (the Istio/Sail CRDs exceed the client-side annotation limit, FACTS §3). */
  apply(objects: readonly KubeObject[], options?: { fieldManager?: string; force?: boolean }): Promise<void>;
  delete(ref: ObjectRef): Promise<void>;
  /** Forwards a local loopback port to `port` of the pod. */
  portForward(pod: PodRef, port: number): Promise<PortForward>;
  logs(pod: PodRef & { container?: string }, options: { tailLines: number }): Promise<string>;
  /** Recent events of a namespace (optionally of one object), one formatted line each, oldest first. */
  events(namespace: string, object?: { kind: string; name: string }, limit?: number): Promise<string[]>;
}

export interface ListQuery {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
}

export interface PodRef {
  namespace: string;
  name: string;
}

export interface PortForward {
  localPort: number;
  close(): void | Promise<void>;
}
