import type { Kube } from './client.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { describeRef, type KubeObject, refOf } from './types.ts';

export const fieldManager = 'ambient-upgrade-suite';

/**
 * Server-side apply of one object, any kind (CRDs and cluster-scoped included), forcing ownership: the Istio CRDs
 * exceed client-side apply's annotation size limit, and the suite is the only intended manager of what it applies.
 * Returns the object as the API stored it.
 */
export async function applyObject(
  kube: Kube,
  object: KubeObject,
  options: RetryOptions = {},
): Promise<KubeObject> {
  const what = `apply ${describeRef(refOf(object))}`;
  return withRetry(
    what,
    () =>
      serverSideApply(
        kube,
        object,
        { fieldManager, force: true },
        options.signal ? { signal: options.signal } : {},
      ),
    { retryConflict: true, ...options },
  );
}

/**
 * One server-side apply request, no retry: `query` names the field manager and any other apply parameters
 * (force, dryRun, fieldValidation). Returns the object as the API stored it (or would, on a dry run).
 */
export async function serverSideApply(
  kube: Kube,
  object: KubeObject,
  query: { readonly fieldManager: string } & Readonly<Record<string, string | boolean>>,
  options: { readonly signal?: AbortSignal } = {},
): Promise<KubeObject> {
  const path = await kube.raw.pathOf(
    {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }),
    },
    'read',
  );
  // JSON is YAML, so the apply-patch+yaml body can be the object's JSON text, unchanged.
  const applied = await kube.raw.send('PATCH', path, {
    query,
    body: JSON.stringify(object),
    contentType: 'application/apply-patch+yaml',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return applied as KubeObject;
}

/** Applies objects one after another, in the given order (CRDs before their resources); stops at the first failure. */
export async function applyAll(
  kube: Kube,
  objects: readonly KubeObject[],
  options: RetryOptions = {},
): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const object of objects) applied.push(await applyObject(kube, object, options));
  return applied;
}
