import type {
  CoreV1Event,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';
import { isNotFound } from './api-error.ts';
import type { Kube } from './client.ts';
import type { ResourceTarget } from './object-client.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { describeRef, type KubeObject, type ObjectRef } from './types.ts';

/** Selects objects of one kind; no namespace lists across all namespaces (or a cluster-scoped kind). */
export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const notFound = Symbol('not found');

function targetOf(ref: ObjectRef): ResourceTarget {
  return ref.namespace === undefined
    ? { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name }
    : { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace };
}

/** Reads one object of any kind; `undefined` when it does not exist. Transient failures are retried. */
export async function getObject(
  kube: Kube,
  ref: ObjectRef,
  options: RetryOptions = {},
): Promise<KubeObject | undefined> {
  const result = await withRetry(
    `get ${describeRef(ref)}`,
    async () => {
      try {
        return (await kube.raw.send('GET', await kube.raw.pathOf(targetOf(ref), 'read'))) as KubeObject;
      } catch (error) {
        if (isNotFound(error)) return notFound;
        throw error;
      }
    },
    options,
  );
  return result === notFound ? undefined : result;
}

interface RawList {
  items?: KubeObject[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** A full list (all pages) and the resourceVersion a watch can start from. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string | undefined;
}

/** Lists by label/field selector, following `continue` pages. The items carry `apiVersion` and `kind`. */
export async function listObjectsAt(
  kube: Kube,
  path: string,
  query: ListQuery & { apiVersion?: string; kind?: string },
  options: RetryOptions = {},
): Promise<ListResult> {
  const items: KubeObject[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  do {
    const page = (await withRetry(
      `list ${path}`,
      () =>
        kube.raw.send('GET', path, {
          query: {
            labelSelector: query.labelSelector,
            fieldSelector: query.fieldSelector,
            limit: 500,
            continue: continueToken,
          },
        }),
      options,
    )) as RawList;
    // Lists omit each item's apiVersion/kind; put them back so items are complete objects.
    for (const item of page.items ?? []) {
      items.push({
        ...item,
        apiVersion: item.apiVersion ?? query.apiVersion ?? '',
        kind: item.kind ?? query.kind ?? '',
      });
    }
    resourceVersion = page.metadata?.resourceVersion;
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return { items, resourceVersion };
}

/** The collection path of a kind (discovery-resolved), e.g. `/apis/apps/v1/namespaces/ns/deployments`. */
export async function collectionPath(
  kube: Kube,
  apiVersion: string,
  kind: string,
  namespace?: string,
): Promise<string> {
  return kube.raw.pathOf(
    namespace === undefined ? { apiVersion, kind } : { apiVersion, kind, namespace },
    'list',
  );
}

export async function listObjects(
  kube: Kube,
  apiVersion: string,
  kind: string,
  query: ListQuery = {},
  options: RetryOptions = {},
): Promise<KubeObject[]> {
  const path = await collectionPath(kube, apiVersion, kind, query.namespace);
  return (await listObjectsAt(kube, path, { ...query, apiVersion, kind }, options)).items;
}

// Typed helpers: client-node's typed APIs, so fields are its models (timestamps are `Date`s).

async function typedGet<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
  const result = await withRetry(what, async () => {
    try {
      return await read();
    } catch (error) {
      if (isNotFound(error)) return notFound;
      throw error;
    }
  });
  return result === notFound ? undefined : result;
}

export function getPod(kube: Kube, namespace: string, name: string): Promise<V1Pod | undefined> {
  return typedGet(`get Pod ${namespace}/${name}`, () => kube.core.readNamespacedPod({ namespace, name }));
}

export function getDeployment(
  kube: Kube,
  namespace: string,
  name: string,
): Promise<V1Deployment | undefined> {
  return typedGet(`get Deployment ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDeployment({ namespace, name }),
  );
}

export function getDaemonSet(kube: Kube, namespace: string, name: string): Promise<V1DaemonSet | undefined> {
  return typedGet(`get DaemonSet ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDaemonSet({ namespace, name }),
  );
}

export function getNode(kube: Kube, name: string): Promise<V1Node | undefined> {
  return typedGet(`get Node ${name}`, () => kube.core.readNode({ name }));
}

function selectors(query: ListQuery): { labelSelector?: string; fieldSelector?: string } {
  const out: { labelSelector?: string; fieldSelector?: string } = {};
  if (query.labelSelector !== undefined) out.labelSelector = query.labelSelector;
  if (query.fieldSelector !== undefined) out.fieldSelector = query.fieldSelector;
  return out;
}

function where(kind: string, query: ListQuery): string {
  const parts = [query.namespace ?? 'all namespaces', query.labelSelector, query.fieldSelector].filter(
    Boolean,
  );
  return `list ${kind} (${parts.join(', ')})`;
}

export async function listPods(kube: Kube, query: ListQuery = {}): Promise<V1Pod[]> {
  const { namespace } = query;
  const list = await withRetry(where('Pods', query), () =>
    namespace === undefined
      ? kube.core.listPodForAllNamespaces(selectors(query))
      : kube.core.listNamespacedPod({ namespace, ...selectors(query) }),
  );
  return list.items;
}

export async function listDeployments(kube: Kube, query: ListQuery = {}): Promise<V1Deployment[]> {
  const { namespace } = query;
  const list = await withRetry(where('Deployments', query), () =>
    namespace === undefined
      ? kube.apps.listDeploymentForAllNamespaces(selectors(query))
      : kube.apps.listNamespacedDeployment({ namespace, ...selectors(query) }),
  );
  return list.items;
}

export async function listDaemonSets(kube: Kube, query: ListQuery = {}): Promise<V1DaemonSet[]> {
  const { namespace } = query;
  const list = await withRetry(where('DaemonSets', query), () =>
    namespace === undefined
      ? kube.apps.listDaemonSetForAllNamespaces(selectors(query))
      : kube.apps.listNamespacedDaemonSet({ namespace, ...selectors(query) }),
  );
  return list.items;
}

export async function listNodes(kube: Kube, query: Omit<ListQuery, 'namespace'> = {}): Promise<V1Node[]> {
  return (await withRetry(where('Nodes', query), () => kube.core.listNode(selectors(query)))).items;
}

export async function listNamespaces(
  kube: Kube,
  query: Omit<ListQuery, 'namespace'> = {},
): Promise<V1Namespace[]> {
  return (await withRetry(where('Namespaces', query), () => kube.core.listNamespace(selectors(query)))).items;
}

export async function listEvents(kube: Kube, query: ListQuery = {}): Promise<CoreV1Event[]> {
  const { namespace } = query;
  const list = await withRetry(where('Events', query), () =>
    namespace === undefined
      ? kube.core.listEventForAllNamespaces(selectors(query))
      : kube.core.listNamespacedEvent({ namespace, ...selectors(query) }),
  );
  return list.items;
}
