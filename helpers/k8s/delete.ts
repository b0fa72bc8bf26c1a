import { isNotFound } from './api-error.ts';
import type { Kube } from './client.ts';
import { getObject } from './read.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { describeRef, type ObjectRef } from './types.ts';
import { type WaitOptions, waitFor } from './wait.ts';

export interface DeleteOptions extends RetryOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
}

/** Deletes one object of any kind. Resolves `false` when it was already gone (404 is not an error). */
export async function deleteObject(
  kube: Kube,
  ref: ObjectRef,
  options: DeleteOptions = {},
): Promise<boolean> {
  const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
  if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
  if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
  return withRetry(
    `delete ${describeRef(ref)}`,
    async () => {
      const target =
        ref.namespace === undefined
          ? { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name }
          : { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace };
      try {
        await kube.raw.send('DELETE', await kube.raw.pathOf(target, 'read'), { body: JSON.stringify(body) });
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    options,
  );
}

/**
 * Waits until the object no longer exists. With `uid`, an object of the same name but another UID (already
 * recreated by its controller) also counts as gone.
 */
export async function waitGone(
  kube: Kube,
  ref: ObjectRef,
  options: WaitOptions & { uid?: string },
): Promise<void> {
  await waitFor(
    `${describeRef(ref)} to be gone`,
    async () => {
      const object = await getObject(kube, ref, { attempts: 1 });
      if (!object) return 'gone';
      const uid = object.metadata.uid;
      if (options.uid !== undefined && uid !== options.uid) return 'gone';
      const deleting = object.metadata.deletionTimestamp;
      return typeof deleting === 'string' ? `terminating since ${deleting}` : 'still present';
    },
    (state) => state === 'gone',
    options,
  );
}
