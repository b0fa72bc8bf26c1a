import { UserError } from '../errors.ts';
import { MANAGED_BY_LABEL, RUN_ID_LABEL } from '../labels.ts';
import { applyObject } from './apply.ts';
import type { Kube } from './client.ts';
import type { Inventory } from './inventory.ts';
import { mergePatch } from './patch.ts';
import { getObject } from './read.ts';
import type { RetryOptions } from './retry.ts';
import { describeRef, type KubeObject, type ObjectRef, refOf } from './types.ts';

/**
 * Namespaces the suite never creates, deletes or refuses: it only sets labels there (the allowed probe client
 * lives in `default`), records their previous values and restores them.
 */
export function isProtectedNamespace(name: string): boolean {
  return (
    name === 'default' || name.startsWith('kube-') || name.startsWith('openshift-') || name === 'openshift'
  );
}

export interface TrackedOptions extends RetryOptions {
  readonly runId: string;
  readonly inventory: Inventory;
}

const SUITE_LABELS = [MANAGED_BY_LABEL, RUN_ID_LABEL];

/** The object exists and was not created by this run: the caller must not take it over. */
export class PreexistingObjectError extends UserError {
  readonly ref: ObjectRef;
  constructor(ref: ObjectRef, runId: string) {
    super(
      `${describeRef(ref)} already exists and run ${runId} did not create it — the suite will not change or later delete it; delete it yourself, or run on a cluster without it`,
    );
    this.name = 'PreexistingObjectError';
    this.ref = ref;
  }
}

/**
 * Applies the run's objects one after another, safe on a cluster the run shares:
 * - an object that does not exist is recorded in the inventory (intent, then uid) and created by server-side
 *   apply, carrying the run's labels;
 * - an object this run created (its run-id label) is re-applied;
 * - a protected namespace (`default`, `kube-*`, `openshift-*`) gets only the non-suite labels the object sets, by
 *   merge patch, after their previous values were recorded — never the run's labels, never server-side apply;
 * - anything else that exists is refused with {@link PreexistingObjectError} before it is touched.
 */
export async function applyTracked(
  kube: Kube,
  objects: readonly KubeObject[],
  options: TrackedOptions,
): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const object of objects) {
    const ref = refOf(object);
    const current = await getObject(kube, ref, options);
    if (object.kind === 'Namespace' && object.apiVersion === 'v1' && isProtectedNamespace(ref.name)) {
      const wanted = Object.fromEntries(
        Object.entries(object.metadata.labels ?? {}).filter(([k]) => !SUITE_LABELS.includes(k)),
      );
      applied.push(await labelTracked(kube, ref, wanted, options));
      continue;
    }
    if (current) {
      if (current.metadata.labels?.[RUN_ID_LABEL] !== options.runId)
        throw new PreexistingObjectError(ref, options.runId);
      applied.push(await applyObject(kube, object, options));
      continue;
    }
    await options.inventory.record({ type: 'created', ref });
    const stored = await applyObject(kube, object, options);
    const uid = stored.metadata.uid;
    if (typeof uid === 'string') await options.inventory.record({ type: 'created', ref, uid });
    applied.push(stored);
  }
  return applied;
}

/**
 * Sets labels (`null` removes one) on an object the run may not own — a protected namespace, a node — after
 * recording the previous value of every label it changes, so the sweep can restore them exactly. Returns the
 * object as stored.
 */
export async function labelTracked(
  kube: Kube,
  ref: ObjectRef,
  labels: Readonly<Record<string, string | null>>,
  options: TrackedOptions,
): Promise<KubeObject> {
  const current = await getObject(kube, ref, options);
  if (!current) {
    throw new UserError(`${describeRef(ref)} does not exist — the suite labels it but never creates it`);
  }
  const before = current.metadata.labels ?? {};
  // The run's own objects (the bookinfo namespace) go with the sweep: nothing to restore there.
  if (before[RUN_ID_LABEL] === options.runId)
    return mergePatch(kube, ref, { metadata: { labels: { ...labels } } }, options);
  const previous: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(labels)) {
    const had = before[key] ?? null;
    if (had !== value) previous[key] = had;
  }
  if (Object.keys(previous).length === 0) return current;
  await options.inventory.record({ type: 'labels', ref, previous });
  return mergePatch(kube, ref, { metadata: { labels: { ...labels } } }, options);
}
