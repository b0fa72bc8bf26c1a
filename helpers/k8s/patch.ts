import type { Kube } from './client.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { describeRef, type KubeObject, type ObjectRef } from './types.ts';

/**
 * JSON merge patch (RFC 7386) of one object: `null` removes a key, which server-side apply cannot do for fields
 * another manager owns (labels set by hand, a version set by a user). Returns the object as stored.
 */
export async function mergePatch(
  kube: Kube,
  ref: ObjectRef,
  patch: Record<string, unknown>,
  options: RetryOptions = {},
): Promise<KubeObject> {
  return withRetry(
    `patch ${describeRef(ref)}`,
    async () => {
      const path = await kube.raw.pathOf(ref, 'read');
      const stored = await kube.raw.send('PATCH', path, {
        body: JSON.stringify(patch),
        contentType: 'application/merge-patch+json',
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return stored as KubeObject;
    },
    { retryConflict: true, ...options },
  );
}
